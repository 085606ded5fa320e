package dev.junction.transport.bwe;

/**
 * Application-limited region (ALR) detection: whether the application sends clearly less than the
 * estimate allows, so that feedback cannot tell whether the estimate is still right (the network is not
 * being tested at that rate). A byte budget fills at 65% of the target and drains with media sent; it may
 * hold at most 500 ms of fill. ALR starts when the budget is more than 80% full and ends when it is below
 * 50%. The same shape as libwebrtc's ALR detector; draft-ietf-rmcat-gcc-02 §5.5 notes the estimate must
 * not grow while the sender is application limited.
 *
 * <p>Padding and probe packets are not media: they do not count, or a probe would end ALR.
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. No allocation.
 */
public final class AlrDetector {

    static final double USAGE_RATIO = 0.65;
    private static final double START_RATIO = 0.8;
    private static final double STOP_RATIO = 0.5;
    private static final long WINDOW_NS = 500_000_000;

    /** From the target: the budget's fill per nanosecond and its bound (called for every packet sent, so no division there). */
    private double fillBytesPerNs;
    private double maxBytes;
    private double budgetBytes;
    private boolean hasLast;
    private long lastNs;
    private boolean inAlr;
    private boolean hasAlrStart;
    private long alrStartNs;

    public AlrDetector(long targetBps) {
        setTargetBitrate(targetBps);
    }

    public void setTargetBitrate(long bps) {
        fillBytesPerNs = bps * USAGE_RATIO / 8e9;
        maxBytes = fillBytesPerNs * WINDOW_NS;
    }

    /** Media bytes sent now (0 for a tick with nothing sent). */
    public void onMediaSent(long nowNs, int bytes) {
        long elapsed = hasLast ? Math.max(0, Math.min(nowNs - lastNs, WINDOW_NS)) : 0;
        hasLast = true;
        lastNs = nowNs;
        budgetBytes = Math.clamp(budgetBytes + fillBytesPerNs * elapsed - bytes, -maxBytes, maxBytes);
        if (!inAlr && maxBytes > 0 && budgetBytes > START_RATIO * maxBytes) {
            inAlr = true;
            hasAlrStart = true;
            alrStartNs = nowNs;
        } else if (inAlr && (maxBytes <= 0 || budgetBytes < STOP_RATIO * maxBytes)) {
            inAlr = false;
        }
    }

    public boolean inAlr() {
        return inAlr;
    }

    /** When the current (or last) ALR period began; meaningful when {@link #everInAlr()}. */
    public long alrStartNs() {
        return alrStartNs;
    }

    public boolean everInAlr() {
        return hasAlrStart;
    }
}
