package dev.junction.gateway.room;

import dev.junction.codec.rtcp.FullIntraRequest;
import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.Goodbye;
import dev.junction.codec.rtcp.PictureLossIndication;
import dev.junction.codec.rtcp.ReceiverReport;
import dev.junction.codec.rtcp.ReportBlock;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.RtcpParseError;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtcp.SenderReport;
import dev.junction.codec.rtcp.SourceDescription;
import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.transport.MediaSender;
import dev.junction.transport.WebRtcTransport;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * One WHEP session in a room: its {@link Slot}s, one per sending audio or video m-section with an
 * allocated {@code SendStream} (in offer order), and the handling of its RTCP feedback.
 *
 * <p>PLI and FIR (RFC 4585 §6.3.1, RFC 5104 §4.3.1) name one of our slot SSRCs; they become a
 * rate-limited keyframe request for the layer the slot's Consumer receives, sent upstream with the
 * publisher's SSRC. NACKs are answered from the Producer's {@link RetransmissionCache} by the slot's Consumer, as RTX
 * when the slot negotiated it.
 *
 * <p>Every {@link Room#REPORT_INTERVAL_NS} it sends a Sender Report per slot whose source's timing is
 * known (see {@link #handleTimeout}).
 *
 * <p>Threading: the room's event loop only. Buffers: {@link #handleRtcp} borrows the packet for the call.
 */
public final class Subscriber implements WebRtcTransport.MediaSink {
    // Passed by argument.
    private final Room room;
    private final NegotiatedSession session;
    private final MediaSender sender;

    // Allocated by this.
    private final List<Slot> slots = new ArrayList<>();
    /** The send-side estimate of this subscriber's bandwidth, null when it did not negotiate transport-cc. */
    private final SubscriberBwe bwe;

    // State, on the loop.
    private long nextReportNs;
    /** The highest fraction lost (over 256) of our streams in its last report, -1 before one. */
    private int fractionLost = -1;
    /** The round-trip time its last report block with an LSR gave, -1 before one. */
    private long rttNs = -1;

    Subscriber(Room room, NegotiatedSession session, MediaSender sender, long nowNs) {
        this.room = room;
        this.session = session;
        this.sender = sender;
        int transportCcId = transportCcId(session);
        this.bwe = transportCcId > 0 ? new SubscriberBwe(transportCcId, room.flyweights().feedbackResults, nowNs) : null;
        int audio = 0;
        int video = 0;
        for (NegotiatedMedia m : session.media()) {
            if (!m.sends() || m.sendStream().isEmpty()) {
                continue;
            }
            if (m.kind() == MediaKind.AUDIO) {
                slots.add(new Slot(this, m, m.sendStream().get(), audio++));
            } else if (m.kind() == MediaKind.VIDEO) {
                slots.add(new Slot(this, m, m.sendStream().get(), video++));
            }
        }
    }

    /**
     * The transport-wide sequence number's id on this leg (RFC 8843 §9.2: one id per URI across the bundle), 0 when
     * no sending m-section negotiated transport-cc ({@code media.subscriber-transport-cc off}, or a client without it).
     */
    private static int transportCcId(NegotiatedSession session) {
        for (NegotiatedMedia m : session.media()) {
            if (!m.sends()) continue;
            java.util.OptionalInt id = m.headerExtensionId(HeaderExtensionUri.TRANSPORT_CC);
            if (id.isPresent() && id.getAsInt() > 0 && id.getAsInt() < 256) return id.getAsInt();
        }
        return 0;
    }

    public Room room() {
        return room;
    }

    /** Its bandwidth estimation, null without transport-cc. */
    SubscriberBwe bwe() {
        return bwe;
    }

    /** Its bandwidth estimate in bps, -1 before its first transport-cc feedback (or without transport-cc). On the loop. */
    public long estimateBps() {
        return bwe != null && bwe.hasEstimate() ? bwe.estimateBps() : -1;
    }

    /** What the WHEP offer/answer negotiated. */
    public NegotiatedSession session() {
        return session;
    }

    MediaSender sender() {
        return sender;
    }

    /** Every slot, in offer order. */
    public List<Slot> slots() {
        return List.copyOf(slots);
    }

    List<Slot> slotList() {
        return slots;
    }

    /** The slot whose SSRC is {@code ssrc}, or null. */
    public Slot slotBySsrc(long ssrc) {
        for (int i = 0, n = slots.size(); i < n; i++) {
            Slot s = slots.get(i);
            if (s.ssrc() == ssrc) {
                return s;
            }
        }
        return null;
    }

    /** A WHEP session only receives media: RTP from it is dropped and counted. */
    @Override
    public void onRtp(WebRtcTransport transport, ByteBuf packet, long nowNs) {
        room.counters().drop(RoomDrop.SUBSCRIBER_RTP);
    }

    @Override
    public void onRtcp(WebRtcTransport transport, ByteBuf packet, long nowNs) {
        handleRtcp(packet, nowNs);
    }

    /** Handles one decrypted compound RTCP packet from this subscriber; borrowed for the call. */
    public void handleRtcp(ByteBuf packet, long nowNs) {
        room.counters().rtcpIn++;
        RtcpCompound compound = room.flyweights().compound;
        compound.wrap(packet, packet.readerIndex(), packet.readableBytes());
        while (compound.next()) {
            int type = compound.packetType();
            int format = compound.format();
            if (type == RtcpType.RR) {
                ReceiverReport rr = room.flyweights().receiverReport;
                if (rr.wrap(compound.buffer(), compound.offset(), compound.length())) {
                    onReceiverReport(rr, nowNs);
                } else {
                    room.counters().drop(RoomDrop.MALFORMED_RTCP);
                }
            } else if (type == RtcpType.PSFB && format == RtcpType.FMT_PLI) {
                PictureLossIndication pli = room.flyweights().pli;
                if (pli.wrap(compound.buffer(), compound.offset(), compound.length())) {
                    onKeyframeRequest(pli.mediaSsrc(), nowNs);
                } else {
                    room.counters().drop(RoomDrop.MALFORMED_RTCP);
                }
            } else if (type == RtcpType.PSFB && format == RtcpType.FMT_FIR) {
                FullIntraRequest fir = room.flyweights().fir;
                if (fir.wrap(compound.buffer(), compound.offset(), compound.length())) {
                    for (int i = 0, n = fir.entryCount(); i < n; i++) {
                        onKeyframeRequest(fir.ssrc(i), nowNs);
                    }
                } else {
                    room.counters().drop(RoomDrop.MALFORMED_RTCP);
                }
            } else if (type == RtcpType.RTPFB && format == RtcpType.FMT_TRANSPORT_CC) {
                TransportCcFeedback feedback = room.flyweights().transportCc;
                if (!feedback.wrap(compound.buffer(), compound.offset(), compound.length())) {
                    room.counters().drop(RoomDrop.MALFORMED_RTCP);
                } else if (bwe == null) {
                    room.counters().drop(RoomDrop.TRANSPORT_CC_FEEDBACK);
                } else {
                    room.counters().transportCcFeedbackIn++;
                    bwe.handleFeedback(feedback, nowNs);
                    allocate(nowNs);
                    room.wakeAt(bwe.nextTimeoutNs());
                }
            } else if (type == RtcpType.RTPFB && format == RtcpType.FMT_NACK) {
                GenericNack nack = room.flyweights().nack;
                if (nack.wrap(compound.buffer(), compound.offset(), compound.length())) {
                    onNack(nack, nowNs);
                } else {
                    room.counters().drop(RoomDrop.MALFORMED_RTCP);
                }
            }
        }
        if (compound.error() != RtcpParseError.NONE) {
            room.counters().drop(RoomDrop.MALFORMED_RTCP);
        }
    }

    /**
     * Takes the loss and the round-trip time from the blocks about our slots' streams (RFC 3550 §6.4.1): the
     * highest fraction lost, and RTT = now - LSR - DLSR in the compact NTP clock of our Sender Reports. A block
     * with no LSR (no Sender Report reached it yet) gives no RTT; one that comes out negative or over a minute
     * (a block about an SR from before a clock step, or a forged one) is ignored.
     */
    private void onReceiverReport(ReceiverReport rr, long nowNs) {
        ReportBlock block = room.flyweights().reportBlock;
        int worst = -1;
        long compactNow = (room.ntpTimestamp(nowNs) >>> 16) & 0xFFFF_FFFFL;
        for (int i = 0, n = rr.reportCount(); i < n; i++) {
            rr.reportBlock(i, block);
            if (slotBySsrc(block.ssrc()) == null) continue;
            worst = Math.max(worst, block.fractionLost());
            long lsr = block.lastSenderReport();
            if (lsr == 0) continue;
            long rtt = (compactNow - lsr - block.delaySinceLastSenderReport()) & 0xFFFF_FFFFL;
            if (rtt < MAX_RTT_COMPACT) rttNs = rtt * 1_000_000_000L >>> 16;
        }
        if (worst >= 0) fractionLost = worst;
        if (bwe != null && rttNs >= 0) bwe.handleRtt(rttNs, nowNs);
    }

    /** What the estimator is told the video slots want, over their best layers' bitrates: above {@link Consumer#UP_HEADROOM}. */
    static final double PROBE_HEADROOM = 1.3;

    /** Kept for each audio slot with a track before the video slots share the estimate: an Opus stream and its headers. */
    static final long AUDIO_RESERVE_BPS = 64_000;

    /**
     * Shares the estimate among the video slots (issue 11) and lets each slot's Consumer choose its layer from its
     * share: after {@link #AUDIO_RESERVE_BPS} per audio slot, an equal share each, and what a slot cannot use (its
     * best layer needs less) goes to the others, equally (one round of water-filling). Also tells the estimator what
     * the slots' best layers would take, so that it probes toward it. Nothing before the first feedback.
     */
    private void allocate(long nowNs) {
        if (bwe == null || !bwe.hasEstimate()) return;
        int video = 0;
        int audio = 0;
        long desired = 0;
        for (int i = 0, n = slots.size(); i < n; i++) {
            Consumer c = slots.get(i).consumer();
            if (c == null) continue;
            if (slots.get(i).kind() == MediaKind.VIDEO) {
                video++;
                // A slot held down by bandwidth wants its best layer with room to spare (a probe that confirms only
                // the bitrate itself would never clear UP_HEADROOM); one on its best layer wants what it gets.
                desired += c.reason() == LayerReason.BANDWIDTH ? (long) (c.demandBps(nowNs) * PROBE_HEADROOM) : c.demandBps(nowNs);
            } else {
                audio++;
                desired += AUDIO_RESERVE_BPS;
            }
        }
        bwe.handleDesiredBitrate(desired, nowNs);
        if (video == 0) return;
        long available = Math.max(0, bwe.estimateBps() - audio * AUDIO_RESERVE_BPS);
        long share = available / video;
        long spare = 0;
        int wanting = 0;
        for (int i = 0, n = slots.size(); i < n; i++) {
            Consumer c = slots.get(i).consumer();
            if (c == null || slots.get(i).kind() != MediaKind.VIDEO) continue;
            long demand = c.demandBps(nowNs);
            if (demand > 0 && demand * Consumer.UP_HEADROOM <= share) spare += share - (long) (demand * Consumer.UP_HEADROOM);
            else wanting++;
        }
        long extra = wanting == 0 ? 0 : spare / wanting;
        for (int i = 0, n = slots.size(); i < n; i++) {
            Consumer c = slots.get(i).consumer();
            if (c == null || slots.get(i).kind() != MediaKind.VIDEO) continue;
            long demand = c.demandBps(nowNs);
            boolean satisfied = demand > 0 && demand * Consumer.UP_HEADROOM <= share;
            c.setBudget(satisfied ? share : share + extra, nowNs);
        }
    }

    /**
     * How long a resent packet is given to arrive before a repeated NACK for it is answered again: the round-trip
     * time its last Receiver Report gave (at least {@link #MIN_RESEND_WINDOW_NS}), or {@link #DEFAULT_RESEND_WINDOW_NS}
     * before one.
     */
    long resendWindowNs() {
        return rttNs < 0 ? DEFAULT_RESEND_WINDOW_NS : Math.max(MIN_RESEND_WINDOW_NS, rttNs);
    }

    /** Before the first RTT: a typical browser path's round trip. */
    static final long DEFAULT_RESEND_WINDOW_NS = 100_000_000L;
    /** On loopback and LANs the RTT is a millisecond; a browser NACKs again no sooner than this anyway. */
    static final long MIN_RESEND_WINDOW_NS = 10_000_000L;

    /** 60 s in the compact NTP format (1/65536 s). */
    private static final long MAX_RTT_COMPACT = 60L << 16;

    /** The fraction lost its last Receiver Report gave for our streams (0..1), -1 before one. On the loop. */
    public double lossFraction() {
        return fractionLost < 0 ? -1 : fractionLost / 256.0;
    }

    /** The round-trip time its last Receiver Report gave, in nanoseconds, -1 before one. On the loop. */
    public long rttNs() {
        return rttNs;
    }

    /** Its slots, their layers and why, its loss and RTT, for the dashboard; on the loop. */
    public Figures.Subscriber figures(long nowNs) {
        List<Figures.Slot> out = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            Consumer c = s.consumer();
            out.add(new Figures.Slot(s.mid(), s.kind().name().toLowerCase(java.util.Locale.ROOT), c == null ? -1 : c.producer().id(),
                    c == null ? -1 : c.layer(), c == null ? -1 : c.targetLayer(), c == null ? "no track" : c.layerReason(),
                    c == null ? -1 : c.budgetBps(), s.packetsSent(), s.retransmissions(), s.packetsDropped(),
                    c == null ? "none" : c.reason().label(), c == null ? List.of() : layers(c.producer(), nowNs), s.preference(),
                    temporal(c, c == null ? -1 : c.temporalLayer(), nowNs), temporal(c, c == null ? -1 : c.targetTemporalLayer(), nowNs),
                    temporal(c, 0, nowNs) < 0 ? "none" : c.temporalReason().label()));
        }
        double loss = lossFraction();
        long delivered = bwe != null && bwe.hasEstimate() ? bwe.estimator().acknowledgedBitrateBps() : -1;
        return new Figures.Subscriber(loss < 0 ? -1 : loss * 100, rttNs < 0 ? -1 : rttNs / 1e6, estimateBps(), delivered <= 0 ? -1 : delivered,
                List.copyOf(out));
    }

    /**
     * A Consumer's temporal layer {@code t} as reported: capped at the highest its spatial layer carries, -1 for a
     * stream without temporal layers (or no Consumer).
     */
    private static int temporal(Consumer c, int t, long nowNs) {
        if (c == null || t < 0) return -1;
        int spatial = c.layer() >= 0 ? c.layer() : c.targetLayer();
        int highest = spatial < 0 ? -1 : c.producer().highestTemporalLayer(spatial, nowNs);
        return highest < 0 ? -1 : Math.min(t, highest);
    }

    /** {@code p}'s layers with their activity and bitrate as this loop measures them. */
    private static List<Figures.Layer> layers(Producer p, long nowNs) {
        List<Figures.Layer> out = new ArrayList<>(p.layerCount());
        for (int i = 0; i < p.layerCount(); i++) {
            out.add(new Figures.Layer(i, p.layerRid(i), p.layerSsrc(i), p.layerActive(i, nowNs), p.layerBitrateBps(i, nowNs)));
        }
        return List.copyOf(out);
    }

    /**
     * A viewer's preference from the WHEP layer endpoint: for the video slot whose mid is {@code mediaId} (or, when no
     * mid matches and it is a number, the m-section at that index, as the WHEP draft counts), or for every video slot
     * when {@code mediaId} is null. Checked against the slots' current tracks: a rid or layer index the track does not
     * have is refused. The Consumers choose again at once, and the estimate is shared again.
     *
     * @return null when applied, else why not (one line, for a 400)
     */
    public String applyPreference(String mediaId, ViewerPreference preference, long nowNs) {
        List<Slot> targets = new ArrayList<>();
        for (Slot s : slots) {
            if (s.kind() == MediaKind.VIDEO && (mediaId == null || s.mid().equals(mediaId))) targets.add(s);
        }
        if (mediaId != null && targets.isEmpty()) {
            Slot byIndex = slotAtMediaIndex(mediaId);
            if (byIndex != null && byIndex.kind() != MediaKind.VIDEO) return "mediaId " + mediaId + " is not a video m-section";
            if (byIndex == null) return "no video m-section with mediaId " + mediaId + "; video mids: " + videoMids();
            targets.add(byIndex);
        }
        if (targets.isEmpty()) return "this session receives no video";
        for (Slot s : targets) {
            Producer p = s.producer();
            if (p == null) continue;
            if (preference.maxSpatialRid() != null && !preference.spatialApplies(p)) {
                return "mid " + s.mid() + " has no layer with rid " + preference.maxSpatialRid() + "; its rids: " + rids(p);
            }
            if (preference.maxSpatialLayer() != ViewerPreference.NONE && !preference.spatialApplies(p)) {
                return "mid " + s.mid() + " has layers 0.." + (p.layerCount() - 1) + ", not " + preference.maxSpatialLayer();
            }
        }
        for (Slot s : targets) s.setPreference(preference, nowNs);
        allocate(nowNs);
        return null;
    }

    /** The slot of the m-section at index {@code mediaId} of the offer, or null (not a number, or no slot there). */
    private Slot slotAtMediaIndex(String mediaId) {
        int index;
        try {
            index = Integer.parseInt(mediaId);
        } catch (NumberFormatException e) {
            return null;
        }
        List<NegotiatedMedia> media = session.media();
        if (index < 0 || index >= media.size()) return null;
        for (Slot s : slots) {
            if (s.media() == media.get(index)) return s;
        }
        return null;
    }

    private String videoMids() {
        StringBuilder out = new StringBuilder();
        for (Slot s : slots) {
            if (s.kind() == MediaKind.VIDEO) out.append(out.isEmpty() ? "" : ", ").append(s.mid());
        }
        return out.isEmpty() ? "none" : out.toString();
    }

    private static String rids(Producer p) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < p.layerCount(); i++) out.append(i == 0 ? "" : ", ").append(p.layerRid(i));
        return p.layerRid(0).isEmpty() ? "none (no simulcast)" : out.toString();
    }

    /** Answers every sequence number of one NACK from the Producer's cache (RFC 4585 §6.2.1). */
    private void onNack(GenericNack nack, long nowNs) {
        Slot slot = slotBySsrc(nack.mediaSsrc());
        Consumer consumer = slot == null ? null : slot.consumer();
        if (consumer == null) {
            room.counters().drop(RoomDrop.FEEDBACK_UNKNOWN_SSRC);
            return;
        }
        nack.resetLost();
        long window = resendWindowNs();
        boolean withheld = false;
        for (int seq; (seq = nack.nextLost()) >= 0; ) {
            room.counters().nacksIn++;
            if (slot.resentWithin(seq, nowNs, window)) {
                room.counters().drop(RoomDrop.NACK_WITHIN_RTT);
            } else if (bwe != null && !bwe.resendFits(TYPICAL_RESEND_BYTES, nowNs)) {
                room.counters().drop(RoomDrop.NACK_OVER_BUDGET);
                withheld = true;
            } else if (consumer.retransmit(seq, nowNs)) {
                slot.markResent(seq, nowNs);
            } else {
                room.counters().drop(RoomDrop.NACK_UNANSWERED);
            }
        }
        if (withheld && slot.kind() == MediaKind.VIDEO) {
            // Congested: the subscriber's decoder recovers from a keyframe (rate-limited upstream), not from resends
            // into a full link (issue 11).
            room.counters().keyframesInsteadOfResends++;
            consumer.requestKeyframe(KeyframeCause.INSTEAD_OF_RESEND, nowNs);
        }
    }

    /** What one resend is taken to cost when checking the budget: a full video packet. */
    static final int TYPICAL_RESEND_BYTES = 1_200;

    /**
     * Asks every Producer filling one of this subscriber's slots for a keyframe (rate limited as usual).
     * Call it when the subscriber's transport connects: the keyframe requested when the slots were filled
     * went out while the transport could not send yet (DTLS), so the subscriber would otherwise wait for
     * the publisher's next periodic keyframe.
     */
    public void requestKeyframes(long nowNs) {
        for (int i = 0, n = slots.size(); i < n; i++) {
            Consumer c = slots.get(i).consumer();
            if (c != null) {
                c.requestKeyframe(KeyframeCause.JOIN, nowNs);
            }
        }
    }

    long nextReportNs() {
        return nextReportNs;
    }

    /** Its earliest timer: the next Sender Report, the estimator's periodic work, a probe's padding. */
    long nextTimeoutNs() {
        return bwe == null ? nextReportNs : Room.earlier(nextReportNs, bwe.nextTimeoutNs());
    }

    void startReports(long nowNs) {
        nextReportNs = Room.nextReportAfter(nowNs);
        room.wakeAt(nextReportNs);
    }

    /**
     * Sends one compound packet with a Sender Report (RFC 3550 §6.4.1) and an SDES CNAME for every slot
     * that has sent and whose source's NTP/RTP mapping is known (the publisher sent a Sender Report), when
     * due, then re-arms. The NTP time is our wall clock; the RTP time is the source's, extrapolated to now
     * from the publisher's Sender Report and shifted by the Consumer's timestamp offset, so the receiver
     * can line up audio and video of one publisher (lip sync).
     */
    void handleTimeout(long nowNs) {
        if (bwe != null) {
            bwe.handleTimeout(nowNs);
            pad(nowNs);
        }
        if (nowNs - nextReportNs < 0) {
            return;
        }
        nextReportNs = Room.nextReportAfter(nowNs);
        if (bwe != null && bwe.hasEstimate()) room.counters().observeEstimate(bwe.estimateBps());
        else applyBitrateCaps(nowNs);
        ByteBuf out = null;
        for (int i = 0, n = slots.size(); i < n; i++) {
            Slot slot = slots.get(i);
            Consumer c = slot.consumer();
            long rtp = c == null ? -1 : c.senderReportTimestamp(nowNs);
            if (rtp < 0) {
                continue;
            }
            if (out == null) {
                out = room.allocator().heapBuffer(slots.size() * (SenderReport.MIN_LENGTH + 24) + 8 + Room.SRTP_TAIL_ROOM);
            }
            SenderReport.write(out, slot.ssrc(), room.ntpTimestamp(nowNs), rtp, slot.packetsSent(), slot.payloadBytesSent(), 0);
            SourceDescription.writeCname(out, slot.ssrc(), slot.cname());
        }
        if (out != null) {
            room.counters().reportsSent++;
            sender.sendRtcp(out);
        }
    }

    /**
     * Without an estimate nothing else makes a Consumer choose again as its layers' bitrates become known, so a
     * viewer's bitrate cap is weighed here, once per report interval (with one, every feedback does it).
     */
    private void applyBitrateCaps(long nowNs) {
        for (int i = 0, n = slots.size(); i < n; i++) {
            Slot s = slots.get(i);
            if (s.consumer() != null && s.preference().maxBitrateBps() != ViewerPreference.NONE) s.consumer().chooseLayer(nowNs, LayerReason.PREFERENCE);
        }
    }

    /** Most padding packets one timer firing sends: a probe cluster's worth at 20 Mbit/s over 10 ms. */
    private static final int MAX_PADDING_PACKETS = 100;

    /**
     * Tops up an active probe cluster with padding-only RTX packets on the first video slot that can send them, while a
     * video slot is held below its best layer by bandwidth: otherwise more capacity would change nothing, and the probe
     * measures the media alone.
     */
    private void pad(long nowNs) {
        long wanted = bwe.paddingBytes(nowNs);
        if (wanted <= 0 || !heldByBandwidth()) return;
        for (int i = 0, n = slots.size(); i < n; i++) {
            Consumer c = slots.get(i).consumer();
            if (c == null || slots.get(i).kind() != MediaKind.VIDEO) continue;
            for (int sent = 0; sent < MAX_PADDING_PACKETS && (wanted = bwe.paddingBytes(nowNs)) > 0; sent++) {
                if (!c.sendPadding((int) Math.min(wanted, 255), nowNs)) break;
            }
            if (bwe.paddingBytes(nowNs) <= 0) return;
        }
    }

    private boolean heldByBandwidth() {
        for (int i = 0, n = slots.size(); i < n; i++) {
            Consumer c = slots.get(i).consumer();
            if (c != null && c.reason() == LayerReason.BANDWIDTH) return true;
        }
        return false;
    }

    /**
     * RTCP BYE for every SSRC this subscriber receives from us (RFC 3550 §6.6), in a compound that starts with an
     * empty Receiver Report as §6.1 asks: the streams end here (the server is shutting down).
     */
    void sayGoodbye(byte[] reason) {
        long[] sources = new long[31];
        int n = 0;
        for (int i = 0; i < slots.size() && n < sources.length; i++) {
            Slot slot = slots.get(i);
            sources[n++] = slot.ssrc();
            if (slot.rtxSsrc() >= 0 && n < sources.length) sources[n++] = slot.rtxSsrc();
        }
        if (n == 0) return;
        ByteBuf out = room.allocator().heapBuffer(8 + 4 + 4 * n + 4 + reason.length + 4 + Room.SRTP_TAIL_ROOM);
        ReceiverReport.write(out, sources[0], 0);
        Goodbye.write(out, sources, n, reason);
        sender.sendRtcp(out);
    }

    private void onKeyframeRequest(long mediaSsrc, long nowNs) {
        Slot slot = slotBySsrc(mediaSsrc);
        Consumer consumer = slot == null ? null : slot.consumer();
        if (consumer == null) {
            room.counters().drop(RoomDrop.FEEDBACK_UNKNOWN_SSRC);
            return;
        }
        room.counters().keyframeRequestsIn++;
        consumer.requestKeyframe(KeyframeCause.VIEWER, nowNs);
    }

    @Override
    public String toString() {
        return "Subscriber" + slots;
    }
}
