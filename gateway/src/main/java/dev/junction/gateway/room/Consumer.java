package dev.junction.gateway.room;

import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.SerialNumber;
import io.netty.buffer.ByteBuf;

/**
 * One Producer's track forwarded into one subscriber {@link Slot}: the layer this subscriber receives, and the
 * per-packet rewrite. For every packet it makes the one egress copy (a pooled heap buffer with
 * {@link Room#SRTP_TAIL_ROOM} bytes of tail room for the SRTP tag), rewrites SSRC, sequence number, timestamp,
 * payload type and header-extension ids in place, and hands the copy to the subscriber's {@code MediaSender}.
 *
 * <p>Layer choice: each Consumer chooses its own simulcast layer ({@link #chooseLayer}); the default policy is
 * the highest active layer, so bandwidth adaptation (a per-subscriber estimate, preferences) has one place to
 * go. The Producer moves it to its target layer at that layer's next packet.
 *
 * <p>Numbering: {@code out = in + offset} (mod 2^16 for sequence numbers, 2^32 for timestamps). The offsets are
 * recomputed when the source changes (a new Consumer on a slot that already sent, a layer switch, or the layer's
 * SSRC changing): the next sequence number is the slot's last + 1, and the timestamp the slot's last plus the
 * wall-clock time since then in the codec's clock rate (at least 1), so the receiver's jitter buffer sees a
 * plausible stream and no jump (as Jitsi's and mediasoup's RTP rewriters do).
 *
 * <p>Threading: the room's event loop only. Buffers: the ingress packet is borrowed and never written; the
 * copy is owned by the {@code MediaSender} once passed to it.
 */
public final class Consumer {
    /** Half the sequence space: serial comparison with the epoch's first number is only meaningful below this. */
    private static final int LONG_AGO = 0x8000;

    // Passed by argument.
    private final Slot slot;
    private final Producer producer;
    private final RtpMapping mapping;
    private final Room room;

    // State, on the loop.
    /** The layer forwarded now, -1 before the first switch. */
    private int layer = -1;
    /** The layer this Consumer wants, -1 for none. */
    private int targetLayer = -1;
    /** The layer generation the numbering below belongs to; -1 forces a resynchronisation. */
    private int generation = -1;
    /** The source sequence number of the first packet forwarded since the last resynchronisation. */
    private int epochFirstSequenceNumber;
    /** Packets forwarded since then, counted up to {@link #LONG_AGO} (beyond it every cached packet is newer). */
    private int sinceResync;
    private int sequenceOffset;
    private long timestampOffset;
    /** The current numbering continues another source's (the slot had sent before the last resynchronisation). */
    private boolean renumbered;

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

    /** The layer this subscriber receives now, -1 before its first packet. */
    public int layer() {
        return layer;
    }

    /** The highest layer this subscriber may receive (its preference); all by default. */
    private int maxLayer = Integer.MAX_VALUE;
    /** Why {@link #targetLayer} was chosen (a constant or one string per choice, never per packet). */
    private String reason = "not chosen yet";

    /** Why its target layer was chosen, in words (the dashboard shows it). */
    public String layerReason() {
        return reason;
    }

    /** The layer it is about to switch to (its layer when it is not switching), -1 for none. */
    public int targetLayer() {
        return targetLayer;
    }

    /** Caps the layers this subscriber receives at {@code max} (a viewer's preference) and chooses again. */
    void setMaxLayer(int max, long nowNs) {
        maxLayer = Math.max(0, max);
        chooseLayer(nowNs);
    }

    /**
     * Chooses the layer this subscriber should receive: the highest active one up to its cap (no active layer:
     * keep the current). Called by the Producer when layer activity changes; the switch happens at the chosen
     * layer's next packet.
     */
    void chooseLayer(long nowNs) {
        int best = producer.highestActiveLayer(maxLayer, nowNs);
        int wanted = best >= 0 ? best : layer;
        if (best < 0) {
            reason = "no active layer: keeps its current one";
        } else if (maxLayer < producer.layerCount() - 1 && best == maxLayer) {
            reason = "capped at layer " + maxLayer + " (viewer preference)";
        } else {
            reason = "highest active layer";
        }
        if (wanted == targetLayer) return;
        producer.retarget(this, targetLayer, wanted);
        targetLayer = wanted;
    }

    /** Now on {@code newLayer} (called by the Producer as it moves this Consumer): renumber at the next packet. */
    void onSwitched(int newLayer, long nowNs) {
        layer = newLayer;
        generation = -1;
    }

    /** Copies, rewrites and sends one packet of this Consumer's layer; {@code in} stays borrowed and unmodified. */
    void forward(RtpPacket in, long nowNs) {
        int outPt = mapping.payloadType(in.payloadType());
        if (outPt == RtpMapping.NOT_NEGOTIATED) {
            room.counters().drop(RoomDrop.CODEC_NOT_NEGOTIATED);
            slot.countDrop();
            return;
        }
        ProducerLayer source = producer.layer(layer);
        if (generation != source.generation) {
            // generation >= 0: the layer's encoder restarted under a Consumer already forwarding it (a switch left
            // -1). Its decoder must not get the new stream's delta frames first: wait for its keyframe, as at a switch.
            if (generation >= 0 && !producer.startsKeyframe(in)) {
                room.counters().drop(RoomDrop.AWAITING_KEYFRAME);
                producer.awaitKeyframe(layer, nowNs);
                return;
            }
            resynchronise(in, source.generation, nowNs);
        } else if (renumbered && !sinceResync(in.sequenceNumber())) {
            // NOTE: reordered packets of this source from before the switch packet would be numbered below it, on
            // numbers the previous source already used; the subscriber's decoder started at the switch anyway.
            room.counters().drop(RoomDrop.BEFORE_SWITCH);
            return;
        }
        int length = in.length();
        ByteBuf out = room.allocator().heapBuffer(length + Room.SRTP_TAIL_ROOM);
        out.writeBytes(in.buffer(), in.offset(), length);
        int seq = (in.sequenceNumber() + sequenceOffset) & 0xFFFF;
        long ts = (in.timestamp() + timestampOffset) & 0xFFFF_FFFFL;
        RtpPacket.rewriteHeader(out, out.readerIndex(), slot.ssrc(), seq, ts, outPt);
        if (in.hasExtension()) in.rewriteExtensionIdsInto(out, out.readerIndex(), mapping.extensionIds());
        slot.onSent(seq, ts, nowNs);
        slot.addPayloadBytes(in.payloadLength());
        if (sinceResync < LONG_AGO) sinceResync++;
        if (slot.subscriber().sender().sendRtp(out)) {
            room.counters().rtpForwarded++;
            room.counters().bytesForwarded += length;
        } else {
            room.counters().drop(RoomDrop.SEND_REFUSED);
            slot.countDrop();
        }
    }

    /**
     * Forwards a packet recovered late (an older sequence number) if this Consumer still needs it: it has started
     * on the current source at or before that packet. Sent with this Consumer's numbering, so the subscriber's
     * jitter buffer fills the hole; {@code in} stays borrowed.
     */
    void forwardLate(RtpPacket in, long nowNs) {
        if (generation != producer.layer(layer).generation || !sinceResync(in.sequenceNumber())) return;
        forward(in, nowNs);
    }

    /** Whether source sequence number {@code seq} is from this Consumer's current numbering (not before its last switch). */
    private boolean sinceResync(int seq) {
        return sinceResync >= LONG_AGO || !SerialNumber.isNewer16(epochFirstSequenceNumber, seq);
    }

    /**
     * Resends the packet this slot sent with sequence number {@code outSeq}, from the layer's cache: as RTX
     * (RFC 4588 §4: own SSRC, payload type and numbering, the original sequence number in the first two payload
     * bytes) when the slot negotiated RTX for the codec, else as the same packet again. A packet this loop's
     * cache lacks is asked of the upstream (a pipe's home loop), which forwards it late when it has it.
     *
     * @return false when the packet is not cached here, or is from before this Consumer's current source
     */
    boolean retransmit(int outSeq, long nowNs) {
        if (layer < 0) return false;
        ProducerLayer source = producer.layer(layer);
        int inSeq = (outSeq - sequenceOffset) & 0xFFFF;
        if (source.cache == null || generation != source.generation || !sinceResync(inSeq)) {
            return false;
        }
        RtpPacket cached = room.flyweights().cached;
        if (!source.cache.find(inSeq, source.ssrc, nowNs, cached)) {
            // Only what the upstream's cache may still hold is asked for: one request per recent number, never a
            // storm of old ones (a subscriber NACKing numbers long gone).
            int age = SerialNumber.diff16(slot.lastSequenceNumber(), outSeq);
            if (age >= 0 && age < RetransmissionCache.CAPACITY && producer.requestRepair(layer, inSeq)) {
                room.counters().repairsRequested++;
            }
            return false;
        }
        int outPt = mapping.payloadType(cached.payloadType());
        if (outPt == RtpMapping.NOT_NEGOTIATED) return false;
        long ts = (cached.timestamp() + timestampOffset) & 0xFFFF_FFFFL;
        int rtxPt = mapping.rtxPayloadType(outPt);
        long rtxSsrc = slot.rtxSsrc();
        ByteBuf out;
        if (rtxPt != RtpMapping.NOT_NEGOTIATED && rtxSsrc >= 0) {
            // RTX payload: OSN, then the original payload; the original padding is not repeated.
            int header = cached.headerLength();
            int payload = cached.payloadLength();
            out = room.allocator().heapBuffer(header + 2 + payload + Room.SRTP_TAIL_ROOM);
            out.writeBytes(cached.buffer(), cached.offset(), header);
            out.writeShort(outSeq);
            out.writeBytes(cached.buffer(), cached.payloadOffset(), payload);
            out.setByte(0, out.getByte(0) & ~0x20);
            RtpPacket.rewriteHeader(out, out.readerIndex(), rtxSsrc, slot.nextRtxSequenceNumber(), ts, rtxPt);
        } else {
            out = room.allocator().heapBuffer(cached.length() + Room.SRTP_TAIL_ROOM);
            out.writeBytes(cached.buffer(), cached.offset(), cached.length());
            RtpPacket.rewriteHeader(out, out.readerIndex(), slot.ssrc(), outSeq, ts, outPt);
        }
        if (cached.hasExtension()) cached.rewriteExtensionIdsInto(out, out.readerIndex(), mapping.extensionIds());
        slot.onRetransmitted();
        if (slot.subscriber().sender().sendRtp(out)) {
            room.counters().retransmissions++;
            return true;
        }
        room.counters().drop(RoomDrop.SEND_REFUSED);
        return false;
    }

    /**
     * The RTP time of this slot at {@code nowNs} for its Sender Report, or -1 while the current source's mapping
     * is unknown (no Sender Report from the publisher yet, or nothing forwarded since a switch).
     */
    long senderReportTimestamp(long nowNs) {
        if (!slot.hasSent() || layer < 0 || generation != producer.layer(layer).generation) return -1;
        long source = producer.rtpTimestampAt(layer, nowNs);
        return source < 0 ? -1 : (source + timestampOffset) & 0xFFFF_FFFFL;
    }

    /** A keyframe of the layer this subscriber receives (or is about to). */
    void requestKeyframe(long nowNs) {
        producer.requestKeyframe(layer >= 0 ? layer : targetLayer, nowNs);
    }

    private void resynchronise(RtpPacket in, int sourceGeneration, long nowNs) {
        generation = sourceGeneration;
        epochFirstSequenceNumber = in.sequenceNumber();
        sinceResync = 0;
        renumbered = slot.hasSent();
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
        return "Consumer[" + producer + " layer " + layer + " -> " + slot + "]";
    }
}
