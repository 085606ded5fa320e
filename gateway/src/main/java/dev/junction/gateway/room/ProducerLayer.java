package dev.junction.gateway.room;

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

    ProducerLayer(int index, RetransmissionCache cache) {
        this.index = index;
        this.cache = cache;
    }

    /** Whether a packet arrived within {@link Producer#LAYER_ACTIVE_NS}. */
    boolean active(long nowNs) {
        return seen && nowNs - lastPacketNs <= Producer.LAYER_ACTIVE_NS;
    }

    /** Notes a packet's arrival; a new SSRC starts a new generation. */
    void onPacket(RtpPacket rtp, long nowNs) {
        learnSsrc(rtp.ssrc());
        long elapsed = nowNs - windowStartNs;
        if (!seen || elapsed >= 2 * BITRATE_WINDOW_NS) {
            // The first packet, or after a pause: the rate is unknown until a whole window has passed.
            bitrateBps = 0;
            windowStartNs = nowNs;
            windowBytes = 0;
        } else if (elapsed >= BITRATE_WINDOW_NS) {
            bitrateBps = windowBytes * 8_000_000_000L / elapsed;
            windowStartNs = nowNs;
            windowBytes = 0;
        }
        windowBytes += rtp.length();
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

    void learnSsrc(long newSsrc) {
        if (newSsrc != ssrc) {
            ssrc = newSsrc;
            generation++;
        }
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
