package dev.junction.transport.bwe;

/**
 * What the link carried when it was last over-used: an exponentially smoothed average of the acknowledged
 * throughput at each over-use, with a normalised variance. draft-ietf-rmcat-gcc-02 §5.5 keeps "the average
 * and standard deviation of the incoming bitrate" at decreases to tell whether the rate is near the
 * capacity (additive increase) or far from it (multiplicative increase); this is that average.
 *
 * <p>The estimate is forgotten when the throughput leaves {@code estimate ± 3 σ}: the link changed.
 *
 * <p>Threading: not thread-safe; owned by {@link AimdRateControl}.
 */
public final class LinkCapacityEstimator {

    private static final double ALPHA = 0.05;
    private static final double MIN_VARIANCE = 0.4;
    private static final double MAX_VARIANCE = 2.5;

    private boolean hasEstimate;
    private double estimateKbps;
    private double varianceKbps = MIN_VARIANCE;

    /** Adds the throughput measured at an over-use. */
    public void onOveruse(long throughputBps) {
        double sampleKbps = throughputBps / 1000.0;
        if (!hasEstimate) {
            hasEstimate = true;
            estimateKbps = sampleKbps;
        } else {
            estimateKbps = (1 - ALPHA) * estimateKbps + ALPHA * sampleKbps;
        }
        // The variance is normalised by the estimate so that one σ scales with the rate.
        double norm = Math.max(estimateKbps, 1.0);
        double error = estimateKbps - sampleKbps;
        varianceKbps = (1 - ALPHA) * varianceKbps + ALPHA * error * error / norm;
        varianceKbps = Math.clamp(varianceKbps, MIN_VARIANCE, MAX_VARIANCE);
    }

    public void reset() {
        hasEstimate = false;
    }

    public boolean hasEstimate() {
        return hasEstimate;
    }

    public long estimateBps() {
        return (long) (estimateKbps * 1000);
    }

    private double deviationKbps() {
        return Math.sqrt(varianceKbps * estimateKbps);
    }

    /** Estimate plus three standard deviations; {@link Long#MAX_VALUE} without an estimate. */
    public long upperBoundBps() {
        return hasEstimate ? (long) ((estimateKbps + 3 * deviationKbps()) * 1000) : Long.MAX_VALUE;
    }

    /** Estimate minus three standard deviations; 0 without an estimate. */
    public long lowerBoundBps() {
        return hasEstimate ? Math.max(0, (long) ((estimateKbps - 3 * deviationKbps()) * 1000)) : 0;
    }
}
