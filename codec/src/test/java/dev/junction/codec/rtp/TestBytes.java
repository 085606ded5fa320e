package dev.junction.codec.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Byte fixture helpers shared by the RTP and RTCP tests. */
public final class TestBytes {

    private TestBytes() {
    }

    /** Bytes from int literals, so fixtures can be written as annotated {@code 0x..} columns. */
    public static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < -128 || values[i] > 255) {
                throw new IllegalArgumentException("not a byte: " + values[i] + " at " + i);
            }
            out[i] = (byte) values[i];
        }
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** A heap buffer over a copy of {@code data} (unpooled, not leak-tracked; release it anyway). */
    public static ByteBuf wrapCopy(byte[] data) {
        return Unpooled.wrappedBuffer(data.clone());
    }

    /** The readable bytes of {@code buf} as an array. */
    public static byte[] readable(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    public static String hex(byte[] data) {
        return ByteBufUtil.hexDump(data);
    }
}
