package dev.junction.transport.metrics;

import java.math.BigDecimal;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A Prometheus histogram of durations with fixed bucket bounds (by default from 1 ms to 5 s), written as
 * {@code <name>_bucket{le="…"}} (cumulative, ending with {@code le="+Inf"}), {@code <name>_sum} in seconds and
 * {@code <name>_count}. An observation falls into every bucket whose bound is greater than or equal to it, as
 * Prometheus defines {@code le}: exactly 1 ms counts in {@code le="0.001"}.
 *
 * <p>Threading: lock-free; {@link #record} may be called from any thread (the media loops), {@link #appendMetrics}
 * from any other (the HTTP loop). Each scrape derives {@code _count} from the same bucket reads it prints, so
 * {@code le="+Inf"} always equals {@code _count}; {@code _sum} may lag one concurrent observation behind.
 */
public final class DurationHistogram {

    /** Session setup: 1 ms to 5 s. Upper bounds in ns, ascending; the {@code +Inf} bucket follows them. */
    public static final long[] SETUP_BOUNDS_NS = {
        1_000_000L, 2_000_000L, 5_000_000L, 10_000_000L, 20_000_000L, 50_000_000L,
        100_000_000L, 200_000_000L, 500_000_000L, 1_000_000_000L, 2_000_000_000L, 5_000_000_000L,
    };
    /** Per-packet latencies: 10 µs to 100 ms. */
    public static final long[] LATENCY_BOUNDS_NS = {
        10_000L, 20_000L, 50_000L, 100_000L, 200_000L, 500_000L, 1_000_000L, 2_000_000L, 5_000_000L,
        10_000_000L, 20_000_000L, 50_000_000L, 100_000_000L,
    };

    private final long[] boundsNs;
    /** The bounds as Prometheus {@code le} label values, in seconds, then {@code +Inf}. */
    private final String[] boundLabels;
    // Allocated by this; per bucket (not cumulative), the last one is +Inf.
    private final AtomicLongArray buckets;
    private final AtomicLong sumNs = new AtomicLong();

    /** With {@link #SETUP_BOUNDS_NS}. */
    public DurationHistogram() {
        this(SETUP_BOUNDS_NS);
    }

    /** With {@code boundsNs}: positive, ascending upper bounds in ns. */
    public DurationHistogram(long[] boundsNs) {
        for (int i = 0; i < boundsNs.length; i++) {
            if (boundsNs[i] <= 0 || (i > 0 && boundsNs[i] <= boundsNs[i - 1])) {
                throw new IllegalArgumentException("bounds must be positive and ascending");
            }
        }
        this.boundsNs = boundsNs.clone();
        this.boundLabels = new String[boundsNs.length + 1];
        for (int i = 0; i < boundsNs.length; i++) {
            boundLabels[i] = BigDecimal.valueOf(boundsNs[i], 9).stripTrailingZeros().toPlainString();
        }
        boundLabels[boundsNs.length] = "+Inf";
        this.buckets = new AtomicLongArray(boundsNs.length + 1);
    }

    /** Counts one duration; a negative one (a clock bug) counts as zero. */
    public void record(long durationNs) {
        long d = Math.max(0, durationNs);
        int i = 0;
        while (i < boundsNs.length && d > boundsNs[i]) {
            i++;
        }
        buckets.incrementAndGet(i);
        sumNs.addAndGet(d);
    }

    /** Observations so far. */
    public long count() {
        long n = 0;
        for (int i = 0; i < buckets.length(); i++) {
            n += buckets.get(i);
        }
        return n;
    }

    /** Observations longer than {@code boundNs}, which must be one of the bounds (for slow-burst reports). */
    public long countAbove(long boundNs) {
        int at = java.util.Arrays.binarySearch(boundsNs, boundNs);
        if (at < 0) throw new IllegalArgumentException("not a bound of this histogram: " + boundNs);
        long n = 0;
        for (int i = at + 1; i < buckets.length(); i++) n += buckets.get(i);
        return n;
    }

    /** Sum of the observations, in ns. */
    public long sumNs() {
        return sumNs.get();
    }

    /** Appends the {@code # HELP}, {@code # TYPE}, bucket, sum and count lines of metric {@code name}. */
    public void appendMetrics(StringBuilder out, String name, String help) {
        appendHeader(out, name, help);
        appendSeries(out, name, "");
    }

    /** The {@code # HELP} and {@code # TYPE} lines, once per metric before its series. */
    public static void appendHeader(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
    }

    /**
     * The bucket, sum and count lines of one series of metric {@code name}; {@code labels} is empty or
     * {@code key="value"} pairs put before {@code le} (e.g. {@code loop="0"}).
     */
    public void appendSeries(StringBuilder out, String name, String labels) {
        String prefix = labels.isEmpty() ? "" : labels + ",";
        long cumulative = 0;
        for (int i = 0; i < boundLabels.length; i++) {
            cumulative += buckets.get(i);
            out.append(name).append("_bucket{").append(prefix).append("le=\"").append(boundLabels[i]).append("\"} ").append(cumulative).append('\n');
        }
        String braces = labels.isEmpty() ? "" : "{" + labels + "}";
        // Exact decimal seconds: no exponent notation, no binary rounding.
        out.append(name).append("_sum").append(braces).append(' ').append(BigDecimal.valueOf(sumNs.get(), 9).stripTrailingZeros().toPlainString()).append('\n');
        out.append(name).append("_count").append(braces).append(' ').append(cumulative).append('\n');
    }
}
