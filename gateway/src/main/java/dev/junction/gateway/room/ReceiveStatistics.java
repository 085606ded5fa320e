package dev.junction.gateway.room;

import dev.junction.codec.rtcp.ReportBlock;
import dev.junction.codec.rtp.SerialNumber;
import io.netty.buffer.ByteBuf;

/**
 * Reception statistics of one incoming RTP stream (one simulcast layer of a Producer), for the report
 * block of the Receiver Reports Junction sends to publishers (RFC 3550 §6.4.1): loss from the extended
 * sequence numbers (Appendix A.3), interarrival jitter (Appendix A.8) and the LSR/DLSR echo of the
 * publisher's last Sender Report, from which the publisher computes the round-trip time.
 *
 * <p>Sans-IO: arrival times come in as {@code nowNs}. Threading: the room's event loop only.
 */
final class ReceiveStatistics {
    /** DLSR is a 32-bit count of 1/65536 s: at most about 18 hours; also keeps the product in range. */
    private static final long MAX_DLSR_NS = 65_535L * 1_000_000_000L;
    private final SerialNumber.Unwrapper sequenceNumbers = new SerialNumber.Unwrapper();
    private long baseExtended;
    private long received;
    private long expectedPrior;
    private long receivedPrior;

    /** Jitter in timestamp units, scaled by 16 as in RFC 3550 A.8 to keep integer precision. */
    private long jitterQ4;
    /** The fraction lost of the last report block written, over 256; -1 before the first. */
    private int lastFractionLost = -1;
    private boolean haveTransit;
    private long firstArrivalNs;
    private int lastTransit;

    private boolean haveSenderReport;
    private long lastSenderReportCompactNtp;
    private long lastSenderReportNs;

    /** Counts one packet with sequence number {@code seq} and RTP timestamp {@code timestamp}. */
    void onPacket(int seq, long timestamp, int clockRate, long nowNs) {
        long extended = sequenceNumbers.unwrap(seq);
        if (received == 0 || extended < baseExtended) {
            baseExtended = extended;
        }
        received++;
        if (clockRate <= 0) {
            return;
        }
        if (!haveTransit) {
            firstArrivalNs = nowNs;
        }
        // Arrival in timestamp units, relative to the first packet so the product cannot overflow;
        // transit differences are taken modulo 2^32 like the timestamps themselves.
        long arrivalTicks = (nowNs - firstArrivalNs) / 1_000 * clockRate / 1_000_000;
        int transit = (int) (arrivalTicks - timestamp);
        if (haveTransit) {
            long d = Math.abs((long) transit - lastTransit);
            if (d < 0x4000_0000L) {
                jitterQ4 += d - ((jitterQ4 + 8) >> 4);
            }
        }
        lastTransit = transit;
        haveTransit = true;
    }

    /**
     * Counts a packet recovered by retransmission: it was lost, not late, so it takes no part in the
     * jitter (its arrival time says nothing about the network's).
     */
    void onRecoveredPacket(int seq) {
        long extended = sequenceNumbers.unwrap(seq);
        if (received == 0 || extended < baseExtended) {
            baseExtended = extended;
        }
        received++;
    }

    /** Remembers the publisher's Sender Report for the LSR/DLSR fields. */
    void onSenderReport(long compactNtp, long nowNs) {
        haveSenderReport = true;
        lastSenderReportCompactNtp = compactNtp;
        lastSenderReportNs = nowNs;
    }

    boolean hasPackets() {
        return received > 0;
    }

    long received() {
        return received;
    }

    /** Packets expected minus received since the first packet (may be negative with duplicates). */
    long cumulativeLost() {
        return expected() - received;
    }

    private long expected() {
        return sequenceNumbers.highest() - baseExtended + 1;
    }

    /** The fraction lost in the last reporting interval, over 256 (as the report block carries it); -1 before one. */
    int fractionLost() {
        return lastFractionLost;
    }

    /** The interarrival jitter in timestamp units. */
    long jitter() {
        return jitterQ4 >> 4;
    }

    /** The extended highest sequence number as the report block carries it (cycles in the high 16 bits). */
    long extendedHighestSequenceNumber() {
        return sequenceNumbers.highest() & 0xFFFF_FFFFL;
    }

    /**
     * Writes this stream's report block and starts the next reporting interval (the fraction lost is per
     * interval, RFC 3550 A.3).
     */
    void writeBlock(ByteBuf out, long ssrc, long nowNs) {
        long expected = expected();
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
        lastFractionLost = Math.min(fraction, 255);
        long lsr = 0;
        long dlsr = 0;
        if (haveSenderReport) {
            lsr = lastSenderReportCompactNtp;
            // DLSR in units of 1/65536 s (RFC 3550 §6.4.1).
            dlsr = Math.min(Math.max(0, nowNs - lastSenderReportNs), MAX_DLSR_NS) * 65_536 / 1_000_000_000L;
        }
        long cumulative = cumulativeLost();
        ReportBlock.write(out, ssrc, Math.min(fraction, 255),
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cumulative)),
                extendedHighestSequenceNumber(), jitter(), lsr, dlsr);
    }
}
