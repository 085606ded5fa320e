package dev.junction.codec.rtcp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.hex;
import static dev.junction.codec.rtp.TestBytes.readable;
import static dev.junction.codec.rtp.TestBytes.wrapCopy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SourceDescriptionTest {

    private final SourceDescription sdes = new SourceDescription();

    /** Two chunks; the first with CNAME and TOOL, the second with no items at all. */
    private static byte[] twoChunks() {
        return bytes(
                0x82, 0xCA, 0x00, 0x06, // V=2 P=0 SC=2 | PT=SDES(202) | length=6 (28 bytes)
                0x00, 0x00, 0x00, 0x0A, // chunk 1: SSRC=10
                0x01, 0x03, 0x61, 0x40, 0x62, // CNAME, length=3, "a@b"
                0x06, 0x02, 0x4A, 0x74, // TOOL, length=2, "Jt"
                0x00, 0x00, 0x00,       // END + null octets to the 32-bit boundary
                0x00, 0x00, 0x00, 0x0B, // chunk 2: SSRC=11
                0x00, 0x00, 0x00, 0x00); // END at once (plus padding)
    }

    @Test
    void shouldIterateChunksAndItems() {
        ByteBuf buf = wrapCopy(twoChunks());
        try {
            assertTrue(sdes.wrap(buf, 0, buf.readableBytes()));
            assertEquals(2, sdes.chunkCount());
            assertTrue(sdes.nextChunk());
            assertEquals(10, sdes.chunkSsrc());
            assertTrue(sdes.nextItem());
            assertEquals(SourceDescription.CNAME, sdes.itemType());
            assertEquals(10, sdes.itemOffset());
            assertEquals(3, sdes.itemLength());
            assertEquals("a@b", sdes.itemText());
            assertTrue(sdes.nextItem());
            assertEquals(SourceDescription.TOOL, sdes.itemType());
            assertEquals("Jt", sdes.itemText());
            assertFalse(sdes.nextItem());
            assertFalse(sdes.nextItem(), "stays at the end of the chunk");
            assertTrue(sdes.nextChunk());
            assertEquals(11, sdes.chunkSsrc());
            assertFalse(sdes.nextItem());
            assertFalse(sdes.nextChunk());
            assertFalse(sdes.nextItem());
            sdes.rewind();
            assertTrue(sdes.nextChunk());
            assertEquals(10, sdes.chunkSsrc());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldSkipUnreadItemsWhenMovingToTheNextChunk() {
        ByteBuf buf = wrapCopy(twoChunks());
        try {
            assertTrue(sdes.wrap(buf, 0, buf.readableBytes()));
            assertTrue(sdes.nextChunk());
            assertTrue(sdes.nextChunk());
            assertEquals(11, sdes.chunkSsrc());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldParseChromeStyleCname() {
        ByteBuf buf = wrapCopy(RtcpFixtures.sdesCname());
        try {
            assertTrue(sdes.wrap(buf, 0, buf.readableBytes()));
            assertTrue(sdes.nextChunk());
            assertEquals(0x8D6C34F2L, sdes.chunkSsrc());
            assertTrue(sdes.nextItem());
            assertEquals(SourceDescription.CNAME, sdes.itemType());
            assertEquals("xH5tGn3q0ZcLd8Wb", sdes.itemText());
            assertFalse(sdes.nextItem());
            assertFalse(sdes.nextChunk());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWriteCnameByteForByte() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            SourceDescription.writeCname(out, 0x8D6C34F2L, "xH5tGn3q0ZcLd8Wb".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(RtcpFixtures.sdesCname(), readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldPadCnameThatEndsOnABoundaryWithAFullWordOfNulls() {
        // Firefox's 38-byte CNAME: 4 + 2 + 38 = 44 is aligned, so a whole word of nulls follows.
        byte[] firefox = RtcpFixtures.firefoxCompound();
        byte[] expected = java.util.Arrays.copyOfRange(firefox, 32, 84);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            SourceDescription.writeCname(out, 0x902F9E2EL,
                    "{9c00eb92-1afb-9d49-a47d-91f64eee69f5}".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(expected, readable(out), () -> hex(readable(out)));
            assertThrows(IllegalArgumentException.class, () -> SourceDescription.writeCname(out, 1, new byte[256]));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldAcceptEmptySdesAndMaximalItem() {
        ByteBuf empty = wrapCopy(bytes(0x80, 0xCA, 0x00, 0x00)); // SC=0
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(300);
        try {
            assertTrue(sdes.wrap(empty, 0, 4));
            assertFalse(sdes.nextChunk());
            byte[] cname = new byte[255];
            java.util.Arrays.fill(cname, (byte) 'x');
            SourceDescription.writeCname(out, 5, cname);
            assertEquals(4 + 264, out.readableBytes());
            assertTrue(sdes.wrap(out, 0, out.readableBytes()));
            assertTrue(sdes.nextChunk());
            assertTrue(sdes.nextItem());
            assertEquals(255, sdes.itemLength());
        } finally {
            empty.release();
            out.release();
        }
    }

    @Test
    void shouldRejectMalformedChunks() {
        byte[] missingTerminator = bytes(
                0x81, 0xCA, 0x00, 0x02, // SC=1, 12 bytes
                0x00, 0x00, 0x00, 0x01, // SSRC
                0x01, 0x02, 0x61, 0x62); // CNAME "ab", then the packet ends without END
        byte[] itemOverrun = bytes(
                0x81, 0xCA, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x01,
                0x01, 0x09, 0x61, 0x62); // CNAME claims 9 bytes
        byte[] typeWithoutLength = bytes(
                0x81, 0xCA, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x01,
                0x01, 0x01, 0x61, 0x01); // CNAME "a", then a type octet with no length octet
        byte[] tooManyChunks = RtcpFixtures.sdesCname();
        tooManyChunks[0] = (byte) 0x82; // SC=2, one present
        byte[] chunkWithoutSsrc = bytes(0x81, 0xCA, 0x00, 0x00); // SC=1 but only the header
        for (byte[] bad : new byte[][] {missingTerminator, itemOverrun, typeWithoutLength, tooManyChunks, chunkWithoutSsrc}) {
            ByteBuf buf = wrapCopy(bad);
            try {
                assertFalse(sdes.wrap(buf, 0, buf.readableBytes()), hex(bad));
            } finally {
                buf.release();
            }
        }
    }
}
