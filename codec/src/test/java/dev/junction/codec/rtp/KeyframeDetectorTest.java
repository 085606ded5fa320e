package dev.junction.codec.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyframeDetectorTest {

    private static boolean key(int codec, int... payload) {
        byte[] bytes = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) bytes[i] = (byte) payload[i];
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[3], bytes);
        try {
            return KeyframeDetector.isKeyframeStart(codec, buf, 3, bytes.length);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReadVp8PayloadDescriptorsOfEveryShape() {
        int vp8 = KeyframeDetector.VP8;
        assertTrue(key(vp8, 0x10, 0x00), "S=1 PID=0, P=0");
        assertFalse(key(vp8, 0x10, 0x01), "P=1: an inter frame");
        assertFalse(key(vp8, 0x00, 0x00), "not the start of a partition");
        assertFalse(key(vp8, 0x11, 0x00), "the start of partition 1");
        // Chromium's shape: X=1, then I=1 with a 15-bit picture id, L=1, T=1, then the payload header.
        assertTrue(key(vp8, 0x90, 0xE0, 0x81, 0x23, 0x05, 0x20, 0x50));
        assertFalse(key(vp8, 0x90, 0xE0, 0x81, 0x23, 0x05, 0x20, 0x51));
        assertTrue(key(vp8, 0x90, 0x80, 0x12, 0x9C), "7-bit picture id only");
        assertFalse(key(vp8, 0x90, 0xE0, 0x81), "cut short: cannot tell, not a keyframe");
        assertFalse(key(vp8, 0x10), "no payload header");
    }

    @Test
    void shouldFindH264IdrAloneInStapAAndAtTheStartOfAFuA() {
        int h264 = KeyframeDetector.H264;
        assertTrue(key(h264, 0x65, 0x88), "IDR slice");
        assertTrue(key(h264, 0x67, 0x42), "SPS before the IDR");
        assertFalse(key(h264, 0x41, 0x9A), "non-IDR slice");
        assertTrue(key(h264, 0x78, 0x00, 0x02, 0x09, 0x10, 0x00, 0x02, 0x67, 0x42), "STAP-A: AUD, then SPS");
        assertFalse(key(h264, 0x78, 0x00, 0x02, 0x09, 0x10, 0x00, 0x02, 0x41, 0x42), "STAP-A of non-IDR units");
        assertFalse(key(h264, 0x78, 0x00, 0x40, 0x09), "STAP-A size past the end");
        assertTrue(key(h264, 0x7C, 0x85, 0x88), "FU-A start of an IDR");
        assertFalse(key(h264, 0x7C, 0x05, 0x88), "FU-A middle of an IDR");
        assertFalse(key(h264, 0x7C, 0x81, 0x88), "FU-A start of a non-IDR slice");
    }

    @Test
    void shouldReadVp9H265AndAv1() {
        assertTrue(key(KeyframeDetector.VP9, 0x08), "B=1, P=0");
        assertFalse(key(KeyframeDetector.VP9, 0x48), "inter-predicted");
        assertFalse(key(KeyframeDetector.VP9, 0x00), "not the start of a frame");
        assertTrue(key(KeyframeDetector.H265, 19 << 1, 0x01), "IDR_W_RADL");
        assertTrue(key(KeyframeDetector.H265, 32 << 1, 0x01), "VPS");
        assertFalse(key(KeyframeDetector.H265, 1 << 1, 0x01), "TRAIL_R");
        assertTrue(key(KeyframeDetector.H265, 49 << 1, 0x01, 0x80 | 20), "FU start of a CRA");
        assertTrue(key(KeyframeDetector.H265, 48 << 1, 0x01, 0x00, 0x02, 33 << 1, 0x01), "AP with an SPS");
        assertTrue(key(KeyframeDetector.AV1, 0x18), "N=1: a new coded video sequence");
        assertFalse(key(KeyframeDetector.AV1, 0x10));
        assertEquals(KeyframeDetector.UNKNOWN_CODEC, KeyframeDetector.codecOf("opus"));
        assertEquals(KeyframeDetector.H264, KeyframeDetector.codecOf("h264"));
        assertFalse(key(KeyframeDetector.UNKNOWN_CODEC, 0x10, 0x00));
    }

    @Test
    void shouldNeverReadPastThePayloadOrThrowOnGarbage() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 20_000; n++) {
            byte[] bytes = new byte[random.nextInt(0, 12)];
            random.nextBytes(bytes);
            // The payload sits at the end of its buffer: a read past it would throw.
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            try {
                for (int codec = 0; codec <= KeyframeDetector.AV1; codec++) KeyframeDetector.isKeyframeStart(codec, buf, 0, bytes.length);
            } finally {
                buf.release();
            }
        }
    }
}
