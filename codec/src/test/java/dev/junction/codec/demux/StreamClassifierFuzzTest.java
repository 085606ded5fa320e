package dev.junction.codec.demux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the public port's first-bytes classifier (issue 10, hostile input). For any first
 * bytes, every prefix is classified; the answers must hold:
 * <ul>
 *   <li>never an exception, no index moved, and the same answer for the same bytes at another offset;</li>
 *   <li>a decision is final: once a prefix is decided, every longer one gets the same answer;</li>
 *   <li>decided by {@link StreamClassifier#MAX_BYTES_TO_DECIDE} bytes, and then equal to the rules of the class
 *       Javadoc restated here independently (TLS record header, HTTP method, unframed STUN or ChannelData for
 *       TURN, an RFC 4571 frame holding exactly one STUN message for ICE-TCP).</li>
 * </ul>
 * In the default test run Jazzer replays {@code StreamClassifierFuzzTestInputs}; {@code ./junction fuzz} fuzzes it.
 */
class StreamClassifierFuzzTest {

    private static final int COOKIE = 0x2112A442;
    private static final String[] METHODS = {"GET ", "HEAD ", "POST ", "PUT ", "PATCH ", "DELETE ", "OPTIONS "};

    @FuzzTest(maxDuration = "30s")
    void classifiesEveryPrefix(byte[] bytes) {
        int shift = bytes.length == 0 ? 0 : bytes[bytes.length - 1] & 7; // where the bytes sit in a second buffer
        // Wrapped, not allocated: a leak-aware buffer under paranoid detection records every read, 100 times slower.
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        byte[] around = new byte[shift + bytes.length + 3];
        System.arraycopy(bytes, 0, around, shift, bytes.length);
        around[shift + bytes.length] = 0x21; // bytes past the range that would make a cookie: never read
        around[shift + bytes.length + 1] = 0x12;
        around[shift + bytes.length + 2] = (byte) 0xA4;
        ByteBuf shifted = Unpooled.wrappedBuffer(around);
        try {
            StreamKind decided = null;
            int limit = Math.min(bytes.length, 64);
            for (int n = 0; n <= limit; n++) {
                StreamKind kind = StreamClassifier.classify(buf, 0, n);
                assertEquals(kind, StreamClassifier.classify(shifted, shift, n), "at offset " + shift + ", " + n + " bytes");
                if (decided != null) assertEquals(decided, kind, "changed its mind after " + n + " bytes");
                if (kind != StreamKind.NEED_MORE) decided = kind;
                if (n >= StreamClassifier.MAX_BYTES_TO_DECIDE) {
                    assertNotEquals(StreamKind.NEED_MORE, kind, "undecided after " + n + " bytes");
                    assertEquals(expected(bytes, n), kind, n + " bytes");
                }
            }
            assertEquals(0, buf.readerIndex());
            assertEquals(bytes.length, buf.writerIndex());
            assertEquals(StreamKind.UNKNOWN, StreamClassifier.classify(buf, -1, 1), "a range outside the buffer");
            assertEquals(StreamKind.UNKNOWN, StreamClassifier.classify(buf, 0, bytes.length + 1), "a range outside the buffer");
        } finally {
            buf.release();
            shifted.release();
        }
    }

    /** The class Javadoc's table, for at least {@link StreamClassifier#MAX_BYTES_TO_DECIDE} bytes. */
    private static StreamKind expected(byte[] b, int n) {
        int first = b[0] & 0xFF;
        if (first == 22) return (b[1] & 0xFF) == 3 && (b[2] & 0xFF) <= 4 ? StreamKind.TLS : StreamKind.UNKNOWN;
        String start = new String(b, 0, Math.min(n, 8), StandardCharsets.ISO_8859_1);
        for (String method : METHODS) if (start.startsWith(method)) return StreamKind.HTTP;
        if (first >= 'A' && first <= 'Z') return StreamKind.UNKNOWN;
        if ((first & 0xC0) == 0x40) return StreamKind.TURN;
        if ((first & 0xC0) == 0 && int32(b, 4) == COOKIE) return StreamKind.TURN;
        int frame = u16(b, 0);
        int stunLength = u16(b, 4);
        boolean framedStun = first <= 0x3F && (b[2] & 0xC0) == 0 && stunLength % 4 == 0 && frame == 20 + stunLength
                && int32(b, 6) == COOKIE;
        return framedStun ? StreamKind.ICE_TCP : StreamKind.UNKNOWN;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static int int32(byte[] b, int at) {
        return u16(b, at) << 16 | u16(b, at + 2);
    }
}
