package dev.junction.gateway.room;

import dev.junction.codec.rtcp.FullIntraRequest;
import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.PictureLossIndication;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.NegotiatedCodec;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.RtcpFeedback;
import dev.junction.codec.sdp.jsep.SimulcastLayer;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One published track (one receiving m-section of a publisher): its simulcast layers, the layer being
 * forwarded, the Consumers it feeds, and the rate-limited keyframe requests it sends upstream.
 *
 * <p>Simulcast (RFC 8853): the layers are the offer's rids in offer order, taken as lowest to highest
 * quality (the order Chromium, Firefox and the WHIP clients write them: {@code q;h;f}). The highest
 * layer that received a packet within {@link #LAYER_ACTIVE_NS} is forwarded. A layer change is a source
 * change for the Consumers (they renumber for continuity) and needs a keyframe on the new layer.
 * Without simulcast there is one layer.
 *
 * <p>Keyframe requests: at most one per {@link #KEYFRAME_INTERVAL_NS}; a request inside that window is
 * coalesced into one sent when the window ends (a timer of the room), so a slot switch right after a join
 * still gets its keyframe. PLI (RFC 4585 §6.3.1) when the publisher negotiated {@code nack pli}, else FIR
 * (RFC 5104 §4.3.1) when it negotiated {@code ccm fir}, else PLI anyway. Audio Producers request nothing.
 *
 * <p>Also per layer: {@link ReceiveStatistics} for the Receiver Reports to the publisher, and the
 * publisher's last Sender Report, from which the subscribers' Sender Reports take their RTP time. A video
 * Producer keeps a {@link RetransmissionCache} of the packets it forwarded, for subscribers' NACKs.
 *
 * <p>Losses on the publisher leg (video, codecs with {@code nack}): each layer's {@link MissingPackets}
 * finds the gaps, and the room's timer sends Generic NACKs (RFC 4585 §6.2.1) for them to the publisher.
 * Its RTX answers (RFC 4588 §4: own SSRC and payload type, the original sequence number in the first two
 * payload bytes) come to {@link #handleRtx}, which rebuilds the original packet in a pooled buffer (the
 * one copy, the borrowed RTX packet is never written) and handles it as a late packet: counted, cached,
 * and forwarded to the Consumers that had already started on the current source. RTX that answers no
 * missing number (a duplicate, one too old, or the publisher's bandwidth probing) is dropped as
 * {@link RoomDrop#PUBLISHER_RTX}.
 *
 * <p>Threading: the room's event loop only. Buffers: the packets it is given are borrowed; it keeps
 * private copies only in its retransmission cache, released by {@link #close()}. Each keyframe request and
 * NACK is a fresh pooled buffer handed to the publisher's {@code MediaSender}, which owns it from then on.
 * The original rebuilt from an RTX packet is a pooled buffer of its own, released before
 * {@link #handleRtx} returns (the cache and the Consumers copy it).
 */
public final class Producer {
    /** A layer with no packet for this long is inactive (about a second, as in the brief and mediasoup). */
    public static final long LAYER_ACTIVE_NS = 1_000_000_000L;
    /** Minimum spacing of keyframe requests towards the publisher. */
    public static final long KEYFRAME_INTERVAL_NS = 500_000_000L;
    static final long UNKNOWN_SSRC = -1;

    // Passed by argument.
    private final Publisher publisher;
    private final NegotiatedMedia media;
    private final long joinOrder;
    /** Position among the publisher's Producers (offer order): the same on every loop's copy. */
    private final int index;

    // Derived from the negotiated media.
    private final byte[] midBytes;
    private final int midExtensionId;
    private final int ridExtensionId;
    private final int repairedRidExtensionId;
    private final byte[][] ridBytes;
    private final boolean useFir;
    private final int clockRate;
    private final boolean[] rtxPayloadTypes = new boolean[128];
    /** The primary payload type of each RTX payload type (its {@code apt}), -1 for none. */
    private final int[] rtxAssociatedPayloadTypes = new int[128];
    /** Payload types whose codec negotiated Generic NACK ({@code a=rtcp-fb:<pt> nack}). */
    private final boolean[] nackPayloadTypes = new boolean[128];

    // State, on the loop.
    private final long[] layerSsrcs;
    private final long[] layerLastPacketNs;
    private final boolean[] layerSeen;
    private final ReceiveStatistics[] layerStatistics;
    /** Video only (null for audio): the missing sequence numbers of each layer, for NACKs upstream. */
    private final MissingPackets[] layerMissing;
    /** Scratch for the sequence numbers of one NACK; never escapes a call. */
    private final int[] dueScratch = new int[MissingPackets.CAPACITY];
    /** The publisher's last Sender Report per layer: NTP time, RTP time, and when it arrived (our clock). */
    private final long[] senderReportRtp;
    private final long[] senderReportNs;
    private final boolean[] senderReportSeen;
    private int selectedLayer = -1;
    /** Bumped whenever the forwarded source changes; Consumers resynchronise their numbering on a change. */
    private int sourceEpoch;
    private final List<Consumer> consumers = new ArrayList<>();
    private boolean keyframeRequested;
    private long lastKeyframeRequestNs;
    private boolean keyframePending;
    private int firSequence;
    private long packetsIn;
    private boolean closed;
    /** Video only: NACKs for audio are not negotiated by browsers (Opus has in-band FEC instead). */
    private final RetransmissionCache cache;

    Producer(Publisher publisher, NegotiatedMedia media, int index, long joinOrder) {
        this.publisher = publisher;
        this.index = index;
        this.media = media;
        this.joinOrder = joinOrder;
        this.midBytes = media.mid().getBytes(StandardCharsets.US_ASCII);
        this.midExtensionId = media.headerExtensionId(HeaderExtensionUri.MID).orElse(0);
        this.ridExtensionId = media.headerExtensionId(HeaderExtensionUri.RID).orElse(0);
        this.repairedRidExtensionId = media.headerExtensionId(HeaderExtensionUri.REPAIRED_RID).orElse(0);
        List<SimulcastLayer> layers = media.simulcastLayers();
        int layerCount;
        if (!layers.isEmpty()) {
            layerCount = layers.size();
        } else if (!media.simulcastSsrcGroups().isEmpty()) {
            layerCount = Math.max(1, media.simulcastSsrcGroups().get(0).ssrcs().size());
        } else {
            layerCount = 1;
        }
        this.ridBytes = new byte[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            ridBytes[i] = layers.get(i).rid().getBytes(StandardCharsets.US_ASCII);
        }
        this.layerSsrcs = new long[layerCount];
        Arrays.fill(layerSsrcs, UNKNOWN_SSRC);
        this.layerLastPacketNs = new long[layerCount];
        this.layerSeen = new boolean[layerCount];
        this.layerStatistics = new ReceiveStatistics[layerCount];
        for (int i = 0; i < layerCount; i++) {
            layerStatistics[i] = new ReceiveStatistics();
        }
        this.senderReportRtp = new long[layerCount];
        this.senderReportNs = new long[layerCount];
        this.senderReportSeen = new boolean[layerCount];
        this.clockRate = media.codecs().isEmpty() ? 0 : media.codecs().get(0).clockRate();
        boolean pli = false;
        boolean fir = false;
        Arrays.fill(rtxAssociatedPayloadTypes, -1);
        for (NegotiatedCodec c : media.codecs()) {
            c.rtxPayloadType().ifPresent(pt -> {
                rtxPayloadTypes[pt & 0x7F] = true;
                rtxAssociatedPayloadTypes[pt & 0x7F] = c.payloadType() & 0x7F;
            });
            nackPayloadTypes[c.payloadType() & 0x7F] = c.supports(RtcpFeedback.NACK);
            pli |= c.supports(RtcpFeedback.NACK_PLI);
            fir |= c.supports(RtcpFeedback.CCM_FIR);
        }
        this.useFir = !pli && fir;
        this.cache = media.kind() == MediaKind.VIDEO ? new RetransmissionCache(publisher.room().allocator()) : null;
        if (media.kind() == MediaKind.VIDEO) {
            this.layerMissing = new MissingPackets[layerCount];
            for (int i = 0; i < layerCount; i++) {
                layerMissing[i] = new MissingPackets();
            }
        } else {
            this.layerMissing = null;
        }
    }

    /** The publisher's m-section this track arrives in. */
    public NegotiatedMedia media() {
        return media;
    }

    public String mid() {
        return media.mid();
    }

    public MediaKind kind() {
        return media.kind();
    }

    /** The publisher this track belongs to. */
    public Publisher publisher() {
        return publisher;
    }

    /** Number of simulcast layers (1 without simulcast). */
    public int layerCount() {
        return layerSsrcs.length;
    }

    /** The index of the layer being forwarded, or -1 before the first packet. */
    public int selectedLayer() {
        return selectedLayer;
    }

    /** The SSRC of layer {@code layer}, or -1 while it is not known. */
    public long layerSsrc(int layer) {
        return layerSsrcs[layer];
    }

    /** RTP packets received for this track, all layers. */
    public long packetsIn() {
        return packetsIn;
    }

    /** Number of slots this track currently fills. */
    public int consumerCount() {
        return consumers.size();
    }

    long joinOrder() {
        return joinOrder;
    }

    /** Position among the publisher's Producers, in offer order. */
    int index() {
        return index;
    }

    int midExtensionId() {
        return midExtensionId;
    }

    int ridExtensionId() {
        return ridExtensionId;
    }

    int repairedRidExtensionId() {
        return repairedRidExtensionId;
    }

    int sourceEpoch() {
        return sourceEpoch;
    }

    boolean closed() {
        return closed;
    }

    /** Whether the MID element at {@code [offset, offset + length)} of {@code buf} names this m-section. */
    boolean midMatches(ByteBuf buf, int offset, int length) {
        return bytesEqual(midBytes, buf, offset, length);
    }

    /** The layer whose rid is in {@code buf[offset, offset + length)}, or -1. */
    int layerForRid(ByteBuf buf, int offset, int length) {
        for (int i = 0; i < ridBytes.length; i++) {
            if (bytesEqual(ridBytes[i], buf, offset, length)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean bytesEqual(byte[] expected, ByteBuf buf, int offset, int length) {
        if (expected.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (buf.getByte(offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code pt} is one of this m-section's RTX payload types (RFC 4588). */
    boolean isRtxPayloadType(int pt) {
        return rtxPayloadTypes[pt & 0x7F];
    }

    /** The RTP clock rate of this track's codecs. */
    int clockRate() {
        return clockRate;
    }

    ReceiveStatistics statistics(int layer) {
        return layerStatistics[layer];
    }

    /** Records the publisher's Sender Report for {@code layer} (RFC 3550 §6.4.1). */
    void onSenderReport(int layer, long compactNtp, long rtpTimestamp, long nowNs) {
        layerStatistics[layer].onSenderReport(compactNtp, nowNs);
        senderReportRtp[layer] = rtpTimestamp;
        senderReportNs[layer] = nowNs;
        senderReportSeen[layer] = true;
    }

    /**
     * The forwarded layer's RTP time at {@code nowNs}, extrapolated from the publisher's last Sender Report
     * (whose NTP time is taken as its arrival time on our clock: the one-way delay is the same for a
     * publisher's audio and video, so their relative timing, what lip sync needs, is kept); -1 before the
     * first Sender Report of that layer.
     */
    long rtpTimestampAt(long nowNs) {
        int layer = selectedLayer;
        if (layer < 0 || !senderReportSeen[layer] || clockRate <= 0) {
            return -1;
        }
        long elapsedUs = Math.min(nowNs - senderReportNs[layer], 3_600_000_000L) / 1_000;
        return (senderReportRtp[layer] + elapsedUs * clockRate / 1_000_000) & 0xFFFF_FFFFL;
    }

    /** The retransmission cache, or null for audio. */
    RetransmissionCache cache() {
        return cache;
    }

    void learnLayerSsrc(int layer, long ssrc) {
        layerSsrcs[layer] = ssrc;
    }

    /** Forwards one packet of layer {@code layer} to every Consumer; the packet stays borrowed. */
    void handleRtp(RtpPacket rtp, int layer, long nowNs) {
        packetsIn++;
        layerStatistics[layer].onPacket(rtp.sequenceNumber(), rtp.timestamp(), clockRate, nowNs);
        if (layerMissing != null) {
            if (nackPayloadTypes[rtp.payloadType() & 0x7F]) {
                if (layerMissing[layer].onPacket(rtp.sequenceNumber(), nowNs) == MissingPackets.RECOVERED) {
                    // The original came after all, after a NACK (late, or resent without RTX).
                    publisher.counters().packetsRecoveredUpstream++;
                }
            } else {
                layerMissing[layer].reset();
            }
        }
        layerLastPacketNs[layer] = nowNs;
        layerSeen[layer] = true;
        if (layerSsrcs[layer] == UNKNOWN_SSRC) {
            layerSsrcs[layer] = rtp.ssrc();
        }
        if (layer != selectedLayer && !maybeSelect(layer, nowNs)) {
            publisher.counters().drop(RoomDrop.LAYER_NOT_SELECTED);
            return;
        }
        if (cache != null && !consumers.isEmpty()) {
            cache.store(rtp, sourceEpoch, nowNs);
        }
        // NOTE: index loop, no iterator: this is the per-packet path and must not allocate.
        for (int i = 0, n = consumers.size(); i < n; i++) {
            consumers.get(i).forward(rtp, nowNs);
        }
    }

    /**
     * Handles one RTX packet (RFC 4588 §4) of layer {@code layer} (-1 when not known) from the publisher;
     * borrowed for the call. When it answers a missing sequence number, the original packet is rebuilt in
     * a pooled buffer, counted, cached and forwarded to the Consumers that still need it, then released.
     */
    void handleRtx(RtpPacket rtx, int layer, long nowNs) {
        RoomCounters counters = publisher.counters();
        if (layer < 0 && layerSsrcs.length == 1) {
            layer = 0;
        }
        int primaryPt = rtxAssociatedPayloadTypes[rtx.payloadType() & 0x7F];
        // Padding-only RTX (bandwidth probing) has no OSN.
        if (layerMissing == null || layer < 0 || primaryPt < 0 || rtx.payloadLength() < 2
                || layerSsrcs[layer] == UNKNOWN_SSRC) {
            counters.drop(RoomDrop.PUBLISHER_RTX);
            return;
        }
        int osn = rtx.buffer().getUnsignedShort(rtx.payloadOffset());
        if (!layerMissing[layer].recover(osn)) {
            counters.drop(RoomDrop.PUBLISHER_RTX);
            return;
        }
        counters.packetsRecoveredUpstream++;
        packetsIn++;
        layerStatistics[layer].onRecoveredPacket(osn);
        if (layer != selectedLayer) {
            counters.drop(RoomDrop.LAYER_NOT_SELECTED);
            return;
        }
        int header = rtx.headerLength();
        int payload = rtx.payloadLength() - 2;
        ByteBuf original = publisher.room().allocator().heapBuffer(header + payload);
        try {
            original.writeBytes(rtx.buffer(), rtx.offset(), header);
            original.writeBytes(rtx.buffer(), rtx.payloadOffset() + 2, payload);
            // The RTX packet's padding was its own; the original is rebuilt without any.
            original.setByte(0, original.getByte(0) & ~0x20);
            RtpPacket rtp = publisher.room().recoveredPacket();
            if (!rtp.wrap(original, original.readerIndex(), original.readableBytes())) {
                counters.drop(RoomDrop.MALFORMED_RTP);
                return;
            }
            rtp.setSsrc(layerSsrcs[layer]);
            rtp.setSequenceNumber(osn);
            rtp.setPayloadType(primaryPt);
            if (cache != null && !consumers.isEmpty()) {
                cache.store(rtp, sourceEpoch, nowNs);
            }
            for (int i = 0, n = consumers.size(); i < n; i++) {
                consumers.get(i).forwardLate(rtp, nowNs);
            }
        } finally {
            original.release();
        }
    }

    /** The number of sequence numbers of {@code layer} currently missing (0 for audio). */
    int missingCount(int layer) {
        return layerMissing == null ? 0 : layerMissing[layer].count();
    }

    /**
     * Called when a packet of another layer than the selected one arrives: selects the highest active
     * layer if that is no longer the selected one. Returns whether {@code layer} is now selected.
     */
    private boolean maybeSelect(int layer, long nowNs) {
        if (selectedLayer >= 0 && layer < selectedLayer && active(selectedLayer, nowNs)) {
            return false;
        }
        int best = layer;
        for (int i = layerSsrcs.length - 1; i > best; i--) {
            if (active(i, nowNs)) {
                best = i;
                break;
            }
        }
        if (best == selectedLayer) {
            return false;
        }
        boolean switching = selectedLayer >= 0;
        selectedLayer = best;
        sourceEpoch++;
        if (switching) {
            publisher.counters().sourceSwitches++;
            if (!consumers.isEmpty()) {
                requestKeyframe(nowNs);
            }
        }
        return best == layer;
    }

    private boolean active(int layer, long nowNs) {
        return layerSeen[layer] && nowNs - layerLastPacketNs[layer] <= LAYER_ACTIVE_NS;
    }

    void addConsumer(Consumer consumer, long nowNs) {
        consumers.add(consumer);
        requestKeyframe(nowNs);
    }

    void removeConsumer(Consumer consumer) {
        consumers.remove(consumer);
    }

    /** Detaches every Consumer (the publisher left); returns them for the room to free their slots. */
    List<Consumer> close() {
        closed = true;
        keyframePending = false;
        if (cache != null) {
            cache.clear();
        }
        List<Consumer> detached = List.copyOf(consumers);
        consumers.clear();
        return detached;
    }

    /**
     * Asks the publisher for a keyframe on the forwarded layer, now or, inside the rate-limit window,
     * when the window ends.
     */
    void requestKeyframe(long nowNs) {
        if (media.kind() != MediaKind.VIDEO || closed) {
            return;
        }
        if (publisher.relayed()) {
            // One rate limit and one FIR sequence number per publisher: its own loop's Producer decides.
            publisher.keyframeRelay().requestKeyframe(index);
            return;
        }
        if (keyframeRequested && nowNs - lastKeyframeRequestNs < KEYFRAME_INTERVAL_NS) {
            if (keyframePending) {
                publisher.counters().keyframeRequestsCoalesced++;
            }
            keyframePending = true;
            return;
        }
        sendKeyframeRequest(nowNs);
    }

    /** Sends one Generic NACK for {@code dueScratch[0, n)}, ascending, so it packs into few entries. */
    private void sendNack(long mediaSsrc, int n) {
        ByteBuf out = publisher.room().allocator().heapBuffer(12 + 4 * n + Room.SRTP_TAIL_ROOM);
        GenericNack.write(out, publisher.feedbackSsrc(), mediaSsrc, dueScratch, 0, n, MissingPackets.CAPACITY);
        publisher.counters().nacksSentUpstream += n;
        publisher.sender().sendRtcp(out);
    }

    private void sendKeyframeRequest(long nowNs) {
        keyframePending = false;
        // Without simulcast the SSRC may be known from a=ssrc before the first packet.
        int layer = selectedLayer >= 0 ? selectedLayer : layerSsrcs.length == 1 ? 0 : -1;
        long mediaSsrc = layer >= 0 ? layerSsrcs[layer] : UNKNOWN_SSRC;
        if (mediaSsrc == UNKNOWN_SSRC) {
            // Nothing received yet: an encoder's first frame is a keyframe anyway.
            return;
        }
        keyframeRequested = true;
        lastKeyframeRequestNs = nowNs;
        ByteBuf out = publisher.room().allocator().heapBuffer(32 + Room.SRTP_TAIL_ROOM);
        if (useFir) {
            FullIntraRequest.write(out, publisher.feedbackSsrc(), mediaSsrc, firSequence);
            firSequence = (firSequence + 1) & 0xFF;
        } else {
            PictureLossIndication.write(out, publisher.feedbackSsrc(), mediaSsrc);
        }
        publisher.counters().keyframeRequestsSent++;
        publisher.sender().sendRtcp(out);
    }

    /**
     * When the coalesced keyframe request or a NACK upstream is due, or {@link Long#MAX_VALUE} when
     * nothing is pending.
     */
    long nextTimeoutNs() {
        long next = keyframePending ? lastKeyframeRequestNs + KEYFRAME_INTERVAL_NS : Long.MAX_VALUE;
        if (layerMissing != null && !closed) {
            for (MissingPackets m : layerMissing) {
                long due = m.nextTimeoutNs();
                if (due != Long.MAX_VALUE && (next == Long.MAX_VALUE || due - next < 0)) {
                    next = due;
                }
            }
        }
        return next;
    }

    void handleTimeout(long nowNs) {
        if (layerMissing != null && !closed) {
            for (int layer = 0; layer < layerMissing.length; layer++) {
                MissingPackets m = layerMissing[layer];
                if (m.nextTimeoutNs() == Long.MAX_VALUE || nowNs - m.nextTimeoutNs() < 0) {
                    continue;
                }
                int n = m.collectDue(nowNs, dueScratch);
                // A relayed copy ages its losses in step with the publisher's own loop, which sends the NACKs.
                if (n > 0 && layerSsrcs[layer] != UNKNOWN_SSRC && !publisher.relayed()) {
                    sendNack(layerSsrcs[layer], n);
                }
            }
        }
        if (keyframePending && nowNs - (lastKeyframeRequestNs + KEYFRAME_INTERVAL_NS) >= 0) {
            sendKeyframeRequest(nowNs);
        }
    }

    @Override
    public String toString() {
        return "Producer[" + media.kind().token() + " mid=" + media.mid() + " layers=" + layerSsrcs.length
                + " selected=" + selectedLayer + " consumers=" + consumers.size() + "]";
    }
}
