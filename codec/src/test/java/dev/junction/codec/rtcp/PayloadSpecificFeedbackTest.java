package dev.junction.codec.rtcp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.hex;
import static dev.junction.codec.rtp.TestBytes.readable;
import static dev.junction.codec.rtp.TestBytes.wrapCopy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** PLI (RFC 4585 §6.3.1), FIR (RFC 5104 §4.3.1) and REMB (draft-alvestrand-rmcat-remb). */
class PayloadSpecificFeedbackTest {

    private final PictureLossIndication pli = new PictureLossIndication();
    private final FullIntraRequest fir = new FullIntraRequest();
    private final Remb remb = new Remb();

    @Test
    void shouldParseAndWriteFirefoxPli() {
        byte[] expected = Arrays.copyOfRange(RtcpFixtures.firefoxCompound(), 92, 104);
        ByteBuf buf = wrapCopy(expected);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(16);
        try {
            assertTrue(pli.wrap(buf, 0, buf.readableBytes()));
            assertEquals(0x902F9E2EL, pli.senderSsrc());
            assertEquals(0x902F9E2EL, pli.mediaSsrc());
            PictureLossIndication.write(out, 0x902F9E2EL, 0x902F9E2EL);
            assertArrayEquals(expected, readable(out));
            assertFalse(fir.wrap(buf, 0, buf.readableBytes()), "a PLI is not a FIR");
            assertFalse(remb.wrap(buf, 0, buf.readableBytes()));
            assertFalse(pli.wrap(buf, 0, 8));
        } finally {
            buf.release();
            out.release();
        }
    }

    @Test
    void shouldParseAndWriteFir() {
        ByteBuf buf = wrapCopy(RtcpFixtures.fir());
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(32);
        try {
            assertTrue(fir.wrap(buf, 0, buf.readableBytes()));
            assertEquals(1, fir.senderSsrc());
            assertEquals(0, fir.mediaSsrc());
            assertEquals(1, fir.entryCount());
            assertEquals(0x8D6C34F2L, fir.ssrc(0));
            assertEquals(7, fir.sequenceNumber(0));
            FullIntraRequest.write(out, 1, 0x8D6C34F2L, 7);
            assertArrayEquals(RtcpFixtures.fir(), readable(out), () -> hex(readable(out)));
            assertFalse(pli.wrap(buf, 0, buf.readableBytes()));
        } finally {
            buf.release();
            out.release();
        }
    }

    @Test
    void shouldReadEveryFirEntryAndRejectFirWithoutOne() {
        ByteBuf two = wrapCopy(bytes(
                0x84, 0xCE, 0x00, 0x06, // FMT=4 | PSFB | length=6 (28 bytes)
                0x00, 0x00, 0x00, 0x01, // sender
                0x00, 0x00, 0x00, 0x00, // media: 0
                0x00, 0x00, 0x00, 0x0A, 0xFF, 0x00, 0x00, 0x00, // SSRC=10, seq=255
                0x00, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x00, 0x00)); // SSRC=11, seq=0
        ByteBuf none = wrapCopy(bytes(0x84, 0xCE, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0));
        try {
            assertTrue(fir.wrap(two, 0, two.readableBytes()));
            assertEquals(2, fir.entryCount());
            assertEquals(255, fir.sequenceNumber(0));
            assertEquals(11, fir.ssrc(1));
            assertEquals(0, fir.sequenceNumber(1));
            assertFalse(fir.wrap(none, 0, none.readableBytes()));
        } finally {
            two.release();
            none.release();
        }
    }

    @Test
    void shouldParseChromeRemb() {
        ByteBuf buf = wrapCopy(RtcpFixtures.chromeRemb());
        try {
            assertTrue(remb.wrap(buf, 0, buf.readableBytes()));
            assertEquals(1, remb.senderSsrc());
            assertEquals(0, remb.mediaSsrc());
            assertEquals(8_927_168, remb.bitrateBps());
            assertEquals(1, remb.ssrcCount());
            assertEquals(0x4874ED16L, remb.ssrc(0));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWriteChromeRembByteForByte() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(32);
        try {
            Remb.write(out, 1, 8_927_168, new long[] {0x4874ED16L}, 1);
            assertArrayEquals(RtcpFixtures.chromeRemb(), readable(out), () -> hex(readable(out)));
            out.clear();
            // One bit/s less cannot be expressed with exp=6: it rounds down to the next lower mantissa.
            Remb.write(out, 1, 8_927_167, new long[] {0x4874ED16L}, 1);
            assertTrue(remb.wrap(out, 0, out.readableBytes()));
            assertEquals(8_927_104, remb.bitrateBps());
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRoundTripBitratesAcrossTheRangeRoundingDown() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(32);
        try {
            long[] rates = {0, 1, 0x3FFFF, 0x40000, 300_000, 2_500_000, 1L << 40, Long.MAX_VALUE};
            for (long rate : rates) {
                out.clear();
                Remb.write(out, 1, rate, new long[0], 0);
                assertTrue(remb.wrap(out, 0, out.readableBytes()));
                long read = remb.bitrateBps();
                assertTrue(read <= rate, rate + " -> " + read);
                assertTrue(read >= rate - (rate >>> 17), "within the mantissa's precision: " + rate + " -> " + read);
            }
        } finally {
            out.release();
        }
    }

    @Test
    void shouldSaturateBitrateThatOverflowsALong() {
        ByteBuf buf = wrapCopy(bytes(
                0x8F, 0xCE, 0x00, 0x04, // FMT=15 | PSFB | length=4 (20 bytes)
                0x00, 0x00, 0x00, 0x00, // sender
                0x00, 0x00, 0x00, 0x00, // media
                0x52, 0x45, 0x4D, 0x42, // "REMB"
                0x00, 0xFF, 0xFF, 0xFF)); // 0 SSRCs | exp=63 | mantissa=262143
        try {
            assertTrue(remb.wrap(buf, 0, buf.readableBytes()));
            assertEquals(Long.MAX_VALUE, remb.bitrateBps());
            assertEquals(0, remb.ssrcCount());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldRejectOtherApplicationFeedbackAndMissingSsrcs() {
        byte[] notRemb = RtcpFixtures.chromeRemb();
        notRemb[15] = 'X'; // "REMX"
        byte[] tooManySsrcs = RtcpFixtures.chromeRemb();
        tooManySsrcs[16] = 2; // two SSRCs announced, one present
        for (byte[] bad : new byte[][] {notRemb, tooManySsrcs}) {
            ByteBuf buf = wrapCopy(bad);
            try {
                assertFalse(remb.wrap(buf, 0, buf.readableBytes()), hex(bad));
            } finally {
                buf.release();
            }
        }
    }
}
