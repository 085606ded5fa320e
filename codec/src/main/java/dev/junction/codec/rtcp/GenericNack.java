package dev.junction.codec.rtcp;

import dev.junction.codec.rtp.SerialNumber;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Flyweight over a Generic NACK (RFC 4585 §6.2.1: RTPFB, FMT=1) with allocation-free iteration over the
 * lost sequence numbers, and a writer that packs lost sequence numbers into PID/BLP entries.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=1  |    PT=205     |          length               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of media source                         |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            PID                |             BLP               |  FCI entry,
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  one or more
 * </pre>
 *
 * PID is a lost packet's sequence number; bit {@code i} (LSB = 0) of BLP reports {@code PID + i + 1}
 * lost too (wrapping modulo 2^16).
 *
 * <pre>{@code
 * nack.resetLost();
 * for (int seq; (seq = nack.nextLost()) >= 0; ) retransmit(nack.mediaSsrc(), seq);
 * }</pre>
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class GenericNack {

    private static final int FCI_OFFSET = 12;

    private ByteBuf buf;
    private int offset;
    private int entryCount;

    // Lost-sequence iteration: entry index, the next bit to look at (-1 = the PID itself), and the
    // current entry's PID and BLP.
    private int lostEntry;
    private int lostBit;
    private int lostPid;
    private int lostBlp;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false unless it is a NACK with at least one entry. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.RTPFB, RtcpType.FMT_NACK);
        if (contentEnd < 0) {
            return false;
        }
        int entries = (contentEnd - offset - FCI_OFFSET) / 4;
        if (entries < 1) {
            return false;
        }
        this.buf = buf;
        this.offset = offset;
        this.entryCount = entries;
        resetLost();
        return true;
    }

    public long senderSsrc() {
        return buf.getUnsignedInt(offset + 4);
    }

    /** The SSRC whose packets were lost. */
    public long mediaSsrc() {
        return buf.getUnsignedInt(offset + 8);
    }

    /** Number of PID/BLP entries. */
    public int entryCount() {
        return entryCount;
    }

    public int pid(int index) {
        Objects.checkIndex(index, entryCount);
        return buf.getUnsignedShort(offset + FCI_OFFSET + 4 * index);
    }

    public int blp(int index) {
        Objects.checkIndex(index, entryCount);
        return buf.getUnsignedShort(offset + FCI_OFFSET + 4 * index + 2);
    }

    /** Restarts {@link #nextLost()}. */
    public void resetLost() {
        lostEntry = 0;
        lostBit = -1;
    }

    /**
     * The next lost sequence number, in packet order (a sequence number listed twice is returned twice),
     * or -1 when all have been returned.
     */
    public int nextLost() {
        while (lostEntry < entryCount) {
            if (lostBit < 0) {
                int at = offset + FCI_OFFSET + 4 * lostEntry;
                lostPid = buf.getUnsignedShort(at);
                lostBlp = buf.getUnsignedShort(at + 2);
                lostBit = 0;
                return lostPid;
            }
            int blp = lostBlp >>> lostBit;
            if (blp != 0) {
                int bit = lostBit + Integer.numberOfTrailingZeros(blp);
                lostBit = bit + 1;
                return (lostPid + bit + 1) & 0xFFFF;
            }
            lostEntry++;
            lostBit = -1;
        }
        return -1;
    }

    /**
     * Writes one NACK reporting {@code lostSeqs[from, to)}, packing each sequence number within 16 after
     * an entry's PID into that entry's BLP. Input in ascending (wrap-aware) order packs tightest; any
     * order is still reported correctly, only with more entries. Writes at most {@code maxEntries}
     * entries so the caller can bound the packet size.
     *
     * @return the index of the first sequence number not written ({@code to} when all fit); nothing is
     *         written when {@code from == to}
     */
    public static int write(ByteBuf out, long senderSsrc, long mediaSsrc, int[] lostSeqs, int from, int to,
                            int maxEntries) {
        Objects.checkFromToIndex(from, to, lostSeqs.length);
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        if (from == to) {
            return from;
        }
        int start = out.writerIndex();
        RtcpHeader.write(out, RtcpType.FMT_NACK, RtcpType.RTPFB, FCI_OFFSET);
        out.writeInt((int) senderSsrc);
        out.writeInt((int) mediaSsrc);
        int i = from;
        int entries = 0;
        while (i < to && entries < maxEntries) {
            int pid = lostSeqs[i++] & 0xFFFF;
            int blp = 0;
            while (i < to) {
                int distance = SerialNumber.diff16(lostSeqs[i], pid);
                if (distance < 0 || distance > 16) {
                    break;
                }
                if (distance > 0) {
                    blp |= 1 << (distance - 1);
                }
                i++;
            }
            out.writeShort(pid);
            out.writeShort(blp);
            entries++;
        }
        out.setShort(start + 2, (FCI_OFFSET + 4 * entries) / 4 - 1);
        return i;
    }
}
