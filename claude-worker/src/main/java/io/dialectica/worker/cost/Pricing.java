package io.dialectica.worker.cost;

import io.dialectica.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The price table ({@code dialectica.worker.prices."<model>".*}) applied to a call's usage:
 * <pre>
 * cost = ( input × in
 *        + cacheWrite × in × cacheWriteMultiplier
 *        + cacheRead  × in × cacheReadMultiplier
 *        + output × out ) / 1 000 000        (USD; in, out: USD per million tokens)
 * </pre>
 * computed exactly in decimal (no rounding: the job's cost is the sum of these, and a test checks it to the
 * last digit). A model id is looked up as is, then by the longest configured id it starts with (the API
 * reports dated ids such as {@code claude-sonnet-4-5-20250929}), then as the configured model.
 */
@ApplicationScoped
public class Pricing {

    private static final Logger LOG = Logger.getLogger(Pricing.class);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /** A call's token usage as the API reports it; {@code input} excludes the cache writes and reads. */
    public record Usage(long input, long output, long cacheWrite, long cacheRead) {
        public static final Usage ZERO = new Usage(0, 0, 0, 0);
    }

    private final Map<String, WorkerConfig.Price> table;
    private final String configuredModel;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public Pricing(WorkerConfig config) {
        this.table = Map.copyOf(config.prices());
        this.configuredModel = config.claude().model();
        if (lookup(configuredModel) == null) {
            throw new IllegalStateException("dialectica.worker.prices has no entry for the configured model "
                    + configuredModel + " (claude.model); prices exist for " + table.keySet());
        }
    }

    public BigDecimal cost(String model, Usage u) {
        WorkerConfig.Price p = price(model);
        BigDecimal in = p.inputPerMtok();
        return in.multiply(BigDecimal.valueOf(u.input()))
                .add(in.multiply(p.cacheWriteMultiplier()).multiply(BigDecimal.valueOf(u.cacheWrite())))
                .add(in.multiply(p.cacheReadMultiplier()).multiply(BigDecimal.valueOf(u.cacheRead())))
                .add(p.outputPerMtok().multiply(BigDecimal.valueOf(u.output())))
                .divide(MILLION)
                .stripTrailingZeros();
    }

    /**
     * A call of a Message Batch: the same usage at the model's {@code batch-multiplier} (0.5) of the price — the
     * batch discount applies to every kind of token, prompt-cache writes and reads included.
     */
    public BigDecimal batchCost(String model, Usage u) {
        return cost(model, u).multiply(price(model).batchMultiplier()).stripTrailingZeros();
    }

    /** The minimum cacheable prompt of the model (the configured one when {@code model} is null). */
    public int minCacheableTokens(String model) {
        return price(model == null ? configuredModel : model).minCacheableTokens();
    }

    /** The entry that prices {@code model}: its own, the longest prefix, else the configured model's. */
    public WorkerConfig.Price price(String model) {
        WorkerConfig.Price p = model == null ? null : lookup(model);
        if (p == null) {
            if (model != null && warned.add(model)) {
                LOG.warnf("no price for model %s in dialectica.worker.prices; priced as %s", model, configuredModel);
            }
            p = lookup(configuredModel);
        }
        return p;
    }

    private WorkerConfig.Price lookup(String model) {
        WorkerConfig.Price exact = table.get(model);
        if (exact != null) {
            return exact;
        }
        String best = null;
        for (String key : table.keySet()) {
            if (model.startsWith(key + "-") && (best == null || key.length() > best.length())) {
                best = key;
            }
        }
        return best == null ? null : table.get(best);
    }
}
