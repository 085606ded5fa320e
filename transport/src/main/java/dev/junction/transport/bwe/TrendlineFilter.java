package dev.junction.transport.bwe;

/**
 * The delay trend: the slope of a least-squares line through the last {@code windowSize} points of
 * (group arrival time, smoothed accumulated delay variation). It replaces the Kalman filter of
 * draft-ietf-rmcat-gcc-02 §5.3, as libwebrtc's send-side estimator does: the accumulated variation is
 * the queueing delay built up since the start (plus a constant), and its slope is roughly
 * {@code (send rate - capacity) / capacity}: positive while a queue grows, negative while it drains.
 *
 * <p>The accumulated delay is smoothed exponentially ({@code smoothed = a * smoothed + (1 - a) * accumulated},
 * a = 0.9) before the fit. Until the window is full the slope stays at its previous value (zero at first).
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. A preallocated ring; no allocation.
 */
public final class TrendlineFilter {

    static final int DEFAULT_WINDOW = 20;
    static final double DEFAULT_SMOOTHING = 0.9;

    private final double smoothing;
    private final double[] timeMs;
    private final double[] delayMs;

    private int size;
    private int next;
    private boolean hasFirst;
    private long firstArrivalNs;
    private double accumulatedMs;
    private double smoothedMs;
    private double slope;
    private int samples;

    public TrendlineFilter() {
        this(DEFAULT_WINDOW, DEFAULT_SMOOTHING);
    }

    public TrendlineFilter(int windowSize, double smoothing) {
        if (windowSize < 2) {
            throw new IllegalArgumentException("window must hold at least 2 points: " + windowSize);
        }
        this.smoothing = smoothing;
        this.timeMs = new double[windowSize];
        this.delayMs = new double[windowSize];
    }

    /**
     * Adds one inter-group delay variation.
     *
     * @param delayVariationMs {@code d(i)}, arrival delta minus send delta, in milliseconds
     * @param arrivalNs        the later group's arrival time (receiver clock)
     * @return the current slope (ms of delay per ms of time)
     */
    public double update(double delayVariationMs, long arrivalNs) {
        if (!hasFirst) {
            hasFirst = true;
            firstArrivalNs = arrivalNs;
        }
        samples++;
        accumulatedMs += delayVariationMs;
        smoothedMs = smoothing * smoothedMs + (1 - smoothing) * accumulatedMs;
        timeMs[next] = (arrivalNs - firstArrivalNs) / 1e6;
        delayMs[next] = smoothedMs;
        next = (next + 1) % timeMs.length;
        if (size < timeMs.length) {
            size++;
        }
        if (size == timeMs.length) {
            slope = fitSlope();
        }
        return slope;
    }

    private double fitSlope() {
        double sumX = 0;
        double sumY = 0;
        for (int i = 0; i < size; i++) {
            sumX += timeMs[i];
            sumY += delayMs[i];
        }
        double meanX = sumX / size;
        double meanY = sumY / size;
        double numerator = 0;
        double denominator = 0;
        for (int i = 0; i < size; i++) {
            double dx = timeMs[i] - meanX;
            numerator += dx * (delayMs[i] - meanY);
            denominator += dx * dx;
        }
        return denominator == 0 ? slope : numerator / denominator;
    }

    public double slope() {
        return slope;
    }

    /** Delay variations added so far. */
    public int samples() {
        return samples;
    }

    /** The smoothed accumulated delay variation, in milliseconds. */
    public double smoothedDelayMs() {
        return smoothedMs;
    }
}
