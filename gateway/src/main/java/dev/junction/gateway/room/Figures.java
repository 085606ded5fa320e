package dev.junction.gateway.room;

import java.util.List;

/**
 * What the dashboard shows of one session in a room (issue 13): a snapshot taken on the room's loop
 * ({@link Publisher#figures}, {@link Subscriber#figures}), immutable, so any thread may read it afterwards.
 * Never taken per packet: on demand, when an operator opens a room.
 */
public final class Figures {

    private Figures() {
    }

    /**
     * One simulcast layer of a published track.
     *
     * @param rid        its rid, or empty without simulcast
     * @param ssrc       its SSRC, -1 before its first packet
     * @param active     whether a packet came within {@link Producer#LAYER_ACTIVE_NS}
     * @param bitrateBps bits per second over the last full second, 0 when stopped
     */
    public record Layer(int index, String rid, long ssrc, boolean active, long bitrateBps) {
    }

    /** One published track (a Producer) and its layers, lowest first. */
    public record Track(int producerId, String mid, String kind, long packetsIn, int consumers, List<Layer> layers) {
    }

    /**
     * A WHIP session's publisher.
     *
     * @param lossPercent the highest fraction lost of its streams in the last Receiver Report interval, -1 before one
     */
    public record Publisher(double lossPercent, List<Track> tracks) {
    }

    /**
     * One slot of a WHEP session: which track fills it, on which layer, and why that layer.
     *
     * @param producerId  the Producer filling it, -1 when empty
     * @param layer       the layer it receives now, -1 before its first packet
     * @param targetLayer the layer it is switching to (its layer when it is not switching)
     * @param reason      why the target layer was chosen
     * @param budgetBps   its share of the subscriber's estimate, -1 without one
     * @param reasonLabel the reason's {@link LayerReason#label()}, "none" when empty
     * @param layers      its track's layers as this loop sees them, lowest first; empty when the slot is empty
     * @param preference  what the viewer asked for it (the WHEP layer endpoint)
     */
    public record Slot(String mid, String kind, int producerId, int layer, int targetLayer, String reason, long budgetBps, long packetsSent,
            long retransmissions, long packetsDropped, String reasonLabel, List<Layer> layers, ViewerPreference preference,
            int temporalLayer, int targetTemporalLayer, String temporalReason) {
    }

    /**
     * A WHEP session's subscriber.
     *
     * @param lossPercent the fraction lost its last Receiver Report gave, -1 before one
     * @param rttMs       the round-trip time from its last Receiver Report's LSR/DLSR, -1 when unknown
     * @param estimateBps what its bandwidth estimate allows out to it, -1 without transport-cc feedback yet
     * @param deliveredBps what its feedback says arrived (the acknowledged bitrate), -1 without one
     */
    public record Subscriber(double lossPercent, double rttMs, long estimateBps, long deliveredBps, List<Slot> slots) {
    }
}
