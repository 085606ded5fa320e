package dev.junction.codec.rtcp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.hex;
import static dev.junction.codec.rtp.TestBytes.readable;
import static dev.junction.codec.rtp.TestBytes.wrapCopy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Sender and Receiver Reports with their report blocks (RFC 3550 §6.4). */
class ReportTest {

    private final SenderReport sr = new SenderReport();
    private final ReceiverReport rr = new ReceiverReport();
    private final ReportBlock block = new ReportBlock();

    @Test
    void shouldParseSenderReportWithNegativeCumulativeLoss() {
        ByteBuf buf = wrapCopy(RtcpFixtures.senderReport());
        try {
            assertTrue(sr.wrap(buf, 0, buf.readableBytes()));
            assertEquals(0x8D6C34F2L, sr.senderSsrc());
            assertEquals(0xE93A2F11_80000000L, sr.ntpTimestamp());
            assertEquals(0x2F118000L, sr.compactNtp());
            assertEquals(0x5A3F4C1DL, sr.rtpTimestamp());
            assertEquals(1234, sr.packetCount());
            assertEquals(1_000_000, sr.octetCount());
            assertEquals(1, sr.reportCount());
            assertSame(block, sr.reportBlock(0, block));
            assertEquals(42, block.ssrc());
            assertEquals(25, block.fractionLost());
            assertEquals(-2, block.cumulativeLost());
            assertEquals(0x1_0005L, block.extendedHighestSequenceNumber());
            assertEquals(64, block.jitter());
            assertEquals(0x2F118000L, block.lastSenderReport());
            assertEquals(98_304, block.delaySinceLastSenderReport());
            assertThrows(IndexOutOfBoundsException.class, () -> sr.reportBlock(1, block));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWriteSenderReportByteForByte() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            SenderReport.write(out, 0x8D6C34F2L, 0xE93A2F11_80000000L, 0x5A3F4C1DL, 1234, 1_000_000, 1);
            ReportBlock.write(out, 42, 25, -2, 0x1_0005L, 64, 0x2F118000L, 98_304);
            assertArrayEquals(RtcpFixtures.senderReport(), readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldParseFirefoxReceiverReport() {
        ByteBuf buf = wrapCopy(RtcpFixtures.firefoxCompound());
        try {
            assertTrue(rr.wrap(buf, 0, 32));
            assertEquals(0x902F9E2EL, rr.senderSsrc());
            assertEquals(1, rr.reportCount());
            rr.reportBlock(0, block);
            assertEquals(0xBC5E9A40L, block.ssrc());
            assertEquals(0, block.fractionLost());
            assertEquals(0, block.cumulativeLost());
            assertEquals(0x46E1, block.extendedHighestSequenceNumber());
            assertEquals(273, block.jitter());
            assertEquals(0x09F36432L, block.lastSenderReport());
            assertEquals(150_137, block.delaySinceLastSenderReport());
            assertTrue(rr.wrap(buf, 0, buf.readableBytes()), "a longer region is fine: the length field decides");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWriteReceiverReportByteForByte() {
        byte[] expected = Arrays.copyOf(RtcpFixtures.firefoxCompound(), 32);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            ReceiverReport.write(out, 0x902F9E2EL, 1);
            ReportBlock.write(out, 0xBC5E9A40L, 0, 0, 0x46E1, 273, 0x09F36432L, 150_137);
            assertArrayEquals(expected, readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldWriteAndParseEmptyReceiverReport() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
        try {
            ReceiverReport.write(out, 7, 0);
            assertArrayEquals(bytes(
                    0x80, 0xC9, 0x00, 0x01, // V=2 RC=0 | PT=RR | length=1 (8 bytes)
                    0x00, 0x00, 0x00, 0x07), readable(out)); // sender SSRC=7
            assertTrue(rr.wrap(out, 0, out.readableBytes()));
            assertEquals(0, rr.reportCount());
        } finally {
            out.release();
        }
    }

    @Test
    void shouldClampCumulativeLossToTwentyFourBits() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            ReportBlock.write(out, 1, 0, 50_000_000, 0, 0, 0, 0);
            ReportBlock.write(out, 1, 0, -50_000_000, 0, 0, 0, 0);
            assertEquals(0x7FFFFF, out.getMedium(5));
            assertEquals(-0x800000, out.getMedium(24 + 5));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRejectReportWhoseBlocksDoNotFit() {
        byte[] data = RtcpFixtures.senderReport();
        data[0] = (byte) 0x82; // RC=2, one block present
        ByteBuf buf = wrapCopy(data);
        try {
            assertFalse(sr.wrap(buf, 0, buf.readableBytes()));
        } finally {
            buf.release();
        }
        byte[] rrData = Arrays.copyOf(RtcpFixtures.firefoxCompound(), 32);
        rrData[0] = (byte) 0x9F; // RC=31
        ByteBuf rrBuf = wrapCopy(rrData);
        try {
            assertFalse(rr.wrap(rrBuf, 0, rrBuf.readableBytes()));
        } finally {
            rrBuf.release();
        }
    }

    @Test
    void shouldRejectWrongTypeTruncationAndBadPadding() {
        ByteBuf buf = wrapCopy(RtcpFixtures.senderReport());
        try {
            assertFalse(rr.wrap(buf, 0, buf.readableBytes()), "an SR is not an RR");
            assertFalse(sr.wrap(buf, 0, 51), "shorter than the length field");
            assertFalse(sr.wrap(buf, 0, 3));
            assertFalse(sr.wrap(buf, 4, 52), "outside the buffer");
            buf.setByte(0, 0xA1); // P=1 with the last byte 0x00 as the count
            assertFalse(sr.wrap(buf, 0, buf.readableBytes()));
            buf.setByte(0, 0x81);
            buf.setByte(1, 200);
            buf.setShort(2, 6); // 28 bytes: sender info only, but RC=1
            assertFalse(sr.wrap(buf, 0, buf.readableBytes()));
            buf.setByte(0, 0x80);
            assertTrue(sr.wrap(buf, 0, buf.readableBytes()), "RC=0 fits in 28 bytes");
            assertEquals(0, sr.reportCount());
        } finally {
            buf.release();
        }
    }
}
