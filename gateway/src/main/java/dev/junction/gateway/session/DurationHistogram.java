package dev.junction.gateway.session;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Prometheus histogram of durations with fixed bucket bounds from 1 ms to 5 s, written as
 * {@code <name>_bucket{le="…"}} (cumulative, ending with {@code le="+Inf"}), {@code <name>_sum} in seconds and
 * {@code <name>_count}. An observation falls into every bucket whose bound is greater than or equal to it, as
 * Prometheus defines {@code le}: exactly 1 ms counts in {@code le="0.001"}.
 *
 * <p>Threading: lock-free; {@link #record} may be called from any thread (the media loops), {@link #appendMetrics}
 * from any other (the HTTP loop). Each scrape derives {@code _count} from the same bucket reads it prints, so
 * {@code le="+Inf"} always equals {@code _count}; {@code _sum} may lag one concurrent observation behind.
 */
final class DurationHistogram {

    /** Upper bounds in ns, ascending; the {@code +Inf} bucket follows them. */
    static final long[] BOUNDS_NS = {
        1_000_000L, 2_000_000L, 5_000_000L, 10_000_000L, 20_000_000L, 50_000_000L,
        100_000_000L, 200_000_000L, 500_000_000L, 1_000_000_000L, 2_000_000_000L, 5_000_000_000L,
    };
    /** The same bounds as Prometheus {@code le} label values, in seconds. */
    static final String[] BOUND_LABELS = {
        "0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "5", "+Inf",
    };

    // Allocated by this; per bucket (not cumulative), the last one is +Inf.
    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_NS.length + 1);
    private final AtomicLong sumNs = new AtomicLong();

    /** Counts one duration; a negative one (a clock bug) counts as zero. */
    void record(long durationNs) {
        long d = Math.max(0, durationNs);
        int i = 0;
        while (i < BOUNDS_NS.length && d > BOUNDS_NS[i]) {
            i++;
        }
        buckets.incrementAndGet(i);
        sumNs.addAndGet(d);
    }

    /** Observations so far. */
    long count() {
        long n = 0;
        for (int i = 0; i < buckets.length(); i++) {
            n += buckets.get(i);
        }
        return n;
    }

    /** Sum of the observations, in ns. */
    long sumNs() {
        return sumNs.get();
    }

    /** Appends the {@code # HELP}, {@code # TYPE}, bucket, sum and count lines of metric {@code name}. */
    void appendMetrics(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BOUND_LABELS.length; i++) {
            cumulative += buckets.get(i);
            out.append(name).append("_bucket{le=\"").append(BOUND_LABELS[i]).append("\"} ").append(cumulative).append('\n');
        }
        // Exact decimal seconds: no exponent notation, no binary rounding.
        out.append(name).append("_sum ").append(BigDecimal.valueOf(sumNs.get(), 9).stripTrailingZeros().toPlainString()).append('\n');
        out.append(name).append("_count ").append(cumulative).append('\n');
    }
}
