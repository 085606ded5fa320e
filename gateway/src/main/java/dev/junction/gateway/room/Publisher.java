package dev.junction.gateway.room;

import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.Goodbye;
import dev.junction.codec.rtcp.ReceiverReport;
import dev.junction.codec.rtcp.ReportBlock;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.RtcpParseError;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtcp.SenderReport;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.transport.MediaSender;
import dev.junction.transport.bwe.TransportCcReceiver;
import dev.junction.transport.WebRtcTransport;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * One WHIP session in its room, on the publisher's own (home) loop: its Producers (one per receiving audio or
 * video m-section, in offer order), the {@link RtpListener} that tells its SSRCs apart, the
 * {@link RtpStreamRecv}s behind them, and the RTCP of this leg. It is the transport's media sink: decrypted
 * packets come straight here.
 *
 * <p>RTCP on this leg, sent from {@link #feedbackSsrc()}: a Receiver Report every
 * {@link Room#REPORT_INTERVAL_NS} with a block per received stream, Generic NACKs (RFC 4585 §6.2.1) for the
 * streams' losses, and its Producers' keyframe requests ({@link KeyframeRequests}).
 *
 * <p>Threading: the room's event loop only. Buffers: {@link #handleRtp} and {@link #handleRtcp} borrow the
 * packet for the call and never modify, retain or release it; the caller (the transport) releases it.
 */
public final class Publisher implements WebRtcTransport.MediaSink {

    // Passed by argument.
    private final Room room;
    private final NegotiatedSession session;
    private final MediaSender sender;
    private final long feedbackSsrc;

    // Allocated by this.
    private final List<Producer> producers = new ArrayList<>();
    private final List<KeyframeRequests> keyframes = new ArrayList<>();
    private final RtpListener listener = new RtpListener();
    /** Scratch for the sequence numbers of one NACK; never escapes a call. */
    private final int[] dueScratch = new int[MissingPackets.CAPACITY];

    /** The transport-wide sequence number's extension id, 0 when transport-cc was not negotiated. */
    private final int transportCcId;
    /** Feedback for the publisher's own estimator; null without transport-cc. */
    private final TransportCcReceiver transportCc;
    private final java.util.function.Consumer<ByteBuf> sendFeedback;

    // State, on the loop.
    private long nextReportNs;

    Publisher(Room room, NegotiatedSession session, MediaSender sender, long feedbackSsrc, long joinOrder, long nowNs) {
        this.room = room;
        this.session = session;
        this.sender = sender;
        this.feedbackSsrc = feedbackSsrc;
        this.transportCcId = transportCcId(session);
        this.transportCc = transportCcId > 0 ? new TransportCcReceiver(nowNs) : null;
        this.sendFeedback = packet -> {
            room.counters().transportCcFeedbackSent++;
            sender.sendRtcp(packet);
        };
        int order = 0;
        for (NegotiatedMedia m : session.media()) {
            if (m.receives() && (m.kind() == MediaKind.AUDIO || m.kind() == MediaKind.VIDEO) && !m.codecs().isEmpty()) {
                KeyframeRequests requests = new KeyframeRequests(this, Producer.layerCount(m));
                Producer p = new Producer(room, Producer.newId(), this, m, producers.size(), joinOrder * 1_000 + order++, false, requests);
                producers.add(p);
                keyframes.add(requests);
                listener.add(p);
            }
        }
    }

    /**
     * The id BUNDLE gives the transport-wide sequence number on every m-section that negotiated it (RFC 8843 §9.2:
     * one id per URI across the bundle), 0 without transport-cc.
     */
    private static int transportCcId(NegotiatedSession session) {
        for (NegotiatedMedia m : session.media()) {
            if (!m.receives()) continue;
            java.util.OptionalInt id = m.headerExtensionId(HeaderExtensionUri.TRANSPORT_CC);
            if (id.isPresent()) return id.getAsInt();
        }
        return 0;
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

    /** The SSRC this leg's RTCP feedback (RR, NACK, PLI, FIR) is sent from. */
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

    @Override
    public void onRtp(WebRtcTransport transport, ByteBuf packet, long nowNs) {
        handleRtp(packet, nowNs);
    }

    @Override
    public void onRtcp(WebRtcTransport transport, ByteBuf packet, long nowNs) {
        handleRtcp(packet, nowNs);
    }

    /**
     * Handles one decrypted RTP packet from this publisher: finds its stream and forwards it through its
     * Producer. {@code packet}'s readable bytes are the packet; borrowed for the call.
     */
    public void handleRtp(ByteBuf packet, long nowNs) {
        RoomCounters counters = room.counters();
        counters.rtpIn++;
        RtpPacket rtp = room.flyweights().ingress;
        if (!rtp.wrap(packet, packet.readerIndex(), packet.readableBytes())) {
            counters.drop(RoomDrop.MALFORMED_RTP);
            return;
        }
        // Every packet counts for the publisher's estimator, padding-only probes and RTX included, before any drop.
        if (transportCc != null) recordTransportCc(rtp, nowNs);
        RtpListener.Entry e = listener.find(rtp);
        if (e == null) {
            counters.drop(RoomDrop.UNKNOWN_SSRC);
            return;
        }
        if (e.rtx || e.producer.codecs().isRtx(rtp.payloadType())) {
            if (e.stream == null && e.layer < 0) listener.placeRtx(e, rtp);
            if (e.stream == null) {
                counters.drop(RoomDrop.PUBLISHER_RTX);
                return;
            }
            e.stream.onRtx(rtp, nowNs);
            return;
        }
        e.stream.onPacket(rtp, nowNs);
        e.producer.onRtp(e.layer, rtp, nowNs);
    }

    private void recordTransportCc(RtpPacket rtp, long nowNs) {
        long found = rtp.findExtension(transportCcId);
        if (found == RtpPacket.NOT_FOUND || RtpPacket.foundLength(found) < 2) return;
        int seq = rtp.buffer().getUnsignedShort(RtpPacket.foundOffset(found));
        if (transportCc.onPacket(seq, rtp.ssrc(), nowNs)) room.wakeAt(transportCc.nextFeedbackNs());
    }

    /** Transport-cc feedback messages sent to this publisher (0 without transport-cc). */
    long transportCcFeedbackSent() {
        return transportCc == null ? 0 : transportCc.sent();
    }

    /**
     * Handles one decrypted compound RTCP packet from this publisher; borrowed for the call. Sender Reports feed
     * the LSR/DLSR of our Receiver Reports and the NTP/RTP mapping of the subscribers' Sender Reports; the rest
     * (SDES, BYE, feedback about the leg) is only checked.
     */
    public void handleRtcp(ByteBuf packet, long nowNs) {
        room.counters().rtcpIn++;
        RtcpCompound compound = room.flyweights().compound;
        compound.wrap(packet, packet.readerIndex(), packet.readableBytes());
        while (compound.next()) {
            if (compound.packetType() == RtcpType.SR) {
                SenderReport sr = room.flyweights().senderReport;
                if (!sr.wrap(compound.buffer(), compound.offset(), compound.length())) {
                    room.counters().drop(RoomDrop.MALFORMED_RTCP);
                    continue;
                }
                RtpListener.Entry e = listener.get(sr.senderSsrc());
                if (e != null && !e.rtx && e.stream != null) e.stream.onSenderReport(sr.compactNtp(), sr.rtpTimestamp(), nowNs);
            }
        }
        if (compound.error() != RtcpParseError.NONE) room.counters().drop(RoomDrop.MALFORMED_RTCP);
    }

    // ---- timers ------------------------------------------------------------------------------------------------

    void startReports(long nowNs) {
        nextReportNs = Room.nextReportAfter(nowNs);
        room.wakeAt(nextReportNs);
    }

    /** When the next Receiver Report is due. */
    long nextReportNs() {
        return nextReportNs;
    }

    /** The earliest of the next report, NACK and coalesced keyframe request. */
    long nextTimeoutNs() {
        long next = nextReportNs;
        if (transportCc != null) next = Room.earlier(next, transportCc.nextFeedbackNs());
        for (RtpStreamRecv s : listener.streams()) next = Room.earlier(next, s.nextNackNs());
        for (KeyframeRequests k : keyframes) next = Room.earlier(next, k.nextTimeoutNs());
        return next;
    }

    /** Sends what is due: transport-cc feedback, NACKs for the streams' losses, coalesced keyframe requests, the Receiver Report. */
    void handleTimeout(long nowNs) {
        if (transportCc != null) transportCc.sendDue(nowNs, feedbackSsrc, room.allocator(), Room.SRTP_TAIL_ROOM, sendFeedback);
        List<RtpStreamRecv> streams = listener.streams();
        for (int i = 0, n = streams.size(); i < n; i++) {
            RtpStreamRecv s = streams.get(i);
            long due = s.nextNackNs();
            if (due == Long.MAX_VALUE || nowNs - due < 0) continue;
            int count = s.collectNackDue(nowNs, dueScratch);
            if (count > 0) sendNack(s.ssrc, count);
        }
        for (int i = 0; i < keyframes.size(); i++) keyframes.get(i).handleTimeout(producers.get(i), nowNs);
        if (nowNs - nextReportNs >= 0) {
            nextReportNs = Room.nextReportAfter(nowNs);
            sendReceiverReport(nowNs);
        }
    }

    /** Sends one Generic NACK for {@code dueScratch[0, n)}, ascending, so it packs into few entries. */
    private void sendNack(long mediaSsrc, int n) {
        ByteBuf out = room.allocator().heapBuffer(12 + 4 * n + Room.SRTP_TAIL_ROOM);
        GenericNack.write(out, feedbackSsrc, mediaSsrc, dueScratch, 0, n, MissingPackets.CAPACITY);
        room.counters().nacksSentUpstream += n;
        sender.sendRtcp(out);
    }

    /** An empty Receiver Report and an RTCP BYE for our feedback SSRC (RFC 3550 §6.6): the server is shutting down. */
    void sayGoodbye(byte[] reason) {
        ByteBuf out = room.allocator().heapBuffer(8 + 8 + 4 + reason.length + 4 + Room.SRTP_TAIL_ROOM);
        ReceiverReport.write(out, feedbackSsrc, 0);
        Goodbye.write(out, new long[] {feedbackSsrc}, 1, reason);
        sender.sendRtcp(out);
    }

    /** A Receiver Report (RFC 3550 §6.4.2) with one block per stream that got packets, at most 31. */
    private void sendReceiverReport(long nowNs) {
        List<RtpStreamRecv> streams = listener.streams();
        int blocks = 0;
        for (RtpStreamRecv s : streams) {
            if (s.hasPackets()) blocks++;
        }
        blocks = Math.min(blocks, 31);
        if (blocks == 0) return;
        ByteBuf out = room.allocator().heapBuffer(ReceiverReport.MIN_LENGTH + blocks * ReportBlock.LENGTH + Room.SRTP_TAIL_ROOM);
        ReceiverReport.write(out, feedbackSsrc, blocks);
        int written = 0;
        for (int i = 0, n = streams.size(); i < n && written < blocks; i++) {
            if (streams.get(i).hasPackets()) {
                streams.get(i).writeReportBlock(out, nowNs);
                written++;
            }
        }
        room.counters().reportsSent++;
        sender.sendRtcp(out);
    }

    /** Forgets its pending requests (it left). */
    void close() {
        for (KeyframeRequests k : keyframes) k.clear();
    }

    /**
     * The highest fraction lost of its streams in their last Receiver Report interval (0..1), or -1 before the
     * first report. On the loop.
     */
    public double lossFraction() {
        int worst = -1;
        for (RtpStreamRecv s : listener.streams()) worst = Math.max(worst, s.fractionLost());
        return worst < 0 ? -1 : worst / 256.0;
    }

    /** Its tracks and their layers now, for the dashboard; on the loop. */
    public Figures.Publisher figures(long nowNs) {
        List<Figures.Track> tracks = new ArrayList<>(producers.size());
        List<RtpStreamRecv> streams = listener.streams();
        for (Producer p : producers) {
            List<Figures.Layer> layers = new ArrayList<>(p.layerCount());
            for (int i = 0; i < p.layerCount(); i++) {
                long bitrate = 0;
                for (RtpStreamRecv s : streams) {
                    if (s.producer == p && s.layer == i) bitrate += s.bitrateBps(nowNs);
                }
                layers.add(new Figures.Layer(i, p.layerRid(i), p.layerSsrc(i), p.layer(i).active(nowNs), bitrate));
            }
            tracks.add(new Figures.Track(p.id(), p.mid(), p.kind().name().toLowerCase(java.util.Locale.ROOT), p.packetsIn(),
                    p.consumerCount(), List.copyOf(layers)));
        }
        double loss = lossFraction();
        return new Figures.Publisher(loss < 0 ? -1 : loss * 100, List.copyOf(tracks));
    }

    /** Missing sequence numbers of {@code producer}'s {@code layer} (0 for audio); for tests. */
    int missingCount(Producer producer, int layer) {
        int n = 0;
        for (RtpStreamRecv s : listener.streams()) {
            if (s.producer == producer && s.layer == layer) n += s.missingCount();
        }
        return n;
    }

    @Override
    public String toString() {
        return "Publisher" + producers;
    }
}
