package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;
import org.jitsi.utils.ByteArrayBuffer;

/**
 * Presents the readable region of a heap {@link ByteBuf} to jitsi-srtp as a {@link ByteArrayBuffer},
 * with zero copy: jitsi-srtp reads and writes the buffer's backing array directly.
 *
 * <p>Mapping: offset is {@code arrayOffset + readerIndex}, length is {@code readableBytes}. Growing,
 * appending and shrinking move the writer index; {@link #setOffset} moves both indexes and keeps the length.
 * The reader index only moves when jitsi-srtp asks for it (cryptex, which Junction does not enable).
 *
 * <p>Hazard: jitsi-srtp's GCM path writes the tag straight into the array past the current length, without
 * calling {@link #grow}. The caller must therefore make the tail room writable ({@code ensureWritable})
 * before a transform, so that those bytes lie inside this buffer's own capacity, never in a neighbour's
 * slice of a pooled chunk. {@link SrtpSession} does that.
 *
 * <p>A flyweight: one instance per {@link SrtpSession}, re-pointed with {@link #wrap} for each packet and
 * cleared after it. Used on the session's event loop only. It never retains or releases the buffer.
 */
final class ByteBufArrayBuffer implements ByteArrayBuffer {

    private ByteBuf buf;

    /** Points this view at {@code heapBuf}'s readable bytes. */
    ByteBufArrayBuffer wrap(ByteBuf heapBuf) {
        if (!heapBuf.hasArray()) {
            throw new IllegalArgumentException("SRTP works in place on heap buffers only, got " + heapBuf.getClass().getSimpleName());
        }
        this.buf = heapBuf;
        return this;
    }

    /** Drops the reference so that a pooled buffer is not kept reachable after the call. */
    void clear() {
        this.buf = null;
    }

    @Override
    public byte[] getBuffer() {
        return buf.array();
    }

    @Override
    public int getOffset() {
        return buf.arrayOffset() + buf.readerIndex();
    }

    @Override
    public int getLength() {
        return buf.readableBytes();
    }

    @Override
    public void setLength(int length) {
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        int end = buf.readerIndex() + length;
        if (end > buf.capacity()) buf.ensureWritable(end - buf.writerIndex());
        buf.writerIndex(end);
    }

    @Override
    public void setOffset(int offset) {
        int length = buf.readableBytes();
        int readerIndex = offset - buf.arrayOffset();
        if (readerIndex < 0 || readerIndex + length > buf.capacity()) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside the buffer");
        }
        buf.setIndex(readerIndex, readerIndex + length);
    }

    @Override
    public boolean isInvalid() {
        return buf == null;
    }

    @Override
    public void readRegionToBuff(int offset, int length, byte[] destination) {
        // Bounded by the readable region, not by the backing array: a pooled array holds other buffers too.
        if (offset < 0 || length < 0 || offset + length > buf.readableBytes()) {
            throw new IndexOutOfBoundsException("region " + offset + "+" + length + " outside " + buf.readableBytes());
        }
        buf.getBytes(buf.readerIndex() + offset, destination, 0, length);
    }

    @Override
    public void grow(int howMuch) {
        if (howMuch > 0) buf.ensureWritable(howMuch);
    }

    @Override
    public void append(byte[] data, int length) {
        buf.writeBytes(data, 0, length);
    }

    @Override
    public void shrink(int howMuch) {
        if (howMuch <= 0) return;
        int length = buf.readableBytes();
        buf.writerIndex(buf.readerIndex() + Math.max(0, length - howMuch));
    }
}
