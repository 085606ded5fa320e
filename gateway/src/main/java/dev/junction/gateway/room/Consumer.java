package dev.junction.gateway.room;

import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.SerialNumber;
import io.netty.buffer.ByteBuf;

/**
 * One Producer's track forwarded into one subscriber {@link Slot}: the per-packet rewrite. For every
 * packet it makes the one egress copy (a pooled heap buffer with {@link Room#SRTP_TAIL_ROOM} bytes of tail
 * room for the SRTP tag), rewrites SSRC, sequence number, timestamp, payload type and header-extension
 * ids in place, and hands the copy to the subscriber's {@code MediaSender}.
 *
 * <p>Numbering: {@code out = in + offset} (mod 2^16 for sequence numbers, 2^32 for timestamps). The
 * offsets are recomputed when the source changes (a new Consumer on a slot that already sent, or the
 * Producer switched simulcast layer): the next sequence number is the slot's last + 1, and the timestamp
 * the slot's last plus the wall-clock time since then in the codec's clock rate (at least 1), so the
 * receiver's jitter buffer sees a plausible stream and no jump (as Jitsi's and mediasoup's RTP rewriters
 * do). The new source is forwarded from its first packet, keyframe or not (the switch requests one).
 *
 * <p>Threading: the room's event loop only. Buffers: the ingress packet is borrowed and never written;
 * the copy is owned by the {@code MediaSender} once passed to it.
 */
public final class Consumer {
    // Passed by argument.
    private final Slot slot;
    private final Producer producer;
    private final RtpMapping mapping;
    private final Room room;

    // State, on the loop.
    private int epoch = -1;
    /** The source sequence number of the first packet forwarded in {@link #epoch}. */
    private int epochFirstSequenceNumber;
    private int sequenceOffset;
    private long timestampOffset;

    Consumer(Room room, Slot slot, Producer producer, RtpMapping mapping) {
        this.room = room;
        this.slot = slot;
        this.producer = producer;
        this.mapping = mapping;
    }

    public Slot slot() {
        return slot;
    }

    public Producer producer() {
        return producer;
    }

    /** Copies, rewrites and sends one packet; {@code in} stays borrowed and unmodified. */
    void forward(RtpPacket in, long nowNs) {
        int outPt = mapping.payloadType(in.payloadType());
        if (outPt == RtpMapping.NOT_NEGOTIATED) {
            room.counters().drop(RoomDrop.CODEC_NOT_NEGOTIATED);
            slot.countDrop();
            return;
        }
        if (epoch != producer.sourceEpoch()) {
            resynchronise(in, nowNs);
        }
        int length = in.length();
        ByteBuf out = room.allocator().heapBuffer(length + Room.SRTP_TAIL_ROOM);
        out.writeBytes(in.buffer(), in.offset(), length);
        int seq = (in.sequenceNumber() + sequenceOffset) & 0xFFFF;
        long ts = (in.timestamp() + timestampOffset) & 0xFFFF_FFFFL;
        if (!rewrite(out, length, slot.ssrc(), seq, ts, outPt, in.hasExtension())) {
            return;
        }
        slot.onSent(seq, ts, nowNs);
        slot.addPayloadBytes(in.payloadLength());
        if (slot.subscriber().sender().sendRtp(out)) {
            room.counters().rtpForwarded++;
            room.counters().bytesForwarded += length;
        } else {
            room.counters().drop(RoomDrop.SEND_REFUSED);
            slot.countDrop();
        }
    }

    /**
     * Forwards a packet recovered from the publisher (a late, older sequence number) if this Consumer
     * still needs it: it has started on the current source, at or before that packet. Sent with this
     * Consumer's numbering, so the subscriber's jitter buffer fills the hole; {@code in} stays borrowed.
     */
    void forwardLate(RtpPacket in, long nowNs) {
        if (epoch != producer.sourceEpoch()
                || SerialNumber.isNewer16(epochFirstSequenceNumber, in.sequenceNumber())) {
            return;
        }
        forward(in, nowNs);
    }

    /**
     * Resends the packet this slot sent with sequence number {@code outSeq}, from the Producer's cache:
     * as RTX (RFC 4588 §4: own SSRC, payload type and numbering, the original sequence number in the
     * first two payload bytes) when the slot negotiated RTX for the codec, else as the same packet again.
     *
     * @return false when the packet is no longer (or was never) cached, or is from an earlier source
     */
    boolean retransmit(int outSeq, long nowNs) {
        RetransmissionCache cache = producer.cache();
        RtpPacket cached = room.cachedPacket();
        if (cache == null || epoch != producer.sourceEpoch()
                || !cache.find((outSeq - sequenceOffset) & 0xFFFF, epoch, nowNs, cached)) {
            return false;
        }
        int outPt = mapping.payloadType(cached.payloadType());
        if (outPt == RtpMapping.NOT_NEGOTIATED) {
            return false;
        }
        long ts = (cached.timestamp() + timestampOffset) & 0xFFFF_FFFFL;
        int rtxPt = mapping.rtxPayloadType(outPt);
        long rtxSsrc = slot.rtxSsrc();
        ByteBuf out;
        int length;
        if (rtxPt != RtpMapping.NOT_NEGOTIATED && rtxSsrc >= 0) {
            // RTX payload: OSN, then the original payload; the original padding is not repeated.
            int header = cached.headerLength();
            int payload = cached.payloadLength();
            length = header + 2 + payload;
            out = room.allocator().heapBuffer(length + Room.SRTP_TAIL_ROOM);
            out.writeBytes(cached.buffer(), cached.offset(), header);
            out.writeShort(outSeq);
            out.writeBytes(cached.buffer(), cached.payloadOffset(), payload);
            out.setByte(0, out.getByte(0) & ~0x20);
            if (!rewrite(out, length, rtxSsrc, slot.nextRtxSequenceNumber(), ts, rtxPt, cached.hasExtension())) {
                return false;
            }
        } else {
            length = cached.length();
            out = room.allocator().heapBuffer(length + Room.SRTP_TAIL_ROOM);
            out.writeBytes(cached.buffer(), cached.offset(), length);
            if (!rewrite(out, length, slot.ssrc(), outSeq, ts, outPt, cached.hasExtension())) {
                return false;
            }
        }
        slot.onRetransmitted();
        if (slot.subscriber().sender().sendRtp(out)) {
            room.counters().retransmissions++;
            return true;
        }
        room.counters().drop(RoomDrop.SEND_REFUSED);
        return false;
    }

    /**
     * The RTP time of this slot at {@code nowNs} for its Sender Report, or -1 while the current source's
     * mapping is unknown (no Sender Report from the publisher yet, or nothing forwarded since a switch).
     */
    long senderReportTimestamp(long nowNs) {
        if (!slot.hasSent() || epoch != producer.sourceEpoch()) {
            return -1;
        }
        long source = producer.rtpTimestampAt(nowNs);
        return source < 0 ? -1 : (source + timestampOffset) & 0xFFFF_FFFFL;
    }

    /** Rewrites the copy in {@code out} in place; releases it and returns false if it does not parse. */
    private boolean rewrite(ByteBuf out, int length, long ssrc, int seq, long ts, int pt, boolean extensions) {
        RtpPacket egress = room.egressPacket();
        if (!egress.wrap(out, out.readerIndex(), length)) {
            // Cannot happen for a copy of a packet that parsed; kept so a bug never sends garbage.
            out.release();
            room.counters().drop(RoomDrop.MALFORMED_RTP);
            return false;
        }
        egress.setSsrc(ssrc);
        egress.setSequenceNumber(seq);
        egress.setTimestamp(ts);
        egress.setPayloadType(pt);
        if (extensions) {
            egress.rewriteExtensionIds(mapping.extensionIds());
        }
        return true;
    }

    private void resynchronise(RtpPacket in, long nowNs) {
        epoch = producer.sourceEpoch();
        epochFirstSequenceNumber = in.sequenceNumber();
        if (!slot.hasSent()) {
            // A fresh slot keeps the source's own numbering.
            sequenceOffset = 0;
            timestampOffset = 0;
            return;
        }
        room.counters().sourceSwitches++;
        int nextSeq = (slot.lastSequenceNumber() + 1) & 0xFFFF;
        // Clamped to an hour so the product below cannot overflow; beyond that any jump is plausible.
        long elapsedUs = Math.min(Math.max(0, nowNs - slot.lastSentNs()) / 1_000, 3_600_000_000L);
        long clockRate = mapping.clockRate(in.payloadType());
        long deltaTicks = Math.max(1, elapsedUs * clockRate / 1_000_000);
        long nextTs = (slot.lastTimestamp() + deltaTicks) & 0xFFFF_FFFFL;
        sequenceOffset = (nextSeq - in.sequenceNumber()) & 0xFFFF;
        timestampOffset = (nextTs - in.timestamp()) & 0xFFFF_FFFFL;
    }

    @Override
    public String toString() {
        return "Consumer[" + producer + " -> " + slot + "]";
    }
}
