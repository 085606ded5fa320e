package dev.junction.gateway.room;

import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.ReceiverReport;
import dev.junction.codec.rtcp.ReportBlock;
import dev.junction.codec.rtcp.RtcpParseError;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtcp.SenderReport;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.codec.sdp.jsep.RemoteSsrc;
import dev.junction.transport.MediaSender;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One WHIP session in a room: its Producers (one per receiving audio or video m-section, in offer order)
 * and the demultiplexing of its RTP onto them.
 *
 * <p>Demultiplexing (RFC 8843 §9.2, RFC 8852): a packet's SSRC is looked up in a small table. An unknown
 * SSRC is bound on first sight, by the MID header extension (which m-section) and the RtpStreamId
 * extension (which simulcast layer), or, without MID, by the one m-section whose codecs include the
 * payload type. SSRCs the offer announced with {@code a=ssrc} are bound up front, with their RTX partners
 * ({@code a=ssrc-group:FID}) bound to the same layer. Packets on an RTX SSRC or with an RTX payload type
 * are retransmissions answering the Producers' NACKs upstream and go to {@link Producer#handleRtx}; an
 * unannounced RTX SSRC gets its layer from the RepairedRtpStreamId extension (RFC 8852 §3.2), or is the
 * only layer. The table is bounded ({@link #MAX_SSRCS}) so a
 * publisher cannot grow it.
 *
 * <p>RTCP on this leg: a Receiver Report every {@link Room#REPORT_INTERVAL_NS} with a block per received
 * stream, sent from {@link #feedbackSsrc()}, as are the keyframe requests of its Producers.
 *
 * <p>Threading: the room's event loop only. Buffers: {@link #handleRtp} and {@link #handleRtcp} borrow
 * the packet for the call and never modify, retain or release it; the caller (the transport) releases it.
 */
public final class Publisher {
    /** Bound on learnt SSRCs: three simulcast layers with RTX per m-section leaves room for several sections. */
    static final int MAX_SSRCS = 32;

    // Passed by argument.
    private final Room room;
    private final NegotiatedSession session;
    private final MediaSender sender;
    private final long feedbackSsrc;
    /** A copy on another loop of a publisher whose own loop talks back to it (see {@link Room#addPublisher}). */
    private final boolean relayed;
    /** For a relayed copy: where its keyframe requests go; null otherwise. */
    private final KeyframeRelay keyframeRelay;
    /** The room's counters, or for a relayed copy counters of its own, which nobody exports. */
    private final RoomCounters counters;

    // Allocated by this.
    private final List<Producer> producers = new ArrayList<>();
    private final long[] ssrcs = new long[MAX_SSRCS];
    private final Producer[] ssrcProducers = new Producer[MAX_SSRCS];
    /** Layer index of each SSRC (for an RTX stream the layer it repairs), or -1 while not known. */
    private final int[] ssrcLayers = new int[MAX_SSRCS];
    /** Whether each SSRC is an RTX stream (RFC 4588 §4). */
    private final boolean[] ssrcRtx = new boolean[MAX_SSRCS];
    private int ssrcCount;
    private long nextReportNs;
    /** Distinct MID extension ids among the Producers (BUNDLE makes them one id in practice). */
    private final int[] midExtensionIds;

    Publisher(Room room, NegotiatedSession session, MediaSender sender, long feedbackSsrc, long joinOrder, KeyframeRelay relay) {
        this.room = room;
        this.session = session;
        this.sender = sender;
        this.feedbackSsrc = feedbackSsrc;
        this.relayed = relay != null;
        this.keyframeRelay = relay;
        this.counters = relay != null ? new RoomCounters() : room.counters();
        int order = 0;
        for (NegotiatedMedia m : session.media()) {
            if (m.receives() && (m.kind() == MediaKind.AUDIO || m.kind() == MediaKind.VIDEO) && !m.codecs().isEmpty()) {
                Producer p = new Producer(this, m, producers.size(), joinOrder * 1_000 + order++);
                producers.add(p);
                bindAnnouncedSsrcs(p, m);
            }
        }
        this.midExtensionIds = producers.stream().mapToInt(Producer::midExtensionId).filter(id -> id > 0)
                .distinct().toArray();
    }

    private void bindAnnouncedSsrcs(Producer p, NegotiatedMedia m) {
        List<Long> simulcastGroup = m.simulcastSsrcGroups().isEmpty() ? List.of() : m.simulcastSsrcGroups().get(0).ssrcs();
        for (RemoteSsrc r : m.remoteSsrcs()) {
            // With rids the layer of an SSRC is only known from the RtpStreamId extension.
            int layer = !m.simulcastLayers().isEmpty() ? -1
                    : simulcastGroup.isEmpty() ? 0 : simulcastGroup.indexOf(r.ssrc());
            if (layer >= p.layerCount()) {
                layer = -1;
            }
            if (r.rtxSsrc().isPresent()) {
                bind(r.rtxSsrc().getAsLong(), p, layer, true);
            }
            if (layer >= 0) {
                bind(r.ssrc(), p, layer, false);
                p.learnLayerSsrc(layer, r.ssrc());
            }
        }
    }

    private boolean bind(long ssrc, Producer p, int layer, boolean rtx) {
        if (ssrcCount == MAX_SSRCS || indexOf(ssrc) >= 0) {
            return false;
        }
        ssrcs[ssrcCount] = ssrc;
        ssrcProducers[ssrcCount] = p;
        ssrcLayers[ssrcCount] = layer;
        ssrcRtx[ssrcCount] = rtx;
        ssrcCount++;
        return true;
    }

    private int indexOf(long ssrc) {
        for (int i = 0; i < ssrcCount; i++) {
            if (ssrcs[i] == ssrc) {
                return i;
            }
        }
        return -1;
    }

    public Room room() {
        return room;
    }

    /** What the WHIP offer/answer negotiated. */
    public NegotiatedSession session() {
        return session;
    }

    MediaSender sender() {
        return sender;
    }

    /** Whether this is a relayed copy: no NACKs and no Receiver Reports upstream. */
    public boolean relayed() {
        return relayed;
    }

    /**
     * How a relayed copy's Producers ask for a keyframe: by the Producer's index in the publisher's offer
     * order, passed to the publisher's own loop, whose Producer rate-limits and sends the request.
     */
    @FunctionalInterface
    public interface KeyframeRelay {
        void requestKeyframe(int producerIndex);
    }

    /** Asks the publisher for a keyframe on Producer {@code producerIndex} (a relayed copy's request, arriving on this loop). */
    public void requestKeyframe(int producerIndex, long nowNs) {
        if (producerIndex >= 0 && producerIndex < producers.size()) producers.get(producerIndex).requestKeyframe(nowNs);
    }

    KeyframeRelay keyframeRelay() {
        return keyframeRelay;
    }

    /**
     * The SSRCs bound so far: which Producer (by offer order), which layer, RTX or not. A relayed copy that
     * starts after the stream did is seeded with them ({@link #seed}): a browser stops sending the MID and
     * RID extensions once its packets are acknowledged, so the copy could not learn simulcast layers itself.
     */
    public record Bindings(long[] ssrcs, int[] producers, int[] layers, boolean[] rtx) {
    }

    /** This publisher's SSRC bindings now; on its loop. */
    public Bindings bindings() {
        int n = ssrcCount;
        int[] producerIndexes = new int[n];
        for (int i = 0; i < n; i++) producerIndexes[i] = ssrcProducers[i].index();
        return new Bindings(Arrays.copyOf(ssrcs, n), producerIndexes, Arrays.copyOf(ssrcLayers, n), Arrays.copyOf(ssrcRtx, n));
    }

    /** Binds what {@code bindings} (another copy's) knows and this one does not yet; on this copy's loop. */
    public void seed(Bindings bindings) {
        for (int i = 0; i < bindings.ssrcs().length; i++) {
            int at = bindings.producers()[i];
            if (at < 0 || at >= producers.size()) continue;
            Producer p = producers.get(at);
            int layer = bindings.layers()[i] < p.layerCount() ? bindings.layers()[i] : -1;
            if (bind(bindings.ssrcs()[i], p, layer, bindings.rtx()[i]) && layer >= 0 && !bindings.rtx()[i]) {
                p.learnLayerSsrc(layer, bindings.ssrcs()[i]);
            }
        }
    }

    /** Where this publisher's Producers count: the room's counters, or a relayed copy's own. */
    RoomCounters counters() {
        return counters;
    }

    /** The SSRC this leg's RTCP feedback (PLI, FIR) is sent from. */
    public long feedbackSsrc() {
        return feedbackSsrc;
    }

    /** The published tracks, in offer order. */
    public List<Producer> producers() {
        return List.copyOf(producers);
    }

    List<Producer> producerList() {
        return producers;
    }

    /**
     * Handles one decrypted RTP packet from this publisher: demultiplexes it onto its Producer and forwards
     * it to that Producer's Consumers. {@code packet}'s readable bytes are the packet; borrowed for the call.
     */
    public void handleRtp(ByteBuf packet, long nowNs) {
        RoomCounters counters = this.counters;
        counters.rtpIn++;
        RtpPacket rtp = room.ingressPacket();
        if (!rtp.wrap(packet, packet.readerIndex(), packet.readableBytes())) {
            counters.drop(RoomDrop.MALFORMED_RTP);
            return;
        }
        long ssrc = rtp.ssrc();
        int at = indexOf(ssrc);
        if (at < 0) {
            at = learn(rtp, ssrc);
            if (at < 0) {
                counters.drop(RoomDrop.UNKNOWN_SSRC);
                return;
            }
        }
        Producer producer = ssrcProducers[at];
        int layer = ssrcLayers[at];
        if (ssrcRtx[at] || producer.isRtxPayloadType(rtp.payloadType())) {
            if (layer < 0) {
                layer = repairedLayer(producer, rtp);
                ssrcLayers[at] = layer;
            }
            producer.handleRtx(rtp, layer, nowNs);
            return;
        }
        if (layer < 0) {
            counters.drop(RoomDrop.UNKNOWN_SSRC);
            return;
        }
        producer.handleRtp(rtp, layer, nowNs);
    }

    /** Binds a new SSRC by MID/RID or payload type; returns its table index or -1. */
    private int learn(RtpPacket rtp, long ssrc) {
        Producer producer = null;
        for (int id : midExtensionIds) {
            long found = rtp.findExtension(id);
            if (found == RtpPacket.NOT_FOUND) {
                continue;
            }
            int offset = RtpPacket.foundOffset(found);
            int length = RtpPacket.foundLength(found);
            for (int i = 0, n = producers.size(); i < n; i++) {
                Producer p = producers.get(i);
                if (p.midExtensionId() == id && p.midMatches(rtp.buffer(), offset, length)) {
                    producer = p;
                    break;
                }
            }
            break;
        }
        if (producer == null) {
            producer = onlyProducerFor(rtp.payloadType());
            if (producer == null) {
                return -1;
            }
        }
        int layer;
        boolean rtx = producer.isRtxPayloadType(rtp.payloadType());
        if (rtx) {
            layer = repairedLayer(producer, rtp);
        } else if (producer.layerCount() == 1) {
            layer = 0;
        } else {
            long rid = producer.ridExtensionId() > 0 ? rtp.findExtension(producer.ridExtensionId()) : RtpPacket.NOT_FOUND;
            if (rid == RtpPacket.NOT_FOUND) {
                return -1;
            }
            layer = producer.layerForRid(rtp.buffer(), RtpPacket.foundOffset(rid), RtpPacket.foundLength(rid));
            if (layer < 0) {
                return -1;
            }
        }
        if (!bind(ssrc, producer, layer, rtx)) {
            return -1;
        }
        if (layer >= 0 && !rtx) {
            producer.learnLayerSsrc(layer, ssrc);
        }
        return ssrcCount - 1;
    }

    /** The layer an RTX packet repairs: the only one, or the one its RepairedRtpStreamId names; else -1. */
    private static int repairedLayer(Producer producer, RtpPacket rtp) {
        if (producer.layerCount() == 1) {
            return 0;
        }
        long rrid = producer.repairedRidExtensionId() > 0 ? rtp.findExtension(producer.repairedRidExtensionId()) : RtpPacket.NOT_FOUND;
        if (rrid == RtpPacket.NOT_FOUND) {
            return -1;
        }
        return producer.layerForRid(rtp.buffer(), RtpPacket.foundOffset(rrid), RtpPacket.foundLength(rrid));
    }

    private Producer onlyProducerFor(int payloadType) {
        Producer only = null;
        for (int i = 0, n = producers.size(); i < n; i++) {
            Producer p = producers.get(i);
            if (p.media().codecForPayloadType(payloadType).isPresent()) {
                if (only != null) {
                    return null;
                }
                only = p;
            }
        }
        return only;
    }

    /**
     * Handles one decrypted compound RTCP packet from this publisher; borrowed for the call. Sender Reports
     * feed the LSR/DLSR of our Receiver Reports and the NTP/RTP mapping of the subscribers' Sender Reports;
     * the rest (SDES, BYE, feedback about the leg) is only checked.
     */
    public void handleRtcp(ByteBuf packet, long nowNs) {
        counters.rtcpIn++;
        RtcpCompound compound = room.compound();
        compound.wrap(packet, packet.readerIndex(), packet.readableBytes());
        while (compound.next()) {
            if (compound.packetType() == RtcpType.SR) {
                SenderReport sr = room.senderReport();
                if (!sr.wrap(compound.buffer(), compound.offset(), compound.length())) {
                    counters.drop(RoomDrop.MALFORMED_RTCP);
                    continue;
                }
                int at = indexOf(sr.senderSsrc());
                if (at >= 0 && ssrcLayers[at] >= 0 && !ssrcRtx[at]) {
                    ssrcProducers[at].onSenderReport(ssrcLayers[at], sr.compactNtp(), sr.rtpTimestamp(), nowNs);
                }
            }
        }
        if (compound.error() != RtcpParseError.NONE) {
            counters.drop(RoomDrop.MALFORMED_RTCP);
        }
    }

    /** When the next Receiver Report is due. */
    long nextReportNs() {
        return nextReportNs;
    }

    void startReports(long nowNs) {
        nextReportNs = relayed ? Long.MAX_VALUE : nowNs + Room.REPORT_INTERVAL_NS;
    }

    /**
     * Sends a Receiver Report (RFC 3550 §6.4.2) with one block per received stream (every layer of every
     * Producer that got packets, at most 31) when it is due, then re-arms.
     */
    void handleTimeout(long nowNs) {
        if (relayed || nowNs - nextReportNs < 0) {
            return;
        }
        nextReportNs = nowNs + Room.REPORT_INTERVAL_NS;
        int blocks = 0;
        for (int i = 0, n = producers.size(); i < n; i++) {
            Producer p = producers.get(i);
            for (int layer = 0; layer < p.layerCount(); layer++) {
                if (p.statistics(layer).hasPackets() && p.layerSsrc(layer) != Producer.UNKNOWN_SSRC) {
                    blocks++;
                }
            }
        }
        blocks = Math.min(blocks, 31);
        if (blocks == 0) {
            return;
        }
        ByteBuf out = room.allocator().heapBuffer(ReceiverReport.MIN_LENGTH + blocks * ReportBlock.LENGTH + Room.SRTP_TAIL_ROOM);
        ReceiverReport.write(out, feedbackSsrc, blocks);
        int written = 0;
        for (int i = 0, n = producers.size(); i < n && written < blocks; i++) {
            Producer p = producers.get(i);
            for (int layer = 0; layer < p.layerCount() && written < blocks; layer++) {
                if (p.statistics(layer).hasPackets() && p.layerSsrc(layer) != Producer.UNKNOWN_SSRC) {
                    p.statistics(layer).writeBlock(out, p.layerSsrc(layer), nowNs);
                    written++;
                }
            }
        }
        counters.reportsSent++;
        sender.sendRtcp(out);
    }

    @Override
    public String toString() {
        return "Publisher" + producers;
    }
}
