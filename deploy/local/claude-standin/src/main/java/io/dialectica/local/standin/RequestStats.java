package io.dialectica.local.standin;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code GET /stats} reports: requests to {@code /v1/messages} in total and per epoch second,
 * those answered with 200 per second, and the busiest 1-second and 60-second windows, so a
 * benchmark can judge a client's rate from the server's side. Keeps the last day of seconds.
 */
final class RequestStats {

    private static final int KEEP_SECONDS = 86_400;

    private final TreeMap<Long, long[]> perSecond = new TreeMap<>(); // second -> {received, ok}
    private final TreeMap<Integer, Long> byStatus = new TreeMap<>();
    private final AtomicLong outputTokens = new AtomicLong();
    private final AtomicLong inputTokens = new AtomicLong();
    private final AtomicLong cacheCreationInputTokens = new AtomicLong();
    private final AtomicLong cacheReadInputTokens = new AtomicLong();
    private final AtomicLong countTokensRequests = new AtomicLong();
    private final AtomicLong batchRequests = new AtomicLong();
    private final AtomicLong batchInputTokens = new AtomicLong();
    private final AtomicLong batchOutputTokens = new AtomicLong();
    private long since = System.currentTimeMillis();
    private long total;

    synchronized void received(long nowMs) {
        total++;
        bucket(nowMs)[0]++;
    }

    synchronized void answered(int status, long nowMs, long tokens, PromptCache.Usage usage) {
        byStatus.merge(status, 1L, Long::sum);
        if (status == 200) {
            bucket(nowMs)[1]++;
            outputTokens.addAndGet(tokens);
            if (usage != null) {
                inputTokens.addAndGet(usage.inputTokens());
                cacheCreationInputTokens.addAndGet(usage.cacheCreationInputTokens());
                cacheReadInputTokens.addAndGet(usage.cacheReadInputTokens());
            }
        }
    }

    /** A {@code count_tokens} request (not a Messages request: counted apart). */
    void counted() {
        countTokensRequests.incrementAndGet();
    }

    /**
     * A request of a Message Batch answered ({@code succeeded}): its tokens count in the totals and apart in
     * {@code batch*} (not in {@code byStatus} or the per-second counts, which are HTTP requests).
     */
    void batched(PromptCache.Usage usage, long tokens) {
        batchRequests.incrementAndGet();
        batchInputTokens.addAndGet(usage.total());
        batchOutputTokens.addAndGet(tokens);
        outputTokens.addAndGet(tokens);
        inputTokens.addAndGet(usage.inputTokens());
        cacheCreationInputTokens.addAndGet(usage.cacheCreationInputTokens());
        cacheReadInputTokens.addAndGet(usage.cacheReadInputTokens());
    }

    synchronized void reset() {
        batchRequests.set(0);
        batchInputTokens.set(0);
        batchOutputTokens.set(0);
        perSecond.clear();
        byStatus.clear();
        outputTokens.set(0);
        inputTokens.set(0);
        cacheCreationInputTokens.set(0);
        cacheReadInputTokens.set(0);
        countTokensRequests.set(0);
        total = 0;
        since = System.currentTimeMillis();
    }

    synchronized Map<String, Object> snapshot() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("since", java.time.Instant.ofEpochMilli(since).toString());
        out.put("total", total);
        out.put("byStatus", new TreeMap<>(byStatus));
        out.put("outputTokens", outputTokens.get());
        out.put("inputTokens", inputTokens.get());
        out.put("cacheCreationInputTokens", cacheCreationInputTokens.get());
        out.put("cacheReadInputTokens", cacheReadInputTokens.get());
        out.put("countTokensRequests", countTokensRequests.get());
        out.put("batchRequests", batchRequests.get());
        out.put("batchInputTokens", batchInputTokens.get());
        out.put("batchOutputTokens", batchOutputTokens.get());
        Map<String, Long> received = new java.util.LinkedHashMap<>();
        Map<String, Long> ok = new java.util.LinkedHashMap<>();
        perSecond.forEach((s, c) -> {
            received.put(Long.toString(s), c[0]);
            if (c[1] > 0) {
                ok.put(Long.toString(s), c[1]);
            }
        });
        out.put("perSecond", received);
        out.put("okPerSecond", ok);
        out.put("maxPerSecond", maxWindow(1, 0));
        out.put("max60s", maxWindow(60, 0));
        out.put("okMaxPerSecond", maxWindow(1, 1));
        out.put("okMax60s", maxWindow(60, 1));
        return out;
    }

    /** The largest count in any {@code seconds}-long window of whole seconds. */
    private long maxWindow(int seconds, int column) {
        if (perSecond.isEmpty()) {
            return 0;
        }
        long best = 0;
        long sum = 0;
        java.util.ArrayDeque<long[]> window = new java.util.ArrayDeque<>(); // {second, count}
        for (Map.Entry<Long, long[]> e : perSecond.entrySet()) {
            long s = e.getKey();
            window.addLast(new long[] { s, e.getValue()[column] });
            sum += e.getValue()[column];
            while (window.peekFirst()[0] <= s - seconds) {
                sum -= window.removeFirst()[1];
            }
            best = Math.max(best, sum);
        }
        return best;
    }

    private long[] bucket(long nowMs) {
        long second = nowMs / 1000;
        long[] c = perSecond.computeIfAbsent(second, k -> new long[2]);
        while (perSecond.size() > KEEP_SECONDS) {
            perSecond.pollFirstEntry();
        }
        return c;
    }
}
