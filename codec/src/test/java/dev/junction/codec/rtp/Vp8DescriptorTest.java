package dev.junction.codec.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The VP8 payload descriptor (RFC 7741 §4.2) as the layouts of its figure 1 and the examples of §4.6 lay it out. */
class Vp8DescriptorTest {
    private final Vp8Descriptor d = new Vp8Descriptor();

    private boolean parse(int... bytes) {
        // Two bytes in front: the parser must read at the offset it is given, never at index 0.
        ByteBuf b = Unpooled.buffer();
        b.writeByte(0xEE).writeByte(0xEE);
        for (int x : bytes) b.writeByte(x);
        try {
            return d.parse(b, 2, bytes.length);
        } finally {
            b.release();
        }
    }

    @Test
    void shouldReadEveryFieldOfAFullDescriptor() {
        // X=1 S=1 PID=0; I L T K; M=1 picture id 0x1234; TL0PICIDX 0x56; TID=2 Y=1 KEYIDX=3; payload header P=0.
        assertTrue(parse(0x90, 0xF0, 0x80 | 0x12, 0x34, 0x56, (2 << 6) | 0x20 | 0x03, 0x9C));
        assertTrue(d.frameStart());
        assertTrue(d.keyframe());
        assertEquals(0x1234, d.pictureId());
        assertEquals(15, d.pictureIdBits());
        assertEquals(2, d.pictureIdOffset());
        assertEquals(0x56, d.tl0PicIdx());
        assertEquals(4, d.tl0PicIdxOffset());
        assertEquals(2, d.temporalLayer());
        assertTrue(d.layerSync());
    }

    @Test
    void shouldReadA7BitPictureIdAndAnInterFrame() {
        assertTrue(parse(0x90, 0x80, 0x12, 0x9D));
        assertEquals(0x12, d.pictureId());
        assertEquals(7, d.pictureIdBits());
        assertEquals(Vp8Descriptor.ABSENT, d.tl0PicIdx());
        assertEquals(Vp8Descriptor.ABSENT, d.temporalLayer());
        assertTrue(d.frameStart());
        assertFalse(d.keyframe(), "P=1");
    }

    @Test
    void shouldTellAContinuationPacketAndKeyIdxOnly() {
        // S=0: not a frame start; K without T: KEYIDX only, no temporal layer.
        assertTrue(parse(0x80, 0x90, 0x81, 0x00, 0x05, 0x00));
        assertFalse(d.frameStart());
        assertFalse(d.keyframe());
        assertEquals(0x100, d.pictureId());
        assertEquals(Vp8Descriptor.ABSENT, d.temporalLayer());
        // Partition 1's start is not the frame's start.
        assertTrue(parse(0x11, 0x00));
        assertFalse(d.frameStart());
    }

    @Test
    void shouldReadTheMinimalDescriptor() {
        assertTrue(parse(0x10, 0x00));
        assertTrue(d.keyframe());
        assertEquals(Vp8Descriptor.ABSENT, d.pictureId());
        assertEquals(Vp8Descriptor.ABSENT, d.pictureIdOffset());
    }

    @Test
    void shouldRefuseDescriptorsCutShort() {
        assertFalse(parse(0x90));
        assertFalse(parse(0x90, 0x80));
        assertFalse(parse(0x90, 0x80, 0x81));
        assertFalse(parse(0x90, 0xE0, 0x81, 0x23));
        assertEquals(Vp8Descriptor.ABSENT, d.pictureId(), "nothing half-read is reported");
        assertFalse(parse(0x90, 0xE0, 0x81, 0x23, 0x05));
        assertEquals(Vp8Descriptor.ABSENT, d.temporalLayer());
        assertFalse(parse());
    }

    @Test
    void shouldRewritePictureIdAndTl0PicIdxInPlace() {
        ByteBuf b = Unpooled.wrappedBuffer(new byte[] {(byte) 0x90, (byte) 0xE0, (byte) 0x81, 0x23, 0x05, 0x40, 0x00});
        try {
            Vp8Descriptor.writePictureId(b, 2, 15, 0x8000 + 0x7FFF); // wraps to 0x7FFF, M kept
            Vp8Descriptor.writeTl0PicIdx(b, 4, 0x1FF);
            assertTrue(d.parse(b, 0, b.readableBytes()));
            assertEquals(0x7FFF, d.pictureId());
            assertEquals(15, d.pictureIdBits());
            assertEquals(0xFF, d.tl0PicIdx());
            assertEquals(1, d.temporalLayer());
            Vp8Descriptor.writePictureId(b, 2, 15, 5);
            assertTrue(d.parse(b, 0, b.readableBytes()));
            assertEquals(5, d.pictureId());
        } finally {
            b.release();
        }
        ByteBuf seven = Unpooled.wrappedBuffer(new byte[] {(byte) 0x90, (byte) 0x80, 0x12, 0x00});
        try {
            Vp8Descriptor.writePictureId(seven, 2, 7, 130);
            assertTrue(d.parse(seven, 0, seven.readableBytes()));
            assertEquals(2, d.pictureId(), "modulo 128");
            assertEquals(7, d.pictureIdBits());
        } finally {
            seven.release();
        }
    }
}
