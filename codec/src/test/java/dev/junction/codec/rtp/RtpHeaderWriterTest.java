package dev.junction.codec.rtp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.hex;
import static dev.junction.codec.rtp.TestBytes.readable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RtpHeaderWriterTest {

    private final RtpHeaderWriter writer = new RtpHeaderWriter();

    @Test
    void shouldWriteOneByteExtensionHeaderByteForByte() {
        byte[] expected = RtpFixtures.vp8ThreeOneByteExtensions();
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            writer.start(out, 96, true, 6699, 0x5A3F4C1DL, 0x8D6C34F2L);
            writer.startExtensions(false, 0);
            writer.addExtension(2, 0x4FC28A, 3);
            writer.addExtension(3, 379, 2);
            writer.addExtension(4, new byte[] {'0'}, 0, 1);
            writer.endExtensions();
            assertEquals(28, writer.headerLength());
            out.writeBytes(expected, 28, expected.length - 28);
            assertEquals(28, writer.headerLength(), "the payload is not part of the header");
            assertArrayEquals(expected, readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldWriteTwoByteExtensionsWithAppBits() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            writer.start(out, 111, false, 1, 960, 42);
            writer.startExtensions(true, 3);
            writer.addExtension(1, 0x85, 1);
            writer.addExtension(16, new byte[0], 0, 0);
            writer.addExtension(15, 0xABCD, 2);
            writer.endExtensions();
            out.writeBytes(bytes(0xFC, 0xFF, 0xFE));
            assertArrayEquals(bytes(
                    0x90, 0x6F, 0x00, 0x01, // V=2 X=1 | M=0 PT=111 | seq=1
                    0x00, 0x00, 0x03, 0xC0, // timestamp=960
                    0x00, 0x00, 0x00, 0x2A, // SSRC=42
                    0x10, 0x03, 0x00, 0x03, // two-byte form, appbits=3, 3 words
                    0x01, 0x01, 0x85,       // id=1 len=1
                    0x10, 0x00,             // id=16 len=0
                    0x0F, 0x02, 0xAB, 0xCD, // id=15 len=2
                    0x00, 0x00, 0x00,       // zero padding to 32 bits
                    0xFC, 0xFF, 0xFE), readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldWriteCsrcsAndPadding() {
        byte[] expected = RtpFixtures.pcmaCsrcsAndPadding();
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            writer.start(out, 8, false, 12345, 123456, 0xCAFEBABEL);
            writer.addCsrc(1);
            writer.addCsrc(0xDEADBEEFL);
            assertEquals(20, writer.headerLength());
            out.writeBytes(bytes(0xD5, 0xD5, 0xD5, 0xD5));
            writer.pad(3);
            assertArrayEquals(expected, readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldProduceWhatTheParserReadsBackAtAnyWriterIndex() {
        RtpPacket rtp = new RtpPacket();
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        try {
            out.writeZero(13);
            writer.start(out, 127, true, 0xFFFF, 0xFFFF_FFFFL, 0xFFFF_FFFFL);
            writer.startExtensions(false, 0);
            byte[] sixteen = new byte[16];
            Arrays.fill(sixteen, (byte) 7);
            writer.addExtension(14, sixteen, 0, 16);
            writer.addExtension(1, 0x0102030405060708L, 8);
            writer.endExtensions();
            out.writeZero(1000);
            writer.pad(255);
            assertTrue(rtp.wrap(out, 13, out.writerIndex() - 13), () -> rtp.error().name());
            assertEquals(127, rtp.payloadType());
            assertTrue(rtp.marker());
            assertEquals(0xFFFF, rtp.sequenceNumber());
            assertEquals(0xFFFF_FFFFL, rtp.timestamp());
            assertEquals(0xFFFF_FFFFL, rtp.ssrc());
            assertEquals(1000, rtp.payloadLength());
            assertEquals(255, rtp.paddingLength());
            long big = rtp.findExtension(1);
            assertEquals(8, RtpPacket.foundLength(big));
            assertEquals(0x0102030405060708L, out.getLong(RtpPacket.foundOffset(big)));
            assertEquals(16, RtpPacket.foundLength(rtp.findExtension(14)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRefuseCallsOutOfOrderOrOutOfRange() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            assertThrows(IllegalStateException.class, () -> writer.addCsrc(1));
            assertThrows(IllegalArgumentException.class, () -> writer.start(out, 128, false, 0, 0, 0));
            writer.start(out, 96, false, 0, 0, 0);
            assertThrows(IllegalStateException.class, () -> writer.addExtension(1, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> writer.startExtensions(false, 1));
            writer.startExtensions(false, 0);
            assertThrows(IllegalStateException.class, () -> writer.addCsrc(1));
            assertThrows(IllegalStateException.class, writer::headerLength);
            assertThrows(IllegalArgumentException.class, () -> writer.addExtension(15, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> writer.addExtension(0, 1, 1));
            assertThrows(IllegalArgumentException.class, () -> writer.addExtension(1, new byte[17], 0, 17));
            assertThrows(IllegalArgumentException.class, () -> writer.addExtension(1, 1, 9));
            assertThrows(IllegalStateException.class, () -> writer.pad(1));
            writer.endExtensions();
            assertThrows(IllegalArgumentException.class, () -> writer.pad(0));
            assertThrows(IllegalArgumentException.class, () -> writer.pad(256));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRefuseSixteenthCsrc() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(128);
        try {
            writer.start(out, 96, false, 0, 0, 0);
            for (int i = 0; i < 15; i++) {
                writer.addCsrc(i);
            }
            assertThrows(IllegalStateException.class, () -> writer.addCsrc(15));
            assertEquals(12 + 60, writer.headerLength());
        } finally {
            out.release();
        }
    }
}
