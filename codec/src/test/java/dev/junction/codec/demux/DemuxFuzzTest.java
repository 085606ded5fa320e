package dev.junction.codec.demux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Fuzzes the classifier with arbitrary datagrams at arbitrary (also invalid) offsets and lengths: it never
 * throws, never moves an index, and agrees with RFC 7983 / RFC 5761 restated independently. Seeds live in
 * {@code src/test/resources/dev/junction/codec/demux/DemuxFuzzTestInputs/classify/}.
 */
class DemuxFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void classify(FuzzedDataProvider data) {
        int offset = data.consumeInt(-4, 40);
        int length = data.consumeInt(-4, 1600);
        byte[] bytes = data.consumeRemainingAsBytes();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes);
        try {
            PacketKind kind = PacketClassifier.classify(buf, offset, length);
            assertEquals(expected(bytes, offset, length), kind);
            assertEquals(0, buf.readerIndex());
            assertEquals(bytes.length, buf.writerIndex());
            assertEquals(expected(bytes, 0, bytes.length), PacketClassifier.classify(buf));
        } finally {
            buf.release();
        }
    }

    private static PacketKind expected(byte[] bytes, int offset, int length) {
        if (offset < 0 || length <= 0 || (long) offset + length > bytes.length) {
            return PacketKind.OTHER;
        }
        int first = bytes[offset] & 0xFF;
        if (first < 4) {
            return PacketKind.STUN;
        }
        if (first >= 20 && first < 64) {
            return PacketKind.DTLS;
        }
        if (first >= 128 && first < 192 && length >= 2) {
            int second = bytes[offset + 1] & 0xFF;
            return second >= 192 && second < 224 ? PacketKind.RTCP : PacketKind.RTP;
        }
        return PacketKind.OTHER;
    }
}
