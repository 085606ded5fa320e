package dev.junction.codec.stun;

import io.netty.buffer.ByteBuf;

/**
 * Reusable flyweight over one TURN ChannelData message (RFC 8656 §12.4), and its writer.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Channel Number        |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * /                       Application Data                        /
 * /                                                               /
 * |                                                               |
 * |                               +-------------------------------+
 * |                               |
 * +-------------------------------+
 * </pre>
 *
 * Channel numbers are 0x4000-0x4FFF (RFC 8656 §12); the first two bits 01 tell ChannelData from STUN
 * (00) on the same 5-tuple. Length counts the application data only, never the padding. Padding rules
 * (§12.5):
 * <ul>
 *   <li>over TCP and TLS the message is padded to a multiple of four bytes, so a stream reader frames it
 *       as {@code 4 + pad4(length)} ({@link #streamFrameLength});</li>
 *   <li>over UDP padding is optional: a datagram may be longer than {@code 4 + length} (the tail is
 *       ignored) but never shorter (then it is discarded).</li>
 * </ul>
 *
 * <p>Like {@link StunMessage}, {@link #wrap} never moves indexes, never throws on bad input and allocates
 * nothing. One instance per owner, used on its thread; it borrows the buffer while wrapped and never
 * retains or releases it.
 */
public final class ChannelData {

    public static final int HEADER_LENGTH = 4;
    /** Lowest channel number a client may bind (RFC 8656 §12). */
    public static final int MIN_CHANNEL = 0x4000;
    /** Highest channel number a client may bind (RFC 8656 §12: 0x5000-0xFFFF are reserved). */
    public static final int MAX_CHANNEL = 0x4FFF;

    /**
     * Highest channel number of RFC 5766 §11 (0x4000-0x7FFF), which RFC 8656 narrowed. Clients written to RFC 5766
     * (coturn's own test client among them) still bind numbers above 0x4FFF, so a server accepts the wider range.
     */
    public static final int MAX_CHANNEL_RFC5766 = 0x7FFF;

    /** Outcome of {@link #wrap}; anything but {@link #OK} is a discarded message. */
    public enum ParseResult {
        OK,
        /** The offset and length do not lie inside the buffer's written bytes. */
        OUT_OF_BOUNDS,
        /** Shorter than the 4-byte header. */
        TOO_SHORT,
        /** The channel number is outside 0x4000-0x4FFF (which includes anything that is not ChannelData). */
        BAD_CHANNEL,
        /** The message is shorter than its length field claims. */
        TRUNCATED,
        /** Over a stream, the frame is not exactly {@code 4 + pad4(length)} bytes. */
        BAD_PADDING
    }

    // Passed by argument to wrap().
    private ByteBuf buf;
    private int offset;
    private boolean valid;

    /** Whether {@code channel} is in the range a client may bind (RFC 8656 §12). */
    public static boolean isValidChannel(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
    }

    /** Whether {@code channel} is in RFC 5766's wider range (0x4000-0x7FFF), which a server should accept. */
    public static boolean isRfc5766Channel(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL_RFC5766;
    }

    /** Whether a message starting with {@code firstByte} is ChannelData rather than STUN (RFC 8656 §12, RFC 7983). */
    public static boolean isChannelData(int firstByte) {
        return (firstByte & 0xC0) == 0x40;
    }

    /** Bytes a ChannelData message with {@code dataLength} bytes of data occupies over TCP or TLS (padded to four). */
    public static int streamFrameLength(int dataLength) {
        return HEADER_LENGTH + ((dataLength + 3) & ~3);
    }

    /**
     * Parses the ChannelData message in {@code [offset, offset + length)}: one UDP datagram when
     * {@code stream} is false, one frame cut by {@link #streamFrameLength} when true.
     */
    public ParseResult wrap(ByteBuf buf, int offset, int length, boolean stream) {
        return wrap(buf, offset, length, stream, false);
    }

    /** As {@link #wrap(ByteBuf, int, int, boolean)}, accepting RFC 5766's channel range when {@code rfc5766Channels}. */
    public ParseResult wrap(ByteBuf buf, int offset, int length, boolean stream, boolean rfc5766Channels) {
        this.valid = false;
        this.buf = null;
        if (buf == null || offset < 0 || length < 0 || length > buf.writerIndex() - offset) {
            return ParseResult.OUT_OF_BOUNDS;
        }
        if (length < HEADER_LENGTH) {
            return ParseResult.TOO_SHORT;
        }
        int channel = buf.getUnsignedShort(offset);
        if (rfc5766Channels ? !isRfc5766Channel(channel) : !isValidChannel(channel)) {
            return ParseResult.BAD_CHANNEL;
        }
        int dataLength = buf.getUnsignedShort(offset + 2);
        if (dataLength > length - HEADER_LENGTH) {
            return ParseResult.TRUNCATED;
        }
        if (stream && length != streamFrameLength(dataLength)) {
            return ParseResult.BAD_PADDING;
        }
        this.buf = buf;
        this.offset = offset;
        this.valid = true;
        return ParseResult.OK;
    }

    public boolean isValid() {
        return valid;
    }

    /** The channel number; only while {@link #isValid()}. */
    public int channel() {
        checkValid();
        return buf.getUnsignedShort(offset);
    }

    /** Absolute index of the application data. */
    public int dataOffset() {
        checkValid();
        return offset + HEADER_LENGTH;
    }

    /** Length of the application data (the length field; padding excluded). */
    public int dataLength() {
        checkValid();
        return buf.getUnsignedShort(offset + 2);
    }

    private void checkValid() {
        if (!valid) {
            throw new IllegalStateException("no ChannelData wrapped (wrap() did not return OK)");
        }
    }

    /**
     * Writes a ChannelData message at {@code out}'s writer index: the header, {@code length} bytes of
     * {@code data} from absolute {@code index} (its indexes do not move), and zero padding to four bytes
     * when {@code stream} (TCP, TLS; optional over UDP, so not written there). Returns the bytes written.
     */
    public static int write(ByteBuf out, int channel, ByteBuf data, int index, int length, boolean stream) {
        writeHeader(out, channel, length);
        BufferBytes.copy(data, index, out, length);
        int padding = stream ? streamFrameLength(length) - HEADER_LENGTH - length : 0;
        out.writeZero(padding);
        return HEADER_LENGTH + length + padding;
    }

    /**
     * Writes only the 4-byte header, for a caller that writes the data itself (then pads if on a stream). Any
     * channel of RFC 5766's range is written: a server answers on the channel its RFC 5766 client bound.
     */
    public static void writeHeader(ByteBuf out, int channel, int dataLength) {
        if (!isRfc5766Channel(channel)) {
            throw new IllegalArgumentException("channel number outside 0x4000-0x7FFF: 0x" + Integer.toHexString(channel));
        }
        if (dataLength < 0 || dataLength > 0xFFFF) {
            throw new IllegalArgumentException("data length is 16 bits: " + dataLength);
        }
        out.writeShort(channel);
        out.writeShort(dataLength);
    }

    @Override
    public String toString() {
        return valid ? "ChannelData[channel=0x" + Integer.toHexString(channel()) + ", length=" + dataLength() + "]"
                : "ChannelData[none]";
    }
}
