package dev.junction.codec.rtp;

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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RtpPacketTest {

    private final RtpPacket rtp = new RtpPacket();
    private final RtpExtensionCursor cursor = new RtpExtensionCursor();

    @Test
    void shouldParseVp8WithThreeOneByteExtensions() {
        ByteBuf buf = wrapCopy(RtpFixtures.vp8ThreeOneByteExtensions());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()), () -> rtp.error().name());
            assertEquals(RtpParseError.NONE, rtp.error());
            assertEquals(2, rtp.version());
            assertFalse(rtp.hasPadding());
            assertTrue(rtp.hasExtension());
            assertEquals(0, rtp.csrcCount());
            assertTrue(rtp.marker());
            assertEquals(96, rtp.payloadType());
            assertEquals(6699, rtp.sequenceNumber());
            assertEquals(0x5A3F4C1DL, rtp.timestamp());
            assertEquals(0x8D6C34F2L, rtp.ssrc());
            assertEquals(0xBEDE, rtp.extensionProfile());
            assertTrue(rtp.hasOneByteExtensions());
            assertFalse(rtp.hasTwoByteExtensions());
            assertEquals(16, rtp.extensionDataOffset());
            assertEquals(12, rtp.extensionDataLength());
            assertEquals(28, rtp.headerLength());
            assertEquals(28, rtp.payloadOffset());
            assertEquals(12, rtp.payloadLength());
            assertEquals(0, rtp.paddingLength());

            long absSendTime = rtp.findExtension(2);
            assertEquals(17, RtpPacket.foundOffset(absSendTime));
            assertEquals(3, RtpPacket.foundLength(absSendTime));
            assertEquals(0x4FC28A, buf.getUnsignedMedium(RtpPacket.foundOffset(absSendTime)));
            long twcc = rtp.findExtension(3);
            assertEquals(2, RtpPacket.foundLength(twcc));
            assertEquals(379, buf.getUnsignedShort(RtpPacket.foundOffset(twcc)));
            long mid = rtp.findExtension(4);
            assertEquals(1, RtpPacket.foundLength(mid));
            assertEquals('0', buf.getByte(RtpPacket.foundOffset(mid)));
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(1));
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(0));
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(15));

            assertTrue(cursor.reset(rtp));
            assertElement(2, 17, 3);
            assertElement(3, 21, 2);
            assertElement(4, 24, 1);
            assertFalse(cursor.next(), "trailing zero bytes are padding");
            assertFalse(cursor.malformed());
            assertFalse(cursor.stoppedAtReservedId());
            assertEquals(0, buf.readerIndex(), "flyweights never move the reader index");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldParseTwoByteExtensionsWithAppBitsPaddingAndEmptyElement() {
        ByteBuf buf = wrapCopy(RtpFixtures.opusTwoByteExtensions());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals(111, rtp.payloadType());
            assertEquals(1, rtp.sequenceNumber());
            assertEquals(960, rtp.timestamp());
            assertEquals(42, rtp.ssrc());
            assertEquals(0x1003, rtp.extensionProfile());
            assertTrue(rtp.hasTwoByteExtensions());
            assertEquals(3, rtp.extensionAppBits());
            assertEquals(28, rtp.payloadOffset());
            assertEquals(3, rtp.payloadLength());

            assertTrue(cursor.reset(rtp));
            assertElement(1, 18, 1);
            assertElement(16, 22, 0);
            assertElement(15, 26, 2);
            assertFalse(cursor.next());
            assertFalse(cursor.stoppedAtReservedId(), "id 15 is not reserved in the two-byte form");

            assertEquals(0x85, buf.getUnsignedByte(RtpPacket.foundOffset(rtp.findExtension(1))));
            long empty = rtp.findExtension(16);
            assertTrue(empty != RtpPacket.NOT_FOUND);
            assertEquals(0, RtpPacket.foundLength(empty));
            assertEquals(0xABCD, buf.getUnsignedShort(RtpPacket.foundOffset(rtp.findExtension(15))));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReadCsrcsAndRemovePadding() {
        ByteBuf buf = wrapCopy(RtpFixtures.pcmaCsrcsAndPadding());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertTrue(rtp.hasPadding());
            assertFalse(rtp.hasExtension());
            assertEquals(2, rtp.csrcCount());
            assertEquals(1, rtp.csrc(0));
            assertEquals(0xDEADBEEFL, rtp.csrc(1));
            assertEquals(8, rtp.payloadType());
            assertEquals(12345, rtp.sequenceNumber());
            assertEquals(123456, rtp.timestamp());
            assertEquals(0xCAFEBABEL, rtp.ssrc());
            assertEquals(20, rtp.headerLength());
            assertEquals(4, rtp.payloadLength());
            assertEquals(3, rtp.paddingLength());
            assertEquals(-1, rtp.extensionProfile());
            assertFalse(cursor.reset(rtp));
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(1));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldSkipOpaqueExtensionProfile() {
        ByteBuf buf = wrapCopy(RtpFixtures.opaqueExtensionProfile());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals(0x0001, rtp.extensionProfile());
            assertFalse(rtp.hasOneByteExtensions());
            assertFalse(rtp.hasTwoByteExtensions());
            assertEquals(20, rtp.payloadOffset());
            assertEquals(5, rtp.payloadLength());
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(15));
            assertFalse(cursor.reset(rtp));
            assertEquals(0, rtp.rewriteExtensionIds(new byte[256]), "opaque blocks are left alone");
            assertArrayEquals(RtpFixtures.opaqueExtensionProfile(), readable(buf));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldStopOneByteWalkAtReservedId15() {
        ByteBuf buf = wrapCopy(bytes(
                0x90, 0x60, 0x00, 0x01, // V=2 X=1 | PT=96 | seq=1
                0x00, 0x00, 0x00, 0x00, // timestamp
                0x00, 0x00, 0x00, 0x01, // SSRC
                0xBE, 0xDE, 0x00, 0x02, // one-byte form, 2 words
                0x10, 0xAA,             // id=1 L=0: 0xAA
                0xF3,                   // id=15: stop here, its length nibble is ignored (RFC 8285 §4.2)
                0x20, 0xBB,             // id=2 L=0: never considered
                0x00, 0x00, 0x00,       // padding
                0x01));                 // payload
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals(0xAA, buf.getUnsignedByte(RtpPacket.foundOffset(rtp.findExtension(1))));
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(2));
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(15));
            assertTrue(cursor.reset(rtp));
            assertElement(1, 17, 1);
            assertFalse(cursor.next());
            assertTrue(cursor.stoppedAtReservedId());
            assertEquals(1, rtp.payloadLength(), "the packet itself stays valid");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldStopAtElementOverrunningTheBlockButKeepThePacket() {
        ByteBuf buf = wrapCopy(bytes(
                0x90, 0x60, 0x00, 0x01, // V=2 X=1 | PT=96 | seq=1
                0x00, 0x00, 0x00, 0x00, // timestamp
                0x00, 0x00, 0x00, 0x01, // SSRC
                0xBE, 0xDE, 0x00, 0x01, // one-byte form, 1 word
                0x10, 0xAA,             // id=1 L=0: 0xAA
                0x3F, 0x00,             // id=3 L=15 (16 bytes): runs past the block
                0x77, 0x77));           // payload
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals(2, rtp.payloadLength());
            assertTrue(rtp.findExtension(1) != RtpPacket.NOT_FOUND);
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(3));
            assertTrue(cursor.reset(rtp));
            assertElement(1, 17, 1);
            assertFalse(cursor.next());
            assertTrue(cursor.malformed());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldSkipZeroIdBytesAsPaddingWhateverTheirLengthNibble() {
        ByteBuf buf = wrapCopy(bytes(
                0x90, 0x60, 0x00, 0x01, // V=2 X=1 | PT=96 | seq=1
                0x00, 0x00, 0x00, 0x00, // timestamp
                0x00, 0x00, 0x00, 0x01, // SSRC
                0xBE, 0xDE, 0x00, 0x01, // one-byte form, 1 word
                0x0F,                   // id=0: one padding byte, the length nibble is ignored
                0x51, 0x12, 0x34));     // id=5 L=1: 0x1234
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals(0x1234, buf.getUnsignedShort(RtpPacket.foundOffset(rtp.findExtension(5))));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldRewriteHeaderFieldsInPlace() {
        ByteBuf buf = wrapCopy(RtpFixtures.vp8ThreeOneByteExtensions());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            rtp.setSsrc(0x11223344L);
            rtp.setSequenceNumber(0xFFFF);
            rtp.setTimestamp(0x1_0000_0001L); // bits above 32 are dropped
            rtp.setPayloadType(100);
            rtp.setMarker(false);
            byte[] expected = RtpFixtures.vp8ThreeOneByteExtensions();
            System.arraycopy(bytes(
                    0x90, 0x64, 0xFF, 0xFF, // V=2 X=1 | M=0 PT=100 | seq=65535
                    0x00, 0x00, 0x00, 0x01, // timestamp=1
                    0x11, 0x22, 0x33, 0x44), // SSRC=0x11223344
                    0, expected, 0, 12);
            assertArrayEquals(expected, readable(buf), () -> hex(readable(buf)));
            assertEquals(0x11223344L, rtp.ssrc());
            assertEquals(0xFFFF, rtp.sequenceNumber());
            assertEquals(1, rtp.timestamp());
            assertEquals(100, rtp.payloadType());
            assertFalse(rtp.marker());
            rtp.setMarker(true);
            rtp.setPayloadType(0x80 | 5); // only 7 bits are a payload type; the marker survives
            assertTrue(rtp.marker());
            assertEquals(5, rtp.payloadType());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldMapOneByteExtensionIdsAndBlankUnmappedOnes() {
        ByteBuf buf = wrapCopy(RtpFixtures.vp8ThreeOneByteExtensions());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            byte[] map = new byte[15];
            map[2] = 5; // abs-send-time: publisher 2 -> subscriber 5
            map[3] = 1; // transport-cc: 3 -> 1
            // mid (4) unmapped: the subscriber did not negotiate it
            assertEquals(1, rtp.rewriteExtensionIds(map));
            byte[] expected = RtpFixtures.vp8ThreeOneByteExtensions();
            System.arraycopy(bytes(
                    0x52, 0x4F, 0xC2, 0x8A, // id=5 L=2: abs-send-time, data untouched
                    0x11, 0x01, 0x7B,       // id=1 L=1: transport-wide seq 379
                    0x00, 0x00),            // former mid element, now two padding bytes
                    0, expected, 16, 9);
            assertArrayEquals(expected, readable(buf), () -> hex(readable(buf)));
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()), "still a valid packet");
            assertEquals(379, buf.getUnsignedShort(RtpPacket.foundOffset(rtp.findExtension(1))));
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(4));
            assertEquals(28, rtp.payloadOffset(), "no byte moved");
        } finally {
            buf.release();
        }
    }

    /**
     * A forwarder's copy at another offset of another buffer, rewritten from the parsed original without parsing
     * the copy: the same bytes as parsing the copy and rewriting it in place, and the original untouched.
     */
    @Test
    void shouldRewriteACopyLikeTheCopyRewrittenInPlace() {
        for (byte[] fixture : new byte[][] {RtpFixtures.vp8ThreeOneByteExtensions(), RtpFixtures.opusTwoByteExtensions(),
                RtpFixtures.pcmaCsrcsAndPadding()}) {
            ByteBuf original = wrapCopy(fixture);
            ByteBuf viaCopy = io.netty.buffer.Unpooled.buffer(64 + fixture.length);
            ByteBuf inPlace = io.netty.buffer.Unpooled.buffer(64 + fixture.length);
            try {
                int at = original.readerIndex();
                assertTrue(rtp.wrap(original, at, original.readableBytes()));
                byte[] map = new byte[256];
                map[2] = 5;
                map[3] = 1;
                map[14] = 20;
                viaCopy.writeZero(7).writeBytes(original, at, original.readableBytes());
                int removed = rtp.rewriteExtensionIdsInto(viaCopy, 7, map);
                RtpPacket.rewriteHeader(viaCopy, 7, 0xCAFEBABEL, 4242, 0xDEADBEEFL, 99);
                assertArrayEquals(fixture, readable(original), "the original is only read");

                inPlace.writeZero(7).writeBytes(original, at, original.readableBytes());
                RtpPacket copy = new RtpPacket();
                assertTrue(copy.wrap(inPlace, 7, original.readableBytes()));
                assertEquals(removed, copy.rewriteExtensionIds(map));
                copy.setSsrc(0xCAFEBABEL);
                copy.setSequenceNumber(4242);
                copy.setTimestamp(0xDEADBEEFL);
                copy.setPayloadType(99);
                assertArrayEquals(readable(inPlace), readable(viaCopy), () -> hex(readable(viaCopy)));
                assertTrue(copy.wrap(viaCopy, 7, original.readableBytes()));
                assertEquals(rtp.marker(), copy.marker(), "the marker bit is kept");
            } finally {
                original.release();
                viaCopy.release();
                inPlace.release();
            }
        }
    }

    @Test
    void shouldBlankOneByteElementWhoseNewIdNeedsTheTwoByteForm() {
        ByteBuf buf = wrapCopy(RtpFixtures.vp8ThreeOneByteExtensions());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            byte[] map = new byte[256];
            map[2] = 2;
            map[3] = 15; // reserved in the one-byte form
            map[4] = (byte) 200; // needs the two-byte form
            assertEquals(2, rtp.rewriteExtensionIds(map));
            byte[] expected = RtpFixtures.vp8ThreeOneByteExtensions();
            System.arraycopy(new byte[5], 0, expected, 20, 5);
            assertArrayEquals(expected, readable(buf), () -> hex(readable(buf)));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldMapTwoByteExtensionIdsAboveFourteen() {
        ByteBuf buf = wrapCopy(RtpFixtures.opusTwoByteExtensions());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            byte[] map = new byte[256];
            map[1] = (byte) 200;
            map[16] = 3;
            // 15 unmapped
            assertEquals(1, rtp.rewriteExtensionIds(map));
            byte[] expected = RtpFixtures.opusTwoByteExtensions();
            expected[16] = (byte) 200;
            expected[20] = 3;
            System.arraycopy(new byte[4], 0, expected, 24, 4);
            assertArrayEquals(expected, readable(buf), () -> hex(readable(buf)));
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals(0x85, buf.getUnsignedByte(RtpPacket.foundOffset(rtp.findExtension(200))));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldTreatIdsBeyondTheMapAsUnmapped() {
        ByteBuf buf = wrapCopy(RtpFixtures.opusTwoByteExtensions());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            byte[] map = {0, 1}; // only id 1 is mapped (to itself)
            assertEquals(2, rtp.rewriteExtensionIds(map));
            assertTrue(rtp.findExtension(1) != RtpPacket.NOT_FOUND);
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(16));
            assertEquals(RtpPacket.NOT_FOUND, rtp.findExtension(15));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldNotRewriteElementsAfterReservedId15() {
        byte[] packet = bytes(
                0x90, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
                0xBE, 0xDE, 0x00, 0x01, // one-byte form, 1 word
                0x10, 0xAA,             // id=1 L=0
                0xF0,                   // id=15: stop
                0x20);                  // id=2 L=0 with its data cut off: left as the receiver would see it
        ByteBuf buf = wrapCopy(packet);
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            byte[] map = new byte[15];
            map[1] = 9;
            assertEquals(0, rtp.rewriteExtensionIds(map));
            packet[16] = (byte) 0x90;
            assertArrayEquals(packet, readable(buf));
        } finally {
            buf.release();
        }
    }

    static Stream<Arguments> malformedPackets() {
        byte[] vp8 = RtpFixtures.vp8ThreeOneByteExtensions();
        byte[] badVersion = vp8.clone();
        badVersion[0] = (byte) 0x50; // V=1
        byte[] csrcOverrun = bytes(0x8F, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2); // CC=15, 1 CSRC present
        byte[] extensionHeaderMissing = bytes(0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE); // X=1, 2 bytes left
        byte[] extensionOverrun = vp8.clone();
        extensionOverrun[15] = 0x07; // 7 words but only 6 remain
        byte[] extensionMax = vp8.clone();
        extensionMax[14] = (byte) 0xFF;
        extensionMax[15] = (byte) 0xFF; // 65535 words
        byte[] zeroPadding = RtpFixtures.pcmaCsrcsAndPadding();
        zeroPadding[zeroPadding.length - 1] = 0;
        byte[] paddingIntoHeader = RtpFixtures.pcmaCsrcsAndPadding();
        paddingIntoHeader[paddingIntoHeader.length - 1] = 8; // 7 bytes after the header
        byte[] paddingMax = RtpFixtures.pcmaCsrcsAndPadding();
        paddingMax[paddingMax.length - 1] = (byte) 0xFF;
        return Stream.of(
                Arguments.of("empty", new byte[0], RtpParseError.TRUNCATED),
                Arguments.of("11 bytes", java.util.Arrays.copyOf(vp8, 11), RtpParseError.TRUNCATED),
                Arguments.of("version 1", badVersion, RtpParseError.BAD_VERSION),
                Arguments.of("CSRC count past the end", csrcOverrun, RtpParseError.TRUNCATED),
                Arguments.of("extension header cut", extensionHeaderMissing, RtpParseError.BAD_EXTENSION_LENGTH),
                Arguments.of("extension length past the end", extensionOverrun, RtpParseError.BAD_EXTENSION_LENGTH),
                Arguments.of("extension length 0xFFFF", extensionMax, RtpParseError.BAD_EXTENSION_LENGTH),
                Arguments.of("padding count 0", zeroPadding, RtpParseError.BAD_PADDING),
                Arguments.of("padding into the header", paddingIntoHeader, RtpParseError.BAD_PADDING),
                Arguments.of("padding count 255", paddingMax, RtpParseError.BAD_PADDING));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPackets")
    void shouldRejectMalformedPacketWithReason(String name, byte[] packet, RtpParseError expected) {
        ByteBuf buf = wrapCopy(packet);
        try {
            assertFalse(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals(expected, rtp.error());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldRejectRegionOutsideTheBuffer() {
        ByteBuf buf = wrapCopy(RtpFixtures.vp8ThreeOneByteExtensions());
        try {
            assertFalse(rtp.wrap(buf, 1, buf.readableBytes()));
            assertEquals(RtpParseError.OUT_OF_BOUNDS, rtp.error());
            assertFalse(rtp.wrap(buf, -1, 12));
            assertFalse(rtp.wrap(buf, 0, -12));
            assertFalse(rtp.wrap(buf, Integer.MAX_VALUE, 12));
            assertFalse(rtp.wrap(null, 0, 12));
            assertEquals(RtpParseError.OUT_OF_BOUNDS, rtp.error());
            buf.writerIndex(20); // bytes past the writer index are not part of the datagram
            assertFalse(rtp.wrap(buf, 0, 40));
            assertEquals(RtpParseError.OUT_OF_BOUNDS, rtp.error());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldAcceptPaddingOnlyPacket() {
        ByteBuf buf = wrapCopy(bytes(
                0xA0, 0x60, 0x00, 0x07, // V=2 P=1 | PT=96 | seq=7
                0x00, 0x00, 0x00, 0x00, // timestamp
                0x00, 0x00, 0x00, 0x01, // SSRC
                0x00, 0x00, 0x00, 0x04)); // 4 bytes of padding (bandwidth probe)
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals(0, rtp.payloadLength());
            assertEquals(4, rtp.paddingLength());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldParseAtAnOffsetInsideAPooledDirectBuffer() {
        byte[] packet = RtpFixtures.vp8ThreeOneByteExtensions();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(128);
        try {
            buf.writeZero(7);
            buf.writeBytes(packet);
            buf.writeZero(5);
            buf.readerIndex(3);
            assertTrue(rtp.wrap(buf, 7, packet.length));
            assertEquals(6699, rtp.sequenceNumber());
            assertEquals(7 + 28, rtp.payloadOffset());
            assertEquals(12, rtp.payloadLength());
            assertEquals(379, buf.getUnsignedShort(RtpPacket.foundOffset(rtp.findExtension(3))));
            rtp.setSequenceNumber(1);
            assertEquals(1, buf.getUnsignedShort(7 + 2));
            assertEquals(3, buf.readerIndex());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldDescribeItselfForLogs() {
        ByteBuf buf = wrapCopy(RtpFixtures.pcmaCsrcsAndPadding());
        try {
            assertTrue(rtp.wrap(buf, 0, buf.readableBytes()));
            assertEquals("RtpPacket[pt=8 seq=12345 ts=123456 ssrc=3405691582 m=false header=20 payload=4 padding=3]",
                    rtp.toString());
            assertFalse(rtp.wrap(buf, 0, 3));
            assertEquals("RtpPacket[invalid: TRUNCATED]", rtp.toString());
        } finally {
            buf.release();
        }
    }

    private void assertElement(int id, int dataOffset, int dataLength) {
        assertTrue(cursor.next(), "expected element " + id);
        assertEquals(id, cursor.id());
        assertEquals(dataOffset, cursor.dataOffset());
        assertEquals(dataLength, cursor.dataLength());
    }
}
