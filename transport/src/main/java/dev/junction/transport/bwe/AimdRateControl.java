package dev.junction.transport.bwe;

/**
 * The delay-based rate controller of draft-ietf-rmcat-gcc-02 §5.5: a three-state machine (Hold, Increase,
 * Decrease) driven by the over-use detector's signal, additive increase near the link's capacity,
 * multiplicative far from it, and multiplicative decrease to {@code beta} (0.85) of the acknowledged
 * receive rate.
 *
 * <pre>
 *  signal \ state |  Hold      Increase   Decrease
 *  ---------------+--------------------------------
 *  over-use       |  Decrease  Decrease   (Decrease)
 *  normal         |  Increase  (Increase) Hold
 *  under-use      |  (Hold)    Hold       Hold
 * </pre>
 *
 * <ul>
 *   <li>Increase, far from convergence (no {@link LinkCapacityEstimator} estimate): {@code A *= 1.08^dt},
 *       dt in seconds capped at 1 (§5.5, eta = 1.08).</li>
 *   <li>Increase, near it: about one packet per response time, {@code response = rtt + 100 ms}, at
 *       least 4 kbit/s per second (§5.5 "additive increase").</li>
 *   <li>Never above {@code 1.5 * acknowledged + 10 kbit/s}: an estimate far above what is actually sent
 *       has not been tested by the network (§5.5: "A_hat(i) < 1.5 * R_hat(i)").</li>
 *   <li>Decrease: {@code A = beta * acknowledged}, then Hold until the queues have drained; at most once
 *       per RTT (10..200 ms) unless the acknowledged rate fell below half the estimate.</li>
 * </ul>
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. Time in, no clock. No allocation.
 */
public final class AimdRateControl {

    /** What the last {@link #update} did to the estimate. */
    public enum Change { NONE, INCREASED, DECREASED }

    enum State { HOLD, INCREASE, DECREASE }

    static final double DEFAULT_BETA = 0.85;
    private static final double ETA = 1.08;
    private static final long MIN_ADDITIVE_BPS_PER_S = 4_000;
    private static final long RESPONSE_OVERHEAD_MS = 100;
    private static final long DEFAULT_RTT_MS = 200;

    // Passed by argument.
    private final long minBps;
    private final long maxBps;
    private final double beta;

    // Allocated by this.
    private final LinkCapacityEstimator linkCapacity = new LinkCapacityEstimator();

    private long estimateBps;
    private State state = State.HOLD;
    private boolean hasLastChange;
    private long lastChangeNs;
    private long lastDecreaseNs;
    private boolean hasDecreased;
    private long rttMs = DEFAULT_RTT_MS;
    private Change lastChange = Change.NONE;

    public AimdRateControl(long startBps, long minBps, long maxBps, double beta) {
        if (minBps <= 0 || maxBps < minBps || beta <= 0 || beta >= 1) {
            throw new IllegalArgumentException("need 0 < min <= max and 0 < beta < 1");
        }
        this.minBps = minBps;
        this.maxBps = maxBps;
        this.beta = beta;
        this.estimateBps = Math.clamp(startBps, minBps, maxBps);
    }

    public void setRttMs(long rttMs) {
        this.rttMs = Math.max(1, rttMs);
    }

    /**
     * Applies one detector signal.
     *
     * @param ackedBps the acknowledged bitrate, or a value ≤ 0 when not yet known
     * @return the estimate after the update
     */
    public long update(long nowNs, BandwidthUsage usage, long ackedBps) {
        lastChange = Change.NONE;
        if (usage == BandwidthUsage.OVERUSING && !timeToReduceFurther(nowNs, ackedBps)) {
            return estimateBps;
        }
        switch (usage) {
            case NORMAL -> {
                if (state == State.HOLD) {
                    state = State.INCREASE;
                    markChange(nowNs);
                }
            }
            case OVERUSING -> state = State.DECREASE;
            case UNDERUSING -> state = State.HOLD;
        }
        switch (state) {
            case HOLD -> {
            }
            case INCREASE -> increase(nowNs, ackedBps);
            case DECREASE -> decrease(nowNs, ackedBps);
        }
        return estimateBps;
    }

    private void increase(long nowNs, long ackedBps) {
        long throughput = ackedBps > 0 ? ackedBps : estimateBps;
        if (throughput > linkCapacity.upperBoundBps()) {
            linkCapacity.reset();
        }
        long limit = (long) (1.5 * throughput) + 10_000;
        if (estimateBps < limit) {
            double dtS = hasLastChange ? Math.max(0, (nowNs - lastChangeNs) / 1e9) : 0;
            long increased;
            if (linkCapacity.hasEstimate()) {
                increased = estimateBps + (long) (nearMaxIncreaseBpsPerS() * dtS);
            } else {
                double alpha = Math.pow(ETA, Math.min(dtS, 1.0));
                increased = estimateBps + Math.max((long) (estimateBps * (alpha - 1)), dtS > 0 ? 1_000 : 0);
            }
            long next = clamp(Math.min(increased, limit));
            if (next > estimateBps) {
                lastChange = Change.INCREASED;
            }
            estimateBps = Math.max(estimateBps, next);
        }
        markChange(nowNs);
    }

    private void decrease(long nowNs, long ackedBps) {
        long throughput = ackedBps > 0 ? ackedBps : estimateBps;
        long decreased = (long) (beta * throughput);
        if (decreased > estimateBps && linkCapacity.hasEstimate()) {
            decreased = (long) (beta * linkCapacity.estimateBps());
        }
        if (decreased < estimateBps) {
            estimateBps = clamp(decreased);
            lastChange = Change.DECREASED;
        }
        if (throughput < linkCapacity.lowerBoundBps()) {
            linkCapacity.reset();
        }
        linkCapacity.onOveruse(throughput);
        state = State.HOLD;
        markChange(nowNs);
        lastDecreaseNs = nowNs;
        hasDecreased = true;
    }

    /**
     * Whether an over-use may cut the estimate again: once per RTT (clamped to 10..200 ms) since the last
     * change, or at once when the acknowledged rate is below half the estimate.
     */
    public boolean timeToReduceFurther(long nowNs, long ackedBps) {
        if (!hasLastChange) {
            return true;
        }
        long intervalNs = Math.clamp(rttMs, 10, 200) * 1_000_000L;
        if (nowNs - lastChangeNs >= intervalNs) {
            return true;
        }
        return ackedBps > 0 && ackedBps < estimateBps / 2;
    }

    /** Sets the estimate from outside, e.g. a probe result (draft-ietf-rmcat-gcc-02 leaves probing to the sender). */
    public void setEstimate(long nowNs, long bps) {
        estimateBps = clamp(bps);
        markChange(nowNs);
    }

    /** Additive increase rate near convergence: one average packet of a 30 fps stream per response time. */
    long nearMaxIncreaseBpsPerS() {
        double frameBits = estimateBps / 30.0;
        double packetsPerFrame = Math.ceil(frameBits / (1200 * 8));
        double packetBits = frameBits / Math.max(1, packetsPerFrame);
        double responseS = (rttMs + RESPONSE_OVERHEAD_MS) / 1000.0;
        return Math.max(MIN_ADDITIVE_BPS_PER_S, (long) (packetBits / responseS));
    }

    private void markChange(long nowNs) {
        hasLastChange = true;
        lastChangeNs = nowNs;
    }

    private long clamp(long bps) {
        return Math.clamp(bps, minBps, maxBps);
    }

    public long estimateBps() {
        return estimateBps;
    }

    public Change lastChange() {
        return lastChange;
    }

    State state() {
        return state;
    }

    public boolean nearConvergence() {
        return linkCapacity.hasEstimate();
    }

    /** Whether the estimate was ever decreased, and when ({@link #lastDecreaseNs()}). */
    public boolean hasDecreased() {
        return hasDecreased;
    }

    public long lastDecreaseNs() {
        return lastDecreaseNs;
    }
}
