package io.dialectica.e2e.convergence;

import java.util.List;
import java.util.stream.Collectors;

/** What a check compared and every difference it found, readable as a whole with {@link #describe()}. */
public record ConvergenceReport(int conceptsChecked, List<String> stores, List<Difference> differences) {

    public boolean converged() {
        return differences.isEmpty();
    }

    public String describe() {
        if (differences.isEmpty()) {
            return conceptsChecked + " concepts checked in PostgreSQL vs " + String.join(" + ", stores) + ": no differences";
        }
        return conceptsChecked + " concepts checked in PostgreSQL vs " + String.join(" + ", stores) + ": "
                + differences.size() + " difference(s)\n  "
                + differences.stream().limit(200).map(Difference::toString).collect(Collectors.joining("\n  "))
                + (differences.size() > 200 ? "\n  ... and " + (differences.size() - 200) + " more" : "");
    }

    @Override
    public String toString() {
        return describe();
    }
}
