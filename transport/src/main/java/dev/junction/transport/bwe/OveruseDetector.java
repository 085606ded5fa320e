package dev.junction.transport.bwe;

/**
 * The over-use detector of draft-ietf-rmcat-gcc-02 §5.4 with the adaptive threshold of §5.4 (equations
 * for {@code del_var_th}), fed with the trendline slope instead of the Kalman estimate.
 *
 * <p>The slope is scaled to a "modified trend" {@code m = min(samples, 60) * slope * 4} so that it is
 * comparable to a delay in milliseconds (and weak while few samples exist). Then:
 * <ul>
 *   <li>{@code m > threshold} for more than 10 ms and at least two samples in a row, and not falling:
 *       {@link BandwidthUsage#OVERUSING} (§5.4: "overuse_time_th");</li>
 *   <li>{@code m < -threshold}: {@link BandwidthUsage#UNDERUSING};</li>
 *   <li>otherwise {@link BandwidthUsage#NORMAL}.</li>
 * </ul>
 * The threshold follows {@code |m|}: {@code th += dt * k * (|m| - th)}, with k = 0.039 when {@code |m|}
 * is below it and 0.0087 above, dt capped at 100 ms, and is clamped to [6, 600] ms. Samples more than
 * 15 ms above the threshold do not move it, so one sudden spike does not raise the bar (§5.4).
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. No allocation.
 */
public final class OveruseDetector {

    static final double THRESHOLD_GAIN = 4.0;
    static final int MAX_SAMPLES_GAIN = 60;
    static final double INITIAL_THRESHOLD_MS = 12.5;
    static final double MIN_THRESHOLD_MS = 6;
    static final double MAX_THRESHOLD_MS = 600;
    static final double OVERUSE_TIME_MS = 10;
    private static final double K_UP = 0.0087;
    private static final double K_DOWN = 0.039;
    private static final double MAX_ADAPT_OFFSET_MS = 15;
    private static final double MAX_ADAPT_INTERVAL_MS = 100;

    private double thresholdMs = INITIAL_THRESHOLD_MS;
    private boolean hasLastUpdate;
    private long lastUpdateNs;
    private double timeOverUsingMs = -1;
    private int overuseCounter;
    private double previousSlope;
    private double modifiedTrend;
    private BandwidthUsage state = BandwidthUsage.NORMAL;

    private long overuseEvents;
    private long underuseEvents;

    /**
     * Detects on one new trendline slope.
     *
     * @param slope       {@link TrendlineFilter#slope()}
     * @param samples     {@link TrendlineFilter#samples()}
     * @param sendDeltaMs the send time difference of the two groups the sample came from
     * @param nowNs       the sample's time (the group's arrival time is fine: only differences matter)
     */
    public BandwidthUsage update(double slope, int samples, double sendDeltaMs, long nowNs) {
        if (samples < 2) {
            state = BandwidthUsage.NORMAL;
            return state;
        }
        BandwidthUsage before = state;
        modifiedTrend = Math.min(samples, MAX_SAMPLES_GAIN) * slope * THRESHOLD_GAIN;
        if (modifiedTrend > thresholdMs) {
            // Assume we have been over-using for half the time since the previous sample.
            timeOverUsingMs = timeOverUsingMs < 0 ? sendDeltaMs / 2 : timeOverUsingMs + sendDeltaMs;
            overuseCounter++;
            if (timeOverUsingMs > OVERUSE_TIME_MS && overuseCounter > 1 && slope >= previousSlope) {
                timeOverUsingMs = 0;
                overuseCounter = 0;
                state = BandwidthUsage.OVERUSING;
            }
        } else if (modifiedTrend < -thresholdMs) {
            timeOverUsingMs = -1;
            overuseCounter = 0;
            state = BandwidthUsage.UNDERUSING;
        } else {
            timeOverUsingMs = -1;
            overuseCounter = 0;
            state = BandwidthUsage.NORMAL;
        }
        if (state != before) {
            if (state == BandwidthUsage.OVERUSING) {
                overuseEvents++;
            } else if (state == BandwidthUsage.UNDERUSING) {
                underuseEvents++;
            }
        }
        previousSlope = slope;
        adaptThreshold(nowNs);
        return state;
    }

    private void adaptThreshold(long nowNs) {
        if (!hasLastUpdate) {
            hasLastUpdate = true;
            lastUpdateNs = nowNs;
        }
        double magnitude = Math.abs(modifiedTrend);
        if (magnitude > thresholdMs + MAX_ADAPT_OFFSET_MS) {
            lastUpdateNs = nowNs;
            return;
        }
        double k = magnitude < thresholdMs ? K_DOWN : K_UP;
        double dtMs = Math.min((nowNs - lastUpdateNs) / 1e6, MAX_ADAPT_INTERVAL_MS);
        thresholdMs += k * (magnitude - thresholdMs) * Math.max(dtMs, 0);
        thresholdMs = Math.clamp(thresholdMs, MIN_THRESHOLD_MS, MAX_THRESHOLD_MS);
        lastUpdateNs = nowNs;
    }

    public BandwidthUsage state() {
        return state;
    }

    public double thresholdMs() {
        return thresholdMs;
    }

    /** The last scaled trend compared against the threshold. */
    public double modifiedTrend() {
        return modifiedTrend;
    }

    /** Transitions into {@link BandwidthUsage#OVERUSING}. */
    public long overuseEvents() {
        return overuseEvents;
    }

    /** Transitions into {@link BandwidthUsage#UNDERUSING}. */
    public long underuseEvents() {
        return underuseEvents;
    }
}
