package io.dialectica.e2e.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Latency samples in milliseconds: percentiles by nearest rank. */
final class Stats {

    private final List<Double> values = new ArrayList<>();

    synchronized void add(double millis) {
        values.add(millis);
    }

    synchronized int count() {
        return values.size();
    }

    synchronized double percentile(double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    synchronized double max() {
        return values.isEmpty() ? Double.NaN : Collections.max(values);
    }

    static String ms(double value) {
        return Double.isNaN(value) ? "-" : String.format(java.util.Locale.ROOT, "%.1f", value);
    }
}
