package dev.junction.transport.bwe;

/** The over-use detector's hypothesis about the bottleneck (draft-ietf-rmcat-gcc-02 §5.4). */
public enum BandwidthUsage {
    /** Queues neither grow nor drain noticeably. */
    NORMAL,
    /** Queues grow: we send faster than the bottleneck drains. */
    OVERUSING,
    /** Queues drain: an earlier queue is emptying. */
    UNDERUSING
}
