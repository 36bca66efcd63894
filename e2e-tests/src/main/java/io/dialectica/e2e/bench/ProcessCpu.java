package io.dialectica.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the local stack's processes, from /proc/&lt;pid&gt;/stat (utime + stime), found through the
 * pid files ./dialectica writes under .local/run. Replicas (name-2, ...) count with their service.
 * Used to report each projector's CPU milliseconds per event: the cost of a change as the load grows.
 */
final class ProcessCpu {

    /** Clock ticks per second of /proc/&lt;pid&gt;/stat: 100 on every Linux this runs on (getconf CLK_TCK). */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Path run;

    ProcessCpu(Path root) {
        this.run = root.resolve(".local/run");
    }

    /** CPU milliseconds used so far by each named process (and its replicas); absent ones are left out. */
    Map<String, Double> snapshot(List<String> names) {
        Map<String, Double> millis = new LinkedHashMap<>();
        for (String name : names) {
            double total = 0;
            boolean found = false;
            for (String instance : List.of(name, name + "-2", name + "-3")) {
                Double ms = millisOf(instance);
                if (ms != null) {
                    total += ms;
                    found = true;
                }
            }
            if (found) {
                millis.put(name, total);
            }
        }
        return millis;
    }

    private Double millisOf(String name) {
        try {
            Path pidFile = run.resolve(name + ".pid");
            if (!Files.exists(pidFile)) {
                return null;
            }
            String pid = Files.readAllLines(pidFile).get(0).strip();
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // utime, stime (fields 14, 15)
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Milliseconds per event between two snapshots, per process; "-" where either is missing or no events. */
    static String perEvent(Map<String, Double> before, Map<String, Double> after, String name, double events) {
        Double a = before.get(name);
        Double b = after.get(name);
        if (a == null || b == null || !(events > 0)) {
            return "-";
        }
        return String.format(java.util.Locale.ROOT, "%.3f", (b - a) / events);
    }
}
