package dev.junction.codec.stun;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.zip.CRC32;

/**
 * Allocation-free bulk transfers between a {@link ByteBuf} and arrays, and feeding a buffer range to a
 * CRC or digest. Buffers with a backing array are used directly. For the others the bytes move eight at a
 * time through {@code getLong}/{@code setLong}, because the bulk {@code getBytes}/{@code setBytes} of
 * Netty's direct buffers duplicate an NIO buffer per call when Netty runs without {@code sun.misc.Unsafe}
 * (its default on Java 25+), and the NIO overloads of CRC32 and MessageDigest need {@code nioBuffer()}
 * views, which allocate too.
 */
final class BufferBytes {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private BufferBytes() {
    }

    /** Copies {@code length} bytes at absolute {@code index} of {@code src} into {@code dst}. */
    static void get(ByteBuf src, int index, byte[] dst, int dstOffset, int length) {
        checkRange(src, index, length);
        if (src.hasArray()) {
            System.arraycopy(src.array(), src.arrayOffset() + index, dst, dstOffset, length);
            return;
        }
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            LONGS.set(dst, dstOffset + i, src.getLong(index + i));
        }
        for (; i < length; i++) {
            dst[dstOffset + i] = src.getByte(index + i);
        }
    }

    /** Copies {@code length} bytes of {@code src} to absolute {@code index} of {@code dst}. */
    static void set(ByteBuf dst, int index, byte[] src, int srcOffset, int length) {
        checkRange(dst, index, length);
        if (dst.hasArray()) {
            System.arraycopy(src, srcOffset, dst.array(), dst.arrayOffset() + index, length);
            return;
        }
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            dst.setLong(index + i, (long) LONGS.get(src, srcOffset + i));
        }
        for (; i < length; i++) {
            dst.setByte(index + i, src[srcOffset + i]);
        }
    }

    /** Appends {@code length} bytes of {@code src} at the writer index of {@code dst}, growing it if needed. */
    static void write(ByteBuf dst, byte[] src, int srcOffset, int length) {
        dst.ensureWritable(length);
        set(dst, dst.writerIndex(), src, srcOffset, length);
        dst.writerIndex(dst.writerIndex() + length);
    }

    /**
     * Appends {@code length} bytes of {@code src} at absolute {@code index} to {@code dst}'s writer index,
     * growing it if needed. Heap to heap is one array copy; anything else moves eight bytes at a time, since
     * {@code writeBytes(ByteBuf, ...)} may duplicate an NIO view of a direct buffer per call.
     */
    static void copy(ByteBuf src, int index, ByteBuf dst, int length) {
        if (index < 0 || length < 0 || index > src.capacity() - length) {
            throw new IndexOutOfBoundsException("index " + index + ", length " + length + ", capacity " + src.capacity());
        }
        dst.ensureWritable(length);
        if (src.hasArray()) {
            write(dst, src.array(), src.arrayOffset() + index, length);
            return;
        }
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            dst.writeLong(src.getLong(index + i));
        }
        for (; i < length; i++) {
            dst.writeByte(src.getByte(index + i));
        }
    }

    /** The array paths bypass the buffer's own bounds checks, so they are repeated here. */
    private static void checkRange(ByteBuf buf, int index, int length) {
        if (index < 0 || length < 0 || index > buf.capacity() - length) {
            throw new IndexOutOfBoundsException("index " + index + ", length " + length + ", capacity " + buf.capacity());
        }
    }

    static void update(CRC32 crc, ByteBuf buf, int index, int length, byte[] scratch) {
        if (buf.hasArray()) {
            checkRange(buf, index, length);
            crc.update(buf.array(), buf.arrayOffset() + index, length);
            return;
        }
        int end = index + length;
        for (int i = index; i < end; ) {
            int n = Math.min(scratch.length, end - i);
            get(buf, i, scratch, 0, n);
            crc.update(scratch, 0, n);
            i += n;
        }
    }

    static void update(MessageDigest digest, ByteBuf buf, int index, int length, byte[] scratch) {
        if (buf.hasArray()) {
            checkRange(buf, index, length);
            digest.update(buf.array(), buf.arrayOffset() + index, length);
            return;
        }
        int end = index + length;
        for (int i = index; i < end; ) {
            int n = Math.min(scratch.length, end - i);
            get(buf, i, scratch, 0, n);
            digest.update(scratch, 0, n);
            i += n;
        }
    }
}
