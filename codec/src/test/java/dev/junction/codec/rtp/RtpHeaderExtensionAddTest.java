package dev.junction.codec.rtp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.readable;
import static dev.junction.codec.rtp.TestBytes.wrapCopy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * {@link RtpPacket#writeHeaderWithExtension}: a forwarder's copy of a packet with one more RFC 8285 element (the
 * subscriber leg's transport-wide sequence number), byte for byte.
 */
class RtpHeaderExtensionAddTest {

    private final RtpPacket in = new RtpPacket();
    private final RtpPacket out = new RtpPacket();

    /** Copies {@code packet} with element (id, 2 bytes) added and {@code value} written into it; the copy's bytes. */
    private byte[] addTwoBytes(byte[] packet, int id, int value) {
        ByteBuf src = wrapCopy(packet);
        ByteBuf dst = Unpooled.buffer(packet.length + 16);
        try {
            assertTrue(in.wrap(src, 0, src.readableBytes()), () -> in.error().name());
            int at = in.writeHeaderWithExtension(dst, id, 2);
            if (at < 0) return null;
            dst.writeBytes(src, in.payloadOffset(), in.length() - in.headerLength());
            dst.setShort(at, value);
            assertTrue(out.wrap(dst, 0, dst.readableBytes()), () -> out.error().name());
            long found = out.findExtension(id);
            assertEquals(at, RtpPacket.foundOffset(found), "the returned index is the element's data");
            assertEquals(value, dst.getUnsignedShort(at));
            assertEquals(in.payloadLength(), out.payloadLength());
            assertEquals(in.paddingLength(), out.paddingLength());
            return readable(dst);
        } finally {
            src.release();
            dst.release();
        }
    }

    @Test
    void shouldAddAOneByteBlockToAPacketWithoutExtensions() {
        byte[] packet = bytes(
                0x80, 0x60, 0x00, 0x01,  // V=2, X=0, PT 96, seq 1
                0x00, 0x00, 0x00, 0x02,  // timestamp
                0x00, 0x00, 0x00, 0x03,  // SSRC
                0xAA, 0xBB, 0xCC);       // payload
        assertArrayEquals(bytes(
                0x90, 0x60, 0x00, 0x01,  // X set
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0xBE, 0xDE, 0x00, 0x01,  // one-byte profile, one word
                0x51, 0x12, 0x34, 0x00,  // id 5, len-1 = 1, value 0x1234, padding
                0xAA, 0xBB, 0xCC), addTwoBytes(packet, 5, 0x1234));
    }

    @Test
    void shouldAddATwoByteBlockForAnIdAboveFourteen() {
        byte[] packet = bytes(
                0x80, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0xAA);
        assertArrayEquals(bytes(
                0x90, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0x10, 0x00, 0x00, 0x01,  // two-byte profile, one word
                0x20, 0x02, 0xBE, 0xEF,  // id 32, length 2, value
                0xAA), addTwoBytes(packet, 32, 0xBEEF));
    }

    @Test
    void shouldUseTheTrailingPaddingOfAOneByteBlock() {
        byte[] packet = bytes(
                0x90, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0xBE, 0xDE, 0x00, 0x01,
                0x40, 0x31, 0x00, 0x00,  // id 4 (mid "1"), then two bytes of padding: too little for 3
                0xAA);
        assertArrayEquals(bytes(
                0x90, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0xBE, 0xDE, 0x00, 0x02,  // grew by one word
                0x40, 0x31, 0x31, 0xAB,  // mid, then id 3 len-1 1, value 0xAB..
                0xCD, 0x00, 0x00, 0x00,  // ..0xCD, padding
                0xAA), addTwoBytes(packet, 3, 0xABCD));

        byte[] roomy = bytes(
                0x90, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0xBE, 0xDE, 0x00, 0x02,
                0x40, 0x31, 0x00, 0x00,  // mid, padding
                0x00, 0x00, 0x00, 0x00,  // padding: room for three bytes
                0xAA);
        assertArrayEquals(bytes(
                0x90, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0xBE, 0xDE, 0x00, 0x02,  // same length
                0x40, 0x31, 0x31, 0xAB,
                0xCD, 0x00, 0x00, 0x00,
                0xAA), addTwoBytes(roomy, 3, 0xABCD));
    }

    @Test
    void shouldAppendToATwoByteBlockAndKeepRtpPadding() {
        byte[] packet = bytes(
                0xB0, 0x60, 0x00, 0x01,  // P and X
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0x10, 0x00, 0x00, 0x01,
                0x07, 0x01, 0x55, 0x00,  // id 7, length 1, padding
                0xAA, 0x00, 0x02);       // payload, two bytes of RTP padding
        assertArrayEquals(bytes(
                0xB0, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0x10, 0x00, 0x00, 0x02,
                0x07, 0x01, 0x55, 0x03,  // id 3 starts in the old padding byte
                0x02, 0x12, 0x34, 0x00,
                0xAA, 0x00, 0x02), addTwoBytes(packet, 3, 0x1234));
    }

    @Test
    void shouldRefuseWhatCannotBeAddedWithoutChangingTheBlocksForm() {
        byte[] opaque = bytes(
                0x90, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0x12, 0x34, 0x00, 0x01,  // not RFC 8285
                0x01, 0x02, 0x03, 0x04);
        assertEquals(null, addTwoBytes(opaque, 3, 1));
        byte[] oneByte = bytes(
                0x90, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0xBE, 0xDE, 0x00, 0x01,
                0x40, 0x31, 0x00, 0x00);
        assertEquals(null, addTwoBytes(oneByte, 15, 1), "id 15 is reserved in the one-byte form");
        byte[] stopped = bytes(
                0x90, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x03,
                0xBE, 0xDE, 0x00, 0x02,
                0x40, 0x31, 0xF0, 0x00,  // id 15 ends the walk: an element after it would never be read
                0x00, 0x00, 0x00, 0x00);
        assertEquals(null, addTwoBytes(stopped, 3, 1));
    }
}
