package dev.junction.gateway.room;

import dev.junction.codec.rtp.DependencyStream;
import dev.junction.codec.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.List;

/**
 * One simulcast layer of a {@link Producer} as one media loop forwards it: its SSRC, whether it is active, the
 * publisher's last Sender Report mapping (for the subscribers' Sender Reports), the retransmission cache of its
 * packets (video), and the Consumers currently receiving it.
 *
 * <p>Threading: the room's loop only. Buffers: the cache owns its copies (released by {@link #close}).
 */
final class ProducerLayer {
    static final long UNKNOWN_SSRC = -1;

    final int index;
    /** Video only, null for audio. */
    final RetransmissionCache cache;
    /** Consumers receiving this layer now. */
    final List<Consumer> consumers = new ArrayList<>();

    long ssrc = UNKNOWN_SSRC;
    /** Bumped whenever the SSRC changes (an encoder restart): Consumers on the layer renumber. */
    int generation;
    long lastPacketNs;
    boolean seen;
    /** Consumers whose target is this layer but that have not switched to it yet. */
    int pendingSwitches;
    /** When a keyframe was last asked for Consumers waiting to switch to this layer. */
    long switchKeyframeAskedNs = Long.MIN_VALUE / 2;
    /** A reselect ran while this layer was stale and watched; cleared when it sends again. */
    boolean staleHandled;
    long senderReportRtp;
    long senderReportNs;
    boolean senderReportSeen;
    /** Bytes and start of the current bitrate window; the bitrate of the last full one (0 before one). */
    private long windowStartNs;
    private long windowBytes;
    private long bitrateBps;
    /** The same per temporal layer id (VP8's TID, or the dependency descriptor's; a packet without one counts as layer 0). */
    private final long[] windowBytesByTemporal = new long[Consumer.MAX_TEMPORAL_LAYER + 1];
    private final long[] bitrateByTemporal = new long[Consumer.MAX_TEMPORAL_LAYER + 1];
    /** Highest temporal layer id seen in the last full window and the current one, -1 for none. */
    private int temporalLayersSeen = -1;
    private int temporalLayersInWindow = -1;

    /** Its dependency descriptors' structure and active decode targets; made at its first descriptor, null before. */
    private DependencyStream dependencies;

    ProducerLayer(int index, RetransmissionCache cache) {
        this.index = index;
        this.cache = cache;
    }

    /** Whether a packet arrived within {@link Producer#LAYER_ACTIVE_NS}. */
    boolean active(long nowNs) {
        return seen && nowNs - lastPacketNs <= Producer.LAYER_ACTIVE_NS;
    }

    /** Notes a packet's arrival ({@code temporalLayer}: its VP8 TID or dependency descriptor temporal id, -1 for none); a new SSRC starts a new generation. */
    void onPacket(RtpPacket rtp, int temporalLayer, long nowNs) {
        learnSsrc(rtp.ssrc());
        long elapsed = nowNs - windowStartNs;
        if (!seen || elapsed >= 2 * BITRATE_WINDOW_NS) {
            // The first packet, or after a pause: the rate is unknown until a whole window has passed.
            bitrateBps = 0;
            windowStartNs = nowNs;
            windowBytes = 0;
            java.util.Arrays.fill(bitrateByTemporal, 0);
            java.util.Arrays.fill(windowBytesByTemporal, 0);
            temporalLayersSeen = -1;
            temporalLayersInWindow = -1;
        } else if (elapsed >= BITRATE_WINDOW_NS) {
            bitrateBps = windowBytes * 8_000_000_000L / elapsed;
            for (int t = 0; t < bitrateByTemporal.length; t++) {
                bitrateByTemporal[t] = windowBytesByTemporal[t] * 8_000_000_000L / elapsed;
                windowBytesByTemporal[t] = 0;
            }
            temporalLayersSeen = temporalLayersInWindow;
            temporalLayersInWindow = -1;
            windowStartNs = nowNs;
            windowBytes = 0;
        }
        windowBytes += rtp.length();
        windowBytesByTemporal[Math.clamp(temporalLayer, 0, Consumer.MAX_TEMPORAL_LAYER)] += rtp.length();
        if (temporalLayer > temporalLayersInWindow) temporalLayersInWindow = Math.min(temporalLayer, Consumer.MAX_TEMPORAL_LAYER);
        lastPacketNs = nowNs;
        seen = true;
        staleHandled = false;
    }

    /** What a layer's bitrate is measured over (RTP bytes, headers included: what a Consumer sends of it). */
    static final long BITRATE_WINDOW_NS = 1_000_000_000L;

    /**
     * Bits per second of this layer over its last full {@link #BITRATE_WINDOW_NS} window, 0 while unknown (no whole
     * window yet, or the layer stopped: no packet for two windows).
     */
    long bitrateBps(long nowNs) {
        return seen && nowNs - windowStartNs < 2 * BITRATE_WINDOW_NS ? bitrateBps : 0;
    }

    /**
     * Bits per second of its temporal layers 0 to {@code maxTemporal} over the last full window, 0 while unknown; the
     * whole layer's for a stream without temporal layers.
     */
    long bitrateBps(int maxTemporal, long nowNs) {
        if (!seen || nowNs - windowStartNs >= 2 * BITRATE_WINDOW_NS) return 0;
        long sum = 0;
        for (int t = 0; t <= Math.min(maxTemporal, bitrateByTemporal.length - 1); t++) sum += bitrateByTemporal[t];
        return sum;
    }

    /** The highest temporal layer id it carried in its last full window, -1 for none (no temporal layers). */
    int highestTemporalLayer(long nowNs) {
        return !seen || nowNs - windowStartNs >= 2 * BITRATE_WINDOW_NS ? -1 : temporalLayersSeen;
    }

    void learnSsrc(long newSsrc) {
        if (newSsrc != ssrc) {
            ssrc = newSsrc;
            generation++;
            // A restarted encoder sends a new structure with its first keyframe; the old one names nothing of it.
            if (dependencies != null) dependencies.clear();
        }
    }

    /** The state its dependency descriptors are read with (made once, at the first). */
    DependencyStream dependencies() {
        if (dependencies == null) dependencies = new DependencyStream();
        return dependencies;
    }

    void onSenderReport(long rtpTimestamp, long nowNs) {
        senderReportRtp = rtpTimestamp;
        senderReportNs = nowNs;
        senderReportSeen = true;
    }

    void close() {
        if (cache != null) cache.clear();
        consumers.clear();
        pendingSwitches = 0;
    }
}
