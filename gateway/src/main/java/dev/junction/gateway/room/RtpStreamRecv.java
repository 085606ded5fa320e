package dev.junction.gateway.room;

import dev.junction.codec.rtp.RtpPacket;
import io.netty.buffer.ByteBuf;

/**
 * One incoming RTP stream of a publisher: one SSRC, one simulcast layer of one Producer (mediasoup's
 * RtpStreamRecv). It keeps what the publisher leg needs: reception statistics for our Receiver Reports, the
 * missing sequence numbers we NACK (video codecs with {@code nack}), the publisher's last Sender Report, RTX
 * repair, and the bitrate. What it accepts goes on to its Producer.
 *
 * <p>RTX (RFC 4588 §4): an answer on the stream's RTX SSRC carries the original sequence number in its first two
 * payload bytes. When that number is missing here, the original is rebuilt in a pooled buffer (the one copy; the
 * borrowed RTX packet is never written) and handed on as a repair; anything else on the RTX SSRC (a duplicate
 * answer, one too old, padding-only bandwidth probes) is dropped as {@link RoomDrop#PUBLISHER_RTX}.
 *
 * <p>Sans-IO: time comes in as {@code nowNs}. Threading: the publisher's loop only. Buffers: packets are
 * borrowed; the rebuilt original is released before {@link #onRtx} returns.
 */
final class RtpStreamRecv {
    private static final long BITRATE_WINDOW_NS = 1_000_000_000L;

    final Producer producer;
    final int layer;
    final long ssrc;
    private final ReceiveStatistics statistics = new ReceiveStatistics();
    /** Video only (null for audio: browsers negotiate no NACK for Opus, it has in-band FEC instead). */
    private final MissingPackets missing;

    private long windowStartNs;
    private long windowBytes;
    private long bitrateBps;

    RtpStreamRecv(Producer producer, int layer, long ssrc) {
        this.producer = producer;
        this.layer = layer;
        this.ssrc = ssrc;
        this.missing = producer.layer(layer).cache != null ? new MissingPackets() : null;
    }

    /** Counts one packet of the primary stream; false when it must not be forwarded. */
    void onPacket(RtpPacket rtp, long nowNs) {
        statistics.onPacket(rtp.sequenceNumber(), rtp.timestamp(), producer.codecs().clockRate(), nowNs);
        countBytes(rtp.length(), nowNs);
        if (missing == null) return;
        if (producer.codecs().nacks(rtp.payloadType())) {
            boolean hadNothingDue = missing.nextTimeoutNs() == Long.MAX_VALUE;
            if (missing.onPacket(rtp.sequenceNumber(), nowNs) == MissingPackets.RECOVERED) {
                // The original came after all, after a NACK (late, or resent without RTX).
                producer.room().counters().packetsRecoveredUpstream++;
            }
            if (hadNothingDue && missing.nextTimeoutNs() != Long.MAX_VALUE) producer.room().wakeAt(missing.nextTimeoutNs());
        } else {
            missing.reset();
        }
    }

    /**
     * Handles one RTX packet (RFC 4588 §4) answering this stream's losses; borrowed. When it answers a missing
     * sequence number, the original is rebuilt, counted and handed to the Producer as a repair.
     */
    void onRtx(RtpPacket rtx, long nowNs) {
        RoomCounters counters = producer.room().counters();
        int primaryPt = producer.codecs().associatedPayloadType(rtx.payloadType());
        // Padding-only RTX (bandwidth probing) has no OSN.
        if (missing == null || primaryPt == TrackCodecs.NONE || rtx.payloadLength() < 2) {
            counters.drop(RoomDrop.PUBLISHER_RTX);
            return;
        }
        int osn = rtx.buffer().getUnsignedShort(rtx.payloadOffset());
        if (!missing.recover(osn)) {
            counters.drop(RoomDrop.PUBLISHER_RTX);
            return;
        }
        counters.packetsRecoveredUpstream++;
        statistics.onRecoveredPacket(osn);
        int header = rtx.headerLength();
        int payload = rtx.payloadLength() - 2;
        ByteBuf original = producer.room().allocator().heapBuffer(header + payload);
        try {
            original.writeBytes(rtx.buffer(), rtx.offset(), header);
            original.writeBytes(rtx.buffer(), rtx.payloadOffset() + 2, payload);
            // The RTX packet's padding was its own; the original is rebuilt without any.
            original.setByte(0, original.getByte(0) & ~0x20);
            RtpPacket.rewriteHeader(original, 0, ssrc, osn, rtx.timestamp(), primaryPt);
            RtpPacket rtp = producer.room().flyweights().recovered;
            if (!rtp.wrap(original, original.readerIndex(), original.readableBytes())) {
                counters.drop(RoomDrop.MALFORMED_RTP);
                return;
            }
            producer.onRepair(layer, rtp, nowNs);
        } finally {
            original.release();
        }
    }

    /** The publisher's Sender Report for this stream (RFC 3550 §6.4.1). */
    void onSenderReport(long compactNtp, long rtpTimestamp, long nowNs) {
        statistics.onSenderReport(compactNtp, nowNs);
        producer.onSenderReport(layer, rtpTimestamp, nowNs);
    }

    boolean hasPackets() {
        return statistics.hasPackets();
    }

    /** Writes this stream's Receiver Report block (RFC 3550 §6.4.2). */
    void writeReportBlock(ByteBuf out, long nowNs) {
        statistics.writeBlock(out, ssrc, nowNs);
    }

    /** When a NACK may be due, {@link Long#MAX_VALUE} for none. */
    long nextNackNs() {
        return missing == null ? Long.MAX_VALUE : missing.nextTimeoutNs();
    }

    /** Copies the sequence numbers due for a NACK into {@code due}; returns how many. */
    int collectNackDue(long nowNs, int[] due) {
        return missing == null ? 0 : missing.collectDue(nowNs, due);
    }

    /** Sequence numbers missing now (0 for audio). */
    int missingCount() {
        return missing == null ? 0 : missing.count();
    }

    /** Bits per second over the last full second. */
    long bitrateBps() {
        return bitrateBps;
    }

    /** As {@link #bitrateBps()}, but 0 once no packet has come for two windows (a stopped layer). */
    long bitrateBps(long nowNs) {
        return nowNs - windowStartNs < 2 * BITRATE_WINDOW_NS ? bitrateBps : 0;
    }

    /** The fraction lost in the last Receiver Report interval, over 256; -1 before the first report. */
    int fractionLost() {
        return statistics.fractionLost();
    }

    private void countBytes(int bytes, long nowNs) {
        if (nowNs - windowStartNs >= BITRATE_WINDOW_NS) {
            bitrateBps = nowNs - windowStartNs < 2 * BITRATE_WINDOW_NS ? windowBytes * 8 : 0;
            windowStartNs = nowNs;
            windowBytes = 0;
        }
        windowBytes += bytes;
    }

    @Override
    public String toString() {
        return "RtpStreamRecv[ssrc=" + ssrc + " layer=" + layer + " of " + producer + "]";
    }
}
