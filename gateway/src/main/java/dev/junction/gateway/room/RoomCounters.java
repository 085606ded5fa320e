package dev.junction.gateway.room;

/**
 * Per-stage packet counters of one room on one media loop, read by /metrics (STYLE: per-stage counters, as in Jitsi's
 * {@code Node}). Plain longs: written on the room's event loop only; a reader on another thread sees
 * slightly stale values, which is fine for monitoring.
 */
public final class RoomCounters {
    private final long[] drops = new long[RoomDrop.values().length];
    private final long[] layerSwitches = new long[LayerReason.values().length];
    private final long[] keyframeRequests = new long[KeyframeCause.values().length];
    /** Upper bounds (bps) of the subscribers' estimate histogram; the +Inf bucket follows. */
    public static final long[] ESTIMATE_BOUNDS_BPS = {
        100_000, 200_000, 300_000, 500_000, 750_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000, 10_000_000, 20_000_000,
    };
    private final long[] estimateBuckets = new long[ESTIMATE_BOUNDS_BPS.length + 1];
    private long estimateSumBps;
    long transportCcFeedbackIn;
    long rtpNumbered;
    long rtpUnnumbered;
    long activeDecodeTargetsUntold;
    long paddingSent;
    long keyframesInsteadOfResends;
    long rtpIn;
    long rtpForwarded;
    long bytesForwarded;
    long rtcpIn;
    long keyframeRequestsIn;
    long keyframeRequestsSent;
    long keyframeRequestsCoalesced;
    long sourceSwitches;
    long nacksIn;
    long retransmissions;
    long reportsSent;
    long nacksSentUpstream;
    long packetsRecoveredUpstream;
    long rtpPipedIn;
    long rtpRouted;
    long repairsRequested;
    long transportCcFeedbackSent;

    void drop(RoomDrop reason) {
        drops[reason.ordinal()]++;
    }

    void layerSwitch(LayerReason cause) {
        layerSwitches[cause.ordinal()]++;
    }

    /** One sample of a subscriber's bandwidth estimate (each subscriber with feedback, once a second). */
    void observeEstimate(long bps) {
        int i = 0;
        while (i < ESTIMATE_BOUNDS_BPS.length && bps > ESTIMATE_BOUNDS_BPS[i]) i++;
        estimateBuckets[i]++;
        estimateSumBps += bps;
    }

    void keyframeRequest(KeyframeCause cause) {
        keyframeRequests[cause.ordinal()]++;
    }

    /** Keyframes asked of publishers, by why (before rate limiting; issue 11). */
    public long keyframeRequests(KeyframeCause cause) {
        return keyframeRequests[cause.ordinal()];
    }

    /** Consumers' target layer changes, by what caused them (issue 11). */
    public long layerSwitches(LayerReason cause) {
        return layerSwitches[cause.ordinal()];
    }

    /** Estimate samples in bucket {@code i} of {@link #ESTIMATE_BOUNDS_BPS} (not cumulative; the last is +Inf). */
    public long estimateBucket(int i) {
        return estimateBuckets[i];
    }

    /** Sum of the estimate samples, in bps. */
    public long estimateSumBps() {
        return estimateSumBps;
    }

    /** Transport-wide congestion control feedback messages received from subscribers. */
    public long transportCcFeedbackIn() {
        return transportCcFeedbackIn;
    }

    /** RTP packets to subscribers that carry a transport-wide sequence number of ours. */
    public long rtpNumbered() {
        return rtpNumbered;
    }

    /** RTP packets to transport-cc subscribers that could not carry one (an opaque or full extension block). */
    public long rtpUnnumbered() {
        return rtpUnnumbered;
    }

    /**
     * Packets a subscriber's Consumer forwarded without the active decode targets it meant to add to their dependency
     * descriptor (the descriptor would outgrow a one-byte extension element, or the copy had no room).
     */
    public long activeDecodeTargetsUntold() {
        return activeDecodeTargetsUntold;
    }

    /** Padding-only packets sent to subscribers to probe for more bandwidth. */
    public long paddingSent() {
        return paddingSent;
    }

    /** Keyframes asked for in place of resends withheld over a subscriber's budget. */
    public long keyframesInsteadOfResends() {
        return keyframesInsteadOfResends;
    }

    /** Transport-wide congestion control feedback messages sent to publishers. */
    public long transportCcFeedbackSent() {
        return transportCcFeedbackSent;
    }

    /** RTP packets received from publishers, before any check. */
    public long rtpIn() {
        return rtpIn;
    }

    /** RTP copies handed to subscribers' transports (one per Consumer per packet). */
    public long rtpForwarded() {
        return rtpForwarded;
    }

    /** Bytes of those copies, RTP header included, SRTP tag excluded. */
    public long bytesForwarded() {
        return bytesForwarded;
    }

    /** Compound RTCP packets received from publishers and subscribers. */
    public long rtcpIn() {
        return rtcpIn;
    }

    /** PLI/FIR received from subscribers for a bound slot. */
    public long keyframeRequestsIn() {
        return keyframeRequestsIn;
    }

    /** PLI/FIR sent upstream to publishers. */
    public long keyframeRequestsSent() {
        return keyframeRequestsSent;
    }

    /** Keyframe requests folded into one already sent or pending (rate limit). */
    public long keyframeRequestsCoalesced() {
        return keyframeRequestsCoalesced;
    }

    /** Times a slot's or a Producer's source changed (slot reassignment, simulcast layer switch). */
    public long sourceSwitches() {
        return sourceSwitches;
    }

    /** Sequence numbers NACKed by subscribers (RFC 4585 §6.2.1), one per lost packet reported. */
    public long nacksIn() {
        return nacksIn;
    }

    /** Packets resent from the retransmission cache in answer to NACKs. */
    public long retransmissions() {
        return retransmissions;
    }

    /** Receiver Reports sent to publishers plus Sender Report packets sent to subscribers. */
    public long reportsSent() {
        return reportsSent;
    }

    /** Sequence numbers NACKed to publishers (one per lost packet reported, each retry counted again). */
    public long nacksSentUpstream() {
        return nacksSentUpstream;
    }

    /**
     * Packets missing from a publisher's stream that arrived after being NACKed: as RTX (rebuilt and
     * forwarded) or as the original, late.
     */
    public long packetsRecoveredUpstream() {
        return packetsRecoveredUpstream;
    }

    /** RTP packets this loop's room received from a pipe (the publisher's packets, handled on another loop). */
    public long rtpPipedIn() {
        return rtpPipedIn;
    }

    /**
     * Packets a Producer on this loop handed to at least one Consumer or pipe. Every RTP packet in (from a
     * publisher, or from a pipe) is routed or dropped under a reason: {@code rtpIn + rtpPipedIn = rtpRouted +}
     * the packet drops ({@link RoomDrop#isPacketDrop()}).
     */
    public long rtpRouted() {
        return rtpRouted;
    }

    /** NACKed packets this loop's cache lacked and asked of the publisher's loop through the pipe. */
    public long repairsRequested() {
        return repairsRequested;
    }

    /** Packets dropped for {@code reason}. */
    public long dropped(RoomDrop reason) {
        return drops[reason.ordinal()];
    }
}
