package dev.junction.gateway.room;

/** Why the room dropped a packet; one counter each in {@link RoomCounters}, a label on /metrics. */
public enum RoomDrop {
    /** An RTP packet from a publisher that does not parse (RFC 3550 §5.1 checks in {@code RtpPacket.wrap}). */
    MALFORMED_RTP,
    /** A compound RTCP packet with a malformed part; the parts before it were still handled. */
    MALFORMED_RTCP,
    /** An RTP packet whose SSRC, MID and RID match no Producer of its publisher. */
    UNKNOWN_SSRC,
    /**
     * An RTX packet from a publisher that answers no missing sequence number: a duplicate answer, one for
     * a number already forgotten (too old), the publisher's padding-only bandwidth probes, or RTX whose
     * layer or payload type is unknown.
     */
    PUBLISHER_RTX,
    /** A packet of a simulcast layer none of this loop's Consumers of the Producer receives (they chose others). */
    LAYER_NOT_SELECTED,
    /** A publisher's packet while its Producer has no Consumer on this loop and no pipe to another. */
    NO_CONSUMER,
    /** An RTP packet from a subscriber's transport (a WHEP session only receives media). */
    SUBSCRIBER_RTP,
    /** A piped packet of a Producer this loop's room no longer (or not yet) has: its publisher left. */
    PIPED_PRODUCER_GONE,
    /** A packet whose payload type the subscriber's slot did not negotiate (per Consumer). */
    CODEC_NOT_NEGOTIATED,
    /** The subscriber's transport refused the packet (not connected yet, or closed). */
    SEND_REFUSED,
    /** A NACKed sequence number no longer (or never) in the Producer's retransmission cache. */
    NACK_UNANSWERED,
    /**
     * A NACKed sequence number already resent to this subscriber within its round-trip time: the first resend
     * cannot have arrived yet, and resending again only adds to the congestion that lost it (issue 11).
     */
    NACK_WITHIN_RTT,
    /**
     * A NACKed sequence number not resent because the subscriber's send rate over the last half second already
     * exceeds its bandwidth estimate: resends come out of the estimate, and under congestion a keyframe is asked
     * for instead (issue 11).
     */
    NACK_OVER_BUDGET,
    /** A subscriber's transport-cc feedback that does not parse, or arrives while no estimator runs for it. */
    TRANSPORT_CC_FEEDBACK,
    /** A PLI/FIR from a subscriber for an SSRC that is not one of its bound slots. */
    FEEDBACK_UNKNOWN_SSRC,
    /**
     * A late (reordered) packet of the source a subscriber switched to, from before the packet it switched at:
     * numbered after the switch it would take a sequence number the old source already used (per Consumer).
     */
    BEFORE_SWITCH,
    /**
     * A packet of a layer whose encoder restarted (a new SSRC) before the new stream's first keyframe: a subscriber
     * already forwarding the layer waits for it, as at a layer switch, and the keyframe is asked for (per Consumer).
     */
    AWAITING_KEYFRAME,
    /**
     * A video packet whose dependency descriptor (AV1 RTP specification, appendix A) does not parse: cut short,
     * malformed, or naming a template its stream's structure lacks. A receiver drops it too (libwebrtc does).
     */
    MALFORMED_DEPENDENCY_DESCRIPTOR,
    /**
     * A video packet of a temporal layer above the one a subscriber receives (VP8's TID, or the dependency
     * descriptor's decode targets), for its preference or too little bandwidth for all of its spatial layer's frames;
     * its numbers are cut out of the subscriber's stream (per Consumer).
     */
    TEMPORAL_LAYER,
    /**
     * A late (reordered or recovered) packet older than the temporal-layer drops a subscriber's Consumer remembers:
     * its sequence number or picture id can no longer be placed (per Consumer).
     */
    UNPLACEABLE_LATE;

    /**
     * Whether this reason drops a whole incoming RTP packet of a publisher (rather than one subscriber's copy, an
     * RTCP packet, a subscriber's own RTP or a NACKed number): these and the routed packets add up to the packets in.
     */
    public boolean isPacketDrop() {
        return switch (this) {
            case MALFORMED_RTP, MALFORMED_DEPENDENCY_DESCRIPTOR, UNKNOWN_SSRC, PUBLISHER_RTX, LAYER_NOT_SELECTED, NO_CONSUMER, PIPED_PRODUCER_GONE -> true;
            default -> false;
        };
    }
}
