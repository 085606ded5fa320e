package dev.junction.codec.rtp;

import static dev.junction.codec.rtp.TestBytes.bytes;

/**
 * Annotated RTP packets. Shapes follow what Chromium sends with the extmap ids of
 * {@code chromium-publisher-vp8.sdp} (2 abs-send-time, 3 transport-wide-cc, 4 mid) and Opus with the
 * audio level extension; the values are our own.
 */
public final class RtpFixtures {

    private RtpFixtures() {
    }

    /** VP8 with three one-byte extensions, as a browser's first packets of a stream look. */
    public static byte[] vp8ThreeOneByteExtensions() {
        return bytes(
                0x90, 0xE0, 0x1A, 0x2B, // V=2 P=0 X=1 CC=0 | M=1 PT=96 | seq=6699
                0x5A, 0x3F, 0x4C, 0x1D, // timestamp=0x5A3F4C1D
                0x8D, 0x6C, 0x34, 0xF2, // SSRC=0x8D6C34F2
                0xBE, 0xDE, 0x00, 0x03, // one-byte form (RFC 8285 §4.2), 3 words of elements
                0x22, 0x4F, 0xC2, 0x8A, // id=2 L=2 (3 bytes): abs-send-time 0x4FC28A
                0x31, 0x01, 0x7B,       // id=3 L=1 (2 bytes): transport-wide seq 379
                0x40, 0x30,             // id=4 L=0 (1 byte): mid "0"
                0x00, 0x00, 0x00,       // padding to the 32-bit boundary
                0x90, 0x80, 0x2A,       // VP8 descriptor (RFC 7741): X=1 S=1 PID=0 | I=1 | picture id 42
                0x10, 0x02, 0x00,       // VP8 payload header: keyframe, show_frame
                0x9D, 0x01, 0x2A,       // VP8 keyframe start code
                0x80, 0x02, 0xE0);      // 640 x 480 (start of the frame)
    }

    /** Opus with two-byte extensions: appbits, padding between elements, an empty element, ids 15 and 16. */
    public static byte[] opusTwoByteExtensions() {
        return bytes(
                0x90, 0x6F, 0x00, 0x01, // V=2 P=0 X=1 CC=0 | M=0 PT=111 | seq=1
                0x00, 0x00, 0x03, 0xC0, // timestamp=960
                0x00, 0x00, 0x00, 0x2A, // SSRC=42
                0x10, 0x03, 0x00, 0x03, // two-byte form (RFC 8285 §4.3), appbits=3, 3 words
                0x01, 0x01, 0x85,       // id=1 len=1: audio level, V=1 level=5
                0x00,                   // padding between elements
                0x10, 0x00,             // id=16 len=0: empty element, legal only in the two-byte form
                0x00, 0x00,             // padding
                0x0F, 0x02, 0xAB, 0xCD, // id=15 len=2: an ordinary id in the two-byte form
                0xFC, 0xFF, 0xFE);      // Opus payload: TOC (config 31, stereo, code 0) + 2 bytes
    }

    /** PCMA with two CSRCs and three bytes of padding. */
    public static byte[] pcmaCsrcsAndPadding() {
        return bytes(
                0xA2, 0x08, 0x30, 0x39, // V=2 P=1 X=0 CC=2 | M=0 PT=8 | seq=12345
                0x00, 0x01, 0xE2, 0x40, // timestamp=123456
                0xCA, 0xFE, 0xBA, 0xBE, // SSRC=0xCAFEBABE
                0x00, 0x00, 0x00, 0x01, // CSRC 1
                0xDE, 0xAD, 0xBE, 0xEF, // CSRC 2
                0xD5, 0xD5, 0xD5, 0xD5, // PCMA payload, 4 bytes
                0x00, 0x00, 0x03);      // padding: 3 bytes, the last one counts them
    }

    /** An RFC 3550 extension with a profile that is not RFC 8285 (opaque to us). */
    public static byte[] opaqueExtensionProfile() {
        return bytes(
                0x90, 0xE0, 0x69, 0x8F, // V=2 X=1 | M=1 PT=96 | seq=27023
                0xD9, 0xC2, 0x93, 0xDA, // timestamp
                0x1C, 0x64, 0x27, 0x82, // SSRC
                0x00, 0x01, 0x00, 0x01, // profile 0x0001, 1 word
                0xFF, 0xFF, 0xFF, 0xFF, // opaque extension data
                0x98, 0x36, 0xBE, 0x88, 0x9E); // payload
    }
}
