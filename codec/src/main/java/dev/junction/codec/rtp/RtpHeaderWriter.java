package dev.junction.codec.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Writes a fresh RTP header (RFC 3550 §5.1) with optional CSRCs and RFC 8285 header extensions at a
 * buffer's writer index, for the client role and the load tool, which generate packets rather than
 * forward them. Allocation-free; one instance is reused for every packet.
 *
 * <pre>{@code
 * writer.start(out, 96, marker, seq, timestamp, ssrc);
 * writer.startExtensions(false, 0);            // one-byte form, profile 0xBEDE
 * writer.addExtension(3, twccSeq, 2);          // transport-wide sequence number
 * writer.addExtension(2, absSendTime24, 3);    // abs-send-time
 * writer.endExtensions();                      // zero-pads to 32 bits and sets the length
 * out.writeBytes(payload);
 * writer.pad(paddingLength);                   // optional: appends RTP padding and sets P
 * }</pre>
 *
 * <p>Extension element layout (RFC 8285 §4.2 one-byte: {@code ID(4) | len-1(4)}, 1-16 data bytes, ids
 * 1-14; §4.3 two-byte: {@code ID(8) | len(8)}, 0-255 data bytes, ids 1-255, profile
 * {@code 0x1000 | appbits}). The call order is enforced; a wrong order or an out-of-range argument is a
 * programming error and throws {@link IllegalStateException}/{@link IllegalArgumentException}: this class
 * never parses network input.
 *
 * <p>Threading and buffers: not thread-safe, one per sending task. Writes into the caller's buffer,
 * advancing its writer index; never retains or releases it.
 */
public final class RtpHeaderWriter {

    private static final int IDLE = 0;
    private static final int FIXED = 1;
    private static final int EXTENSIONS = 2;
    private static final int HEADER_DONE = 3;

    private ByteBuf out;
    private int start;
    private int extensionStart;
    private int headerEnd;
    private boolean twoByte;
    private int state = IDLE;

    /** Writes the 12-byte fixed header at {@code out.writerIndex()}: V=2, P=0, X=0, CC=0. */
    public void start(ByteBuf out, int payloadType, boolean marker, int sequenceNumber, long timestamp, long ssrc) {
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("payload type out of range: " + payloadType);
        }
        this.out = out;
        this.start = out.writerIndex();
        this.extensionStart = -1;
        out.writeByte(RtpPacket.VERSION << 6);
        out.writeByte((marker ? 0x80 : 0) | payloadType);
        out.writeShort(sequenceNumber);
        out.writeInt((int) timestamp);
        out.writeInt((int) ssrc);
        headerEnd = out.writerIndex();
        state = FIXED;
    }

    /** Appends a CSRC; only between {@link #start} and any extension, at most 15. */
    public void addCsrc(long csrc) {
        requireState(FIXED);
        int b0 = out.getByte(start);
        if ((b0 & 0x0F) == 15) {
            throw new IllegalStateException("at most 15 CSRCs");
        }
        out.setByte(start, b0 + 1);
        out.writeInt((int) csrc);
        headerEnd = out.writerIndex();
    }

    /**
     * Opens the extension block. {@code twoByte} selects the RFC 8285 §4.3 form with the given four
     * {@code appBits}; otherwise the one-byte form ({@code appBits} must be 0).
     */
    public void startExtensions(boolean twoByte, int appBits) {
        requireState(FIXED);
        if (appBits < 0 || appBits > 15 || (!twoByte && appBits != 0)) {
            throw new IllegalArgumentException("appbits need the two-byte form and fit 4 bits: " + appBits);
        }
        this.twoByte = twoByte;
        extensionStart = out.writerIndex();
        out.setByte(start, out.getByte(start) | 0x10);
        out.writeShort(twoByte ? RtpPacket.PROFILE_TWO_BYTE | appBits : RtpPacket.PROFILE_ONE_BYTE);
        out.writeShort(0);
        state = EXTENSIONS;
    }

    /** Adds an element whose data is {@code value} big-endian in {@code length} (1-8) bytes. */
    public void addExtension(int id, long value, int length) {
        if (length < 1 || length > 8) {
            throw new IllegalArgumentException("value length must be 1-8: " + length);
        }
        writeElementHeader(id, length);
        for (int shift = 8 * (length - 1); shift >= 0; shift -= 8) {
            out.writeByte((int) (value >>> shift));
        }
    }

    /** Adds an element whose data is {@code data[from, from + length)}. */
    public void addExtension(int id, byte[] data, int from, int length) {
        writeElementHeader(id, length);
        out.writeBytes(data, from, length);
    }

    private void writeElementHeader(int id, int length) {
        requireState(EXTENSIONS);
        if (twoByte) {
            if (id < 1 || id > 255 || length < 0 || length > 255) {
                throw new IllegalArgumentException("two-byte element needs id 1-255, length 0-255: " + id + "/" + length);
            }
            out.writeByte(id);
            out.writeByte(length);
        } else {
            if (id < 1 || id > RtpPacket.ONE_BYTE_MAX_ID || length < 1 || length > 16) {
                throw new IllegalArgumentException("one-byte element needs id 1-14, length 1-16: " + id + "/" + length);
            }
            out.writeByte((id << 4) | (length - 1));
        }
    }

    /** Closes the extension block: zero-pads it to a 32-bit boundary (RFC 8285 §4.1) and sets its length. */
    public void endExtensions() {
        requireState(EXTENSIONS);
        int dataLength = out.writerIndex() - extensionStart - 4;
        int padded = (dataLength + 3) & ~3;
        out.writeZero(padded - dataLength);
        out.setShort(extensionStart + 2, padded / 4);
        headerEnd = out.writerIndex();
        state = HEADER_DONE;
    }

    /** Length of the complete header (fixed, CSRCs, extension block) of the packet being written. */
    public int headerLength() {
        if (state == EXTENSIONS || state == IDLE) {
            throw new IllegalStateException("header not complete");
        }
        return headerEnd - start;
    }

    /**
     * After the payload has been written: appends {@code paddingLength} (1-255) bytes of RTP padding,
     * the last holding the count (RFC 3550 §5.1), and sets the P bit. Ends this packet.
     */
    public void pad(int paddingLength) {
        if (state != FIXED && state != HEADER_DONE) {
            throw new IllegalStateException("pad after the header and payload");
        }
        if (paddingLength < 1 || paddingLength > 255) {
            throw new IllegalArgumentException("padding must be 1-255 bytes: " + paddingLength);
        }
        out.writeZero(paddingLength - 1);
        out.writeByte(paddingLength);
        out.setByte(start, out.getByte(start) | 0x20);
        state = IDLE;
    }

    private void requireState(int expected) {
        if (state != expected) {
            throw new IllegalStateException("RtpHeaderWriter call out of order (state " + state + ", needs " + expected + ")");
        }
    }
}
