package io.dialectica.worker.cost;

import io.dialectica.worker.claude.ClaudeCall;
import io.dialectica.worker.claude.ClaudeClient;
import io.dialectica.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Input tokens of a prompt: exact from {@code POST /v1/messages/count_tokens} (free), cached by a SHA-256 of
 * the model and the prompt's text (an in-memory LRU per replica: the same system prompt and the same concept
 * state are counted once), or the estimate characters / 4 when counting is off or the call fails (after a
 * failure nobody asks again for {@link #BACKOFF_MS}, so a missing endpoint costs one round-trip, not one per job).
 */
@ApplicationScoped
public class TokenCounter {

    private static final Logger LOG = Logger.getLogger(TokenCounter.class);
    static final long BACKOFF_MS = 60_000;
    private static final int MAX_ENTRIES = 2_000;

    /** A count; {@code exact}: from count_tokens, else the estimate. */
    public record Count(int tokens, boolean exact) {
    }

    private final ClaudeClient client;
    private final WorkerConfig.Claude config;
    private final Map<String, Integer> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private volatile long failedAt = -BACKOFF_MS;

    public TokenCounter(ClaudeClient client, WorkerConfig config) {
        this.client = client;
        this.config = config.claude();
    }

    public static int estimate(String text) {
        return (text.length() + 3) / 4;
    }

    /** The input tokens of a request made of these system blocks and turns. */
    public Count count(List<ClaudeCall.Block> system, List<ClaudeCall.Turn> turns) {
        int estimate = system.stream().mapToInt(b -> estimate(b.text())).sum()
                + turns.stream().flatMap(t -> t.blocks().stream()).mapToInt(b -> estimate(b.text())).sum();
        if (!config.countTokens() || System.currentTimeMillis() - failedAt < BACKOFF_MS) {
            return new Count(estimate, false);
        }
        String key = key(system, turns);
        synchronized (cache) {
            Integer known = cache.get(key);
            if (known != null) {
                return new Count(known, true);
            }
        }
        try {
            int exact = Math.toIntExact(client.countTokens(system, turns, config.countTokensTimeout()));
            synchronized (cache) {
                cache.put(key, exact);
            }
            return new Count(exact, true);
        } catch (RuntimeException e) {
            failedAt = System.currentTimeMillis();
            LOG.infof("count_tokens failed (%s); estimating prompt tokens as characters / 4 for %d s", e.toString(),
                    BACKOFF_MS / 1000);
            return new Count(estimate, false);
        }
    }

    private String key(List<ClaudeCall.Block> system, List<ClaudeCall.Turn> turns) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(config.model().getBytes(StandardCharsets.UTF_8));
            for (ClaudeCall.Block b : system) {
                d.update((byte) 1);
                d.update(b.text().getBytes(StandardCharsets.UTF_8));
            }
            for (ClaudeCall.Turn t : turns) {
                d.update((byte) 2);
                d.update(t.role().getBytes(StandardCharsets.UTF_8));
                for (ClaudeCall.Block b : t.blocks()) {
                    d.update((byte) 3);
                    d.update(b.text().getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
