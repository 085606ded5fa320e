package dev.junction.codec.demux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** RFC 7983 §7 first-byte ranges and the RFC 5761 §4 RTP/RTCP split, exhaustively and on real headers. */
class PacketClassifierTest {

    @Test
    void shouldClassifyEveryFirstAndSecondByteCombination() {
        ByteBuf buf = Unpooled.buffer(2);
        try {
            for (int first = 0; first < 256; first++) {
                for (int second = 0; second < 256; second++) {
                    buf.clear().writeByte(first).writeByte(second);
                    assertEquals(expected(first, second), PacketClassifier.classify(buf, 0, 2), first + "," + second);
                }
            }
        } finally {
            buf.release();
        }
    }

    /** The RFC text restated independently of the implementation. */
    private static PacketKind expected(int first, int second) {
        if (first >= 0 && first <= 3) {
            return PacketKind.STUN;
        }
        if (first >= 20 && first <= 63) {
            return PacketKind.DTLS;
        }
        if (first >= 128 && first <= 191) {
            return second >= 192 && second <= 223 ? PacketKind.RTCP : PacketKind.RTP;
        }
        return PacketKind.OTHER;
    }

    @Test
    void shouldClassifyRealHeaders() {
        assertKind(PacketKind.STUN, 0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42);   // Binding request
        assertKind(PacketKind.STUN, 0x01, 0x01, 0x00, 0x3c);                           // Binding success response
        assertKind(PacketKind.DTLS, 0x16, 0xfe, 0xfd, 0x00, 0x00);                     // handshake record, DTLS 1.2
        assertKind(PacketKind.DTLS, 0x17, 0xfe, 0xfd);                                 // application data
        assertKind(PacketKind.DTLS, 0x15, 0xfe, 0xfd);                                 // alert
        assertKind(PacketKind.OTHER, 0x14 - 1, 0xfe);                                  // 19: ZRTP range
        assertKind(PacketKind.RTP, 0x80, 0x6f, 0x12, 0x34);                            // V=2, PT 111 (Opus)
        assertKind(PacketKind.RTP, 0x90, 0xe0, 0x12, 0x34);                            // X bit, marker + PT 96 (0xE0 = 224)
        assertKind(PacketKind.RTP, 0xbf, 0x60);                                        // V=2 P X CC=15, the top of the range
        assertKind(PacketKind.RTCP, 0x80, 0xc8, 0x00, 0x06);                           // SR (200)
        assertKind(PacketKind.RTCP, 0x81, 0xc9, 0x00, 0x07);                           // RR (201)
        assertKind(PacketKind.RTCP, 0x81, 0xcd, 0x00, 0x03);                           // RTPFB (205) NACK
        assertKind(PacketKind.RTCP, 0x81, 0xce, 0x00, 0x02);                           // PSFB (206) PLI
        assertKind(PacketKind.RTCP, 0x8f, 0xce, 0x00, 0x04);                           // PSFB FMT 15 (REMB)
        assertKind(PacketKind.OTHER, 0x40, 0x00, 0x00, 0x04);                          // TURN ChannelData
        assertKind(PacketKind.OTHER, 0xc0, 0xc8);                                      // version 3
    }

    @Test
    void shouldReturnOtherForEmptyOneByteOrOutOfRangeInput() {
        ByteBuf buf = Unpooled.buffer(4).writeBytes(new byte[] {(byte) 0x80, (byte) 0xc8, 0, 1});
        try {
            assertEquals(PacketKind.OTHER, PacketClassifier.classify(buf, 0, 0));
            assertEquals(PacketKind.OTHER, PacketClassifier.classify(buf, 0, 1), "RTP or RTCP needs two bytes");
            assertEquals(PacketKind.OTHER, PacketClassifier.classify(buf, -1, 2));
            assertEquals(PacketKind.OTHER, PacketClassifier.classify(buf, 3, 2));
            assertEquals(PacketKind.OTHER, PacketClassifier.classify(buf, 0, -1));
            assertEquals(PacketKind.OTHER, PacketClassifier.classify(buf, Integer.MAX_VALUE, 1));
            assertEquals(PacketKind.OTHER, PacketClassifier.classify(null, 0, 1));
            assertEquals(PacketKind.OTHER, PacketClassifier.classify(null));
            assertEquals(PacketKind.RTCP, PacketClassifier.classify(buf, 0, 4));
            assertEquals(PacketKind.STUN, PacketClassifier.classify(buf, 2, 1), "one byte suffices for STUN");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldClassifyReadableBytesOfADirectBufferWithoutMovingIndexes() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(8).writeBytes(new byte[] {0x17, 0x00, (byte) 0x81, (byte) 0xc9});
        try {
            buf.readerIndex(2);
            assertEquals(PacketKind.RTCP, PacketClassifier.classify(buf));
            assertEquals(2, buf.readerIndex());
            assertEquals(4, buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldTellRtcpPacketTypesFromRtpPayloadTypes() {
        assertFalse(PacketClassifier.isRtcpPacketType(191));
        assertTrue(PacketClassifier.isRtcpPacketType(192));
        assertTrue(PacketClassifier.isRtcpPacketType(223));
        assertFalse(PacketClassifier.isRtcpPacketType(224));
        assertFalse(PacketClassifier.isRtcpPacketType(96));
    }

    private static void assertKind(PacketKind expected, int... bytes) {
        ByteBuf buf = Unpooled.buffer(bytes.length);
        try {
            for (int b : bytes) {
                buf.writeByte(b);
            }
            assertEquals(expected, PacketClassifier.classify(buf, 0, bytes.length));
        } finally {
            buf.release();
        }
    }
}
