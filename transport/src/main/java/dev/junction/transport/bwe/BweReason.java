package dev.junction.transport.bwe;

/** Why {@link BandwidthEstimator}'s target bitrate last changed; shown in stats so operators can see why. */
public enum BweReason {
    /** The configured start bitrate: no feedback has changed it yet. */
    STARTUP,
    /** A probe cluster measured more capacity than the estimate. */
    PROBE,
    /** The delay-based controller increased (no over-use). */
    DELAY_INCREASE,
    /** The delay-based controller backed off after an over-use. */
    DELAY_DECREASE,
    /** A queue stood above 100 ms without growing ({@link StandingQueueDetector}): the rate was cut to drain it. */
    QUEUE_DRAIN,
    /** The loss-based controller backed off: more than 10% loss. */
    LOSS_DECREASE,
    /** The loss-based controller's limit rose again after a loss back-off (less than 2% loss). */
    LOSS_INCREASE
}
