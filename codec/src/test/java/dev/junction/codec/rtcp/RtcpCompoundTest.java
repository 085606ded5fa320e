package dev.junction.codec.rtcp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.concat;
import static dev.junction.codec.rtp.TestBytes.wrapCopy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RtcpCompoundTest {

    private final RtcpCompound compound = new RtcpCompound();

    @Test
    void shouldWalkFirefoxCompoundPacket() {
        ByteBuf buf = wrapCopy(RtcpFixtures.firefoxCompound());
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertPacket(0, RtcpType.RR, 1, 0, 32);
            assertPacket(1, RtcpType.SDES, 1, 32, 52);
            assertPacket(2, RtcpType.BYE, 1, 84, 8);
            assertPacket(3, RtcpType.PSFB, RtcpType.FMT_PLI, 92, 12);
            assertPacket(4, RtcpType.RTPFB, 5, 104, 12);
            assertPacket(5, RtcpType.APP, 0, 116, 16);
            assertFalse(compound.next());
            assertTrue(compound.isComplete());
            assertEquals(RtcpParseError.NONE, compound.error());
            assertEquals(0, buf.readerIndex());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldHandEachPacketToItsFlyweight() {
        ByteBuf buf = wrapCopy(RtcpFixtures.firefoxCompound());
        ReceiverReport rr = new ReceiverReport();
        SourceDescription sdes = new SourceDescription();
        Goodbye bye = new Goodbye();
        PictureLossIndication pli = new PictureLossIndication();
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            int recognised = 0;
            while (compound.next()) {
                int off = compound.offset();
                int len = compound.length();
                switch (compound.packetType()) {
                    case RtcpType.RR -> {
                        assertTrue(rr.wrap(buf, off, len));
                        assertEquals(0x902F9E2EL, rr.senderSsrc());
                        recognised++;
                    }
                    case RtcpType.SDES -> {
                        assertTrue(sdes.wrap(buf, off, len));
                        assertTrue(sdes.nextChunk());
                        assertTrue(sdes.nextItem());
                        assertEquals("{9c00eb92-1afb-9d49-a47d-91f64eee69f5}", sdes.itemText());
                        recognised++;
                    }
                    case RtcpType.BYE -> {
                        assertTrue(bye.wrap(buf, off, len));
                        assertEquals(0x902F9E2EL, bye.source(0));
                        recognised++;
                    }
                    case RtcpType.PSFB -> {
                        assertTrue(pli.wrap(buf, off, len));
                        assertEquals(0x902F9E2EL, pli.mediaSsrc());
                        recognised++;
                    }
                    default -> assertFalse(pli.wrap(buf, off, len), "PLI flyweight refuses other types");
                }
            }
            assertEquals(4, recognised);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWalkSenderReportAndSdes() {
        ByteBuf buf = wrapCopy(RtcpFixtures.senderReportAndSdes());
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertPacket(0, RtcpType.SR, 1, 0, 52);
            assertPacket(1, RtcpType.SDES, 1, 52, 28);
            assertFalse(compound.next());
            assertTrue(compound.isComplete());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldAcceptPaddingOnTheLastPacket() {
        ByteBuf buf = wrapCopy(concat(RtcpFixtures.nack(), RtcpFixtures.twccChromePadded()));
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertPacket(0, RtcpType.RTPFB, RtcpType.FMT_NACK, 0, 16);
            assertEquals(0, compound.paddingLength());
            assertPacket(1, RtcpType.RTPFB, RtcpType.FMT_TRANSPORT_CC, 16, 32);
            assertEquals(1, compound.paddingLength());
            assertFalse(compound.next());
            assertTrue(compound.isComplete());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldAcceptPaddedPacketBeforeTheLastAsLibwebrtcBatchesThem() {
        ByteBuf buf = wrapCopy(concat(RtcpFixtures.nack(), RtcpFixtures.twccChromePadded(), RtcpFixtures.nack()));
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertPacket(0, RtcpType.RTPFB, RtcpType.FMT_NACK, 0, 16);
            assertPacket(1, RtcpType.RTPFB, RtcpType.FMT_TRANSPORT_CC, 16, 32);
            assertEquals(1, compound.paddingLength());
            assertPacket(2, RtcpType.RTPFB, RtcpType.FMT_NACK, 48, 16);
            assertFalse(compound.next());
            assertTrue(compound.isComplete());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldStopWhereALengthRunsPastTheEnd() {
        byte[] data = RtcpFixtures.senderReportAndSdes();
        data[52 + 3] = 0x07; // SDES claims 32 bytes, 28 remain
        ByteBuf buf = wrapCopy(data);
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertPacket(0, RtcpType.SR, 1, 0, 52);
            assertFalse(compound.next());
            assertEquals(RtcpParseError.BAD_LENGTH, compound.error());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldStopAtLengthFieldMax() {
        byte[] data = RtcpFixtures.nack();
        data[2] = (byte) 0xFF;
        data[3] = (byte) 0xFF; // 262144 bytes
        ByteBuf buf = wrapCopy(data);
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertFalse(compound.next());
            assertEquals(RtcpParseError.BAD_LENGTH, compound.error());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldStepOverHeaderOnlyPacketsWithLengthZero() {
        // length=0 is "one word": the header itself; the walk always advances.
        ByteBuf buf = wrapCopy(bytes(0x80, 0xC9, 0x00, 0x00, 0x80, 0xCC, 0x00, 0x00));
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertPacket(0, RtcpType.RR, 0, 0, 4);
            assertPacket(1, RtcpType.APP, 0, 4, 4);
            assertFalse(compound.next());
            assertTrue(compound.isComplete());
            assertFalse(new ReceiverReport().wrap(buf, 0, 4), "an RR needs its sender SSRC");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReportTrailingBytesAsTruncated() {
        ByteBuf buf = wrapCopy(concat(RtcpFixtures.nack(), bytes(0x80, 0xC9)));
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertPacket(0, RtcpType.RTPFB, 1, 0, 16);
            assertFalse(compound.next());
            assertEquals(RtcpParseError.TRUNCATED, compound.error());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReportEmptyDatagramAsTruncated() {
        ByteBuf buf = wrapCopy(new byte[0]);
        try {
            assertTrue(compound.wrap(buf, 0, 0));
            assertFalse(compound.next());
            assertEquals(RtcpParseError.TRUNCATED, compound.error());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldStopAtWrongVersion() {
        byte[] data = concat(RtcpFixtures.nack(), RtcpFixtures.nack());
        data[16] = (byte) 0x41; // V=1
        ByteBuf buf = wrapCopy(data);
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertTrue(compound.next());
            assertFalse(compound.next());
            assertEquals(RtcpParseError.BAD_VERSION, compound.error());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldRejectPaddingCountOfZeroOrBeyondThePacket() {
        for (int count : new int[] {0, 29, 255}) {
            byte[] data = RtcpFixtures.twccChromePadded();
            data[data.length - 1] = (byte) count;
            ByteBuf buf = wrapCopy(data);
            try {
                assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
                assertFalse(compound.next());
                assertEquals(RtcpParseError.BAD_PADDING, compound.error(), "count " + count);
            } finally {
                buf.release();
            }
        }
        byte[] data = RtcpFixtures.twccChromePadded();
        data[data.length - 1] = 28; // everything but the header is padding: odd, but well formed
        ByteBuf buf = wrapCopy(data);
        try {
            assertTrue(compound.wrap(buf, 0, buf.readableBytes()));
            assertTrue(compound.next());
            assertEquals(28, compound.paddingLength());
            assertFalse(new TransportCcFeedback().wrap(buf, 0, 32), "but too short for its type");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldNeverReadOutsideTheWrappedRegion() {
        byte[] data = RtcpFixtures.senderReportAndSdes();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(200);
        try {
            buf.writeBytes(data);
            // Wrap only the SR and half of the SDES: the SDES length points past the region.
            assertTrue(compound.wrap(buf, 0, 66));
            assertTrue(compound.next());
            assertFalse(compound.next());
            assertEquals(RtcpParseError.BAD_LENGTH, compound.error());
            assertFalse(compound.wrap(buf, 0, data.length + 1));
            assertEquals(RtcpParseError.OUT_OF_BOUNDS, compound.error());
            assertFalse(compound.next());
            assertFalse(compound.wrap(null, 0, 0));
            assertFalse(compound.wrap(buf, -4, 8));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWalkAtAnOffset() {
        byte[] data = RtcpFixtures.receiverReportAndRemb();
        byte[] framed = new byte[data.length + 10];
        Arrays.fill(framed, (byte) 0xFF);
        System.arraycopy(data, 0, framed, 6, data.length);
        ByteBuf buf = wrapCopy(framed);
        try {
            assertTrue(compound.wrap(buf, 6, data.length));
            assertPacket(0, RtcpType.RR, 1, 6, 32);
            assertPacket(1, RtcpType.PSFB, RtcpType.FMT_AFB, 38, 24);
            assertFalse(compound.next());
            assertTrue(compound.isComplete());
        } finally {
            buf.release();
        }
    }

    private void assertPacket(int index, int type, int format, int offset, int length) {
        assertTrue(compound.next(), () -> "packet " + index + " missing: " + compound.error());
        assertEquals(index, compound.index());
        assertEquals(type, compound.packetType());
        assertEquals(format, compound.format());
        assertEquals(offset, compound.offset());
        assertEquals(length, compound.length());
    }
}
