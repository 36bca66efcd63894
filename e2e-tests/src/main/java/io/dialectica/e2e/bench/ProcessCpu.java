package io.dialectica.e2e.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of the local stack's processes, from /proc/&lt;pid&gt;/stat (utime + stime), found through the
 * pid files ./dialectica writes under .local/run. Replicas (name-2, ...) count with their service.
 * Used to report each projector's CPU milliseconds per event: the cost of a change as the load grows, and where the
 * machine's time goes ({@link Load}): how busy it is, and per process the cores used and the time its threads spent
 * runnable but waiting for a core (the scheduler's run queue, /proc/&lt;pid&gt;/task/&lt;tid&gt;/schedstat).
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
        String pid = pidIn(run.resolve(name + ".pid"));
        if (pid == null) {
            return null;
        }
        try {
            String[] fields = statFields(Path.of("/proc", pid));
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // utime, stime (fields 14, 15)
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The pid a pid file holds; null when it is missing or unreadable. */
    private static String pidIn(Path pidFile) {
        try {
            return Files.exists(pidFile) ? Files.readAllLines(pidFile).get(0).strip() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The fields of /proc/&lt;pid&gt;/stat after the command name (field 2, which may hold spaces): index 0 is field
     * 3 (state), 1 the parent's pid, 11 and 12 utime and stime.
     */
    private static String[] statFields(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
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

    /** Cores used and run-queue wait of one process (children included), in nanoseconds so far. */
    record Sched(long runNanos, long waitNanos) {
    }

    /** Busy and total jiffies of the machine (first line of /proc/stat) and each process's scheduler times. */
    record Load(long totalJiffies, long idleJiffies, Map<String, Sched> processes) {

        /** Percentage of the machine busy between {@code before} and this snapshot. */
        double busyPercentSince(Load before) {
            long total = totalJiffies - before.totalJiffies;
            return total <= 0 ? 0 : 100.0 * (total - (idleJiffies - before.idleJiffies)) / total;
        }
    }

    /**
     * A snapshot of every process of the stack (each pid file under .local/run, with its children: PostgreSQL's
     * backends) and of this JVM (the load generator, {@code bench}); null without /proc/stat.
     */
    Load load() {
        long[] machine = machineJiffies();
        if (machine == null) {
            return null;
        }
        Map<String, List<String>> children = childrenByParent();
        Map<String, Sched> processes = new TreeMap<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(run, "*.pid")) {
            for (Path pidFile : pids) {
                String pid = pidIn(pidFile);
                Sched sched = pid == null ? null : schedOfTree(pid, children);
                if (sched != null) {
                    processes.put(pidFile.getFileName().toString().replaceFirst("\\.pid$", ""), sched);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no pid files: the machine's figure alone
        }
        Sched self = schedOf(Long.toString(ProcessHandle.current().pid()));
        if (self != null) {
            processes.put("bench (this load generator)", self);
        }
        return new Load(machine[0], machine[1], processes);
    }

    /**
     * Rows "| process | cores used | threads waiting for a core |" per measured part: per second of wall clock, the
     * CPU seconds the process ran and the thread-seconds its threads were runnable but not running; busiest first.
     */
    static List<String> loadRows(Load before, Load after, double seconds) {
        List<String> rows = new ArrayList<>();
        if (before == null || after == null || !(seconds > 0)) {
            return rows;
        }
        List<Map.Entry<String, double[]>> figures = new ArrayList<>();
        after.processes().forEach((name, now) -> {
            Sched then = before.processes().get(name);
            if (then != null) {
                figures.add(Map.entry(name, new double[] {(now.runNanos() - then.runNanos()) / 1e9 / seconds,
                        (now.waitNanos() - then.waitNanos()) / 1e9 / seconds}));
            }
        });
        figures.sort((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]));
        double run = 0;
        double wait = 0;
        for (Map.Entry<String, double[]> f : figures) {
            run += f.getValue()[0];
            wait += f.getValue()[1];
            rows.add(String.format(Locale.ROOT, "| %s | %.2f | %.2f |", f.getKey(), f.getValue()[0], f.getValue()[1]));
        }
        rows.add(String.format(Locale.ROOT, "| **all of them** (machine %.0f %% busy) | %.2f | %.2f |",
                after.busyPercentSince(before), run, wait));
        return rows;
    }

    /** {total, idle + iowait} jiffies of the machine (first line of /proc/stat), or null. */
    static long[] machineJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Sched schedOfTree(String pid, Map<String, List<String>> children) {
        Sched own = schedOf(pid);
        if (own == null) {
            return null;
        }
        long run = own.runNanos();
        long wait = own.waitNanos();
        for (String child : children.getOrDefault(pid, List.of())) {
            Sched c = schedOf(child);
            if (c != null) {
                run += c.runNanos();
                wait += c.waitNanos();
            }
        }
        return new Sched(run, wait);
    }

    /** Sum over the live threads of a process: schedstat's time on a CPU and time waiting on a run queue. */
    private static Sched schedOf(String pid) {
        long run = 0;
        long wait = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
            for (Path task : tasks) {
                try {
                    String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
                    run += Long.parseLong(f[0]);
                    wait += Long.parseLong(f[1]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return new Sched(run, wait);
    }

    private static Map<String, List<String>> childrenByParent() {
        Map<String, List<String>> children = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                try {
                    String ppid = statFields(proc)[1];
                    children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(proc.getFileName().toString());
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc
        }
        return children;
    }
}
