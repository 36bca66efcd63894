package io.dialectica.e2e.bench;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Where a change's time goes, stage by stage, from the services' own latency histograms (Micrometer percentile
 * histograms on {@code /q/metrics}, each measured from the source commit), differenced over one phase: every
 * transaction of the phase counts, not only the sampled ones. Quantiles are bucket upper bounds (Micrometer's
 * buckets are ~10–40 % apart), so each figure reads "at most".
 */
final class StageLatencies {

    /** One stage: a histogram (base name, without {@code _bucket}) summed over the services that record it. */
    record Stage(String label, List<String> baseUrls, String metric) {
    }

    private final List<Stage> stages;
    private final Function<String, String> metricsOf;

    /** {@code metricsOf}: base URL → the body of its {@code /q/metrics} (null when unreachable). */
    StageLatencies(List<Stage> stages, Function<String, String> metricsOf) {
        this.stages = stages;
        this.metricsOf = metricsOf;
    }

    /** Cumulative bucket counts per stage, now (each service's metrics read once, whatever stages it serves). */
    Map<String, TreeMap<Double, Double>> snapshot() {
        Map<String, String> bodies = new HashMap<>();
        Map<String, TreeMap<Double, Double>> snapshot = new LinkedHashMap<>();
        for (Stage stage : stages) {
            TreeMap<Double, Double> buckets = new TreeMap<>();
            for (String url : stage.baseUrls()) {
                String body = bodies.computeIfAbsent(url, metricsOf);
                if (body != null) {
                    buckets(body, stage.metric(), buckets);
                }
            }
            snapshot.put(stage.label(), buckets);
        }
        return snapshot;
    }

    static void buckets(String body, String metric, TreeMap<Double, Double> into) {
        String prefix = metric + "_bucket{";
        for (String line : body.split("\n")) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            int le = line.indexOf("le=\"");
            if (le < 0) {
                continue;
            }
            String bound = line.substring(le + 4, line.indexOf('"', le + 4));
            double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            into.merge(upper, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        }
    }

    /**
     * The {@code q} quantile in ms of what was recorded between two snapshots of one histogram: the upper bound of
     * the first bucket whose count reaches it; NaN when nothing was recorded.
     */
    static double quantileMs(TreeMap<Double, Double> before, TreeMap<Double, Double> after, double q) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        for (Map.Entry<Double, Double> bucket : after.entrySet()) {
            double count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0);
            if (count >= q * total) {
                return bucket.getKey() * 1000;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    List<String> labels() {
        return stages.stream().map(Stage::label).toList();
    }

    /** "p50 / p99" of each stage between two snapshots, as table cells. */
    List<String> cells(Map<String, TreeMap<Double, Double>> before, Map<String, TreeMap<Double, Double>> after) {
        return labels().stream().map(label -> {
            TreeMap<Double, Double> from = before.getOrDefault(label, new TreeMap<>());
            TreeMap<Double, Double> to = after.getOrDefault(label, new TreeMap<>());
            return ms(quantileMs(from, to, 0.50)) + " / " + ms(quantileMs(from, to, 0.99));
        }).toList();
    }

    private static String ms(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return Double.isInfinite(value) ? "> max" : String.format(Locale.ROOT, "≤ %.0f", value);
    }
}
