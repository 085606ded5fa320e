package dev.junction.codec.rtcp;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Flyweight over a Receiver Estimated Maximum Bitrate message (draft-alvestrand-rmcat-remb-03 §2.2: an
 * application layer feedback, PSFB FMT=15, identified by the ASCII "REMB"), and its writer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P| FMT=15  |   PT=206      |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of media source (0)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Unique identifier 'R' 'E' 'M' 'B'                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Num SSRC     | BR Exp    |  BR Mantissa                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   SSRC feedback                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  ...                                                          |
 * </pre>
 *
 * The bitrate is {@code mantissa * 2^exp} bits per second (18-bit mantissa, 6-bit exponent). A value
 * beyond {@code Long.MAX_VALUE} (possible with a large exponent) saturates to it: "no limit".
 *
 * <p>Threading and buffers: not thread-safe; one instance per session on the room's event loop. Borrows
 * the buffer, never retains it.
 */
public final class Remb {

    /** "REMB" in ASCII, big-endian. */
    public static final int IDENTIFIER = 0x52454D42;
    private static final int MIN_LENGTH = 20;
    private static final int MAX_MANTISSA = 0x3FFFF;

    private ByteBuf buf;
    private int offset;
    private int ssrcCount;

    /** Wraps the packet at {@code buf[offset, offset + length)}; false unless it is a well-formed REMB. */
    public boolean wrap(ByteBuf buf, int offset, int length) {
        int contentEnd = RtcpHeader.contentEnd(buf, offset, length, RtcpType.PSFB, RtcpType.FMT_AFB);
        if (contentEnd < 0 || contentEnd - offset < MIN_LENGTH || buf.getInt(offset + 12) != IDENTIFIER) {
            return false;
        }
        int count = buf.getUnsignedByte(offset + 16);
        if (contentEnd - offset - MIN_LENGTH < 4 * count) {
            return false;
        }
        this.buf = buf;
        this.offset = offset;
        this.ssrcCount = count;
        return true;
    }

    public long senderSsrc() {
        return buf.getUnsignedInt(offset + 4);
    }

    public long mediaSsrc() {
        return buf.getUnsignedInt(offset + 8);
    }

    /** The estimated maximum bitrate in bits per second, saturated at {@code Long.MAX_VALUE}. */
    public long bitrateBps() {
        int exponent = buf.getUnsignedByte(offset + 17) >>> 2;
        long mantissa = buf.getUnsignedMedium(offset + 17) & MAX_MANTISSA;
        if (mantissa != 0 && exponent > Long.numberOfLeadingZeros(mantissa) - 1) {
            return Long.MAX_VALUE;
        }
        return mantissa << exponent;
    }

    /** Number of SSRCs the estimate applies to. */
    public int ssrcCount() {
        return ssrcCount;
    }

    public long ssrc(int index) {
        Objects.checkIndex(index, ssrcCount);
        return buf.getUnsignedInt(offset + MIN_LENGTH + 4 * index);
    }

    /**
     * Writes a REMB for {@code ssrcs[0, count)} (at most 255). The bitrate is rounded down to what an
     * 18-bit mantissa can express, so the receiver never sees more than was estimated.
     */
    public static void write(ByteBuf out, long senderSsrc, long bitrateBps, long[] ssrcs, int count) {
        if (bitrateBps < 0) {
            throw new IllegalArgumentException("negative bitrate " + bitrateBps);
        }
        if (count < 0 || count > 255 || count > ssrcs.length) {
            throw new IllegalArgumentException("REMB carries 0-255 SSRCs: " + count);
        }
        int exponent = 0;
        long mantissa = bitrateBps;
        while (mantissa > MAX_MANTISSA) {
            mantissa >>>= 1;
            exponent++;
        }
        RtcpHeader.write(out, RtcpType.FMT_AFB, RtcpType.PSFB, MIN_LENGTH + 4 * count);
        out.writeInt((int) senderSsrc);
        out.writeInt(0);
        out.writeInt(IDENTIFIER);
        out.writeByte(count);
        out.writeMedium((exponent << 18) | (int) mantissa);
        for (int i = 0; i < count; i++) {
            out.writeInt((int) ssrcs[i]);
        }
    }
}
