package dev.junction.codec.rtcp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.concat;

/**
 * Annotated RTCP packets. Where a packet was captured from a browser the source is named; the rest are
 * our own, in the shape browsers send.
 */
final class RtcpFixtures {

    private RtcpFixtures() {
    }

    /**
     * A compound packet from a Firefox capture (CNAME in Firefox's {uuid} form), as published in Pion's
     * rtcp tests: RR, SDES, BYE, PLI, RTPFB FMT=5 (rapid resynchronisation request), APP.
     */
    static byte[] firefoxCompound() {
        return bytes(
                // Receiver Report (offset 0)
                0x81, 0xC9, 0x00, 0x07, // V=2 P=0 RC=1 | PT=RR(201) | length=7 (32 bytes)
                0x90, 0x2F, 0x9E, 0x2E, // sender SSRC=0x902F9E2E
                0xBC, 0x5E, 0x9A, 0x40, // block: SSRC=0xBC5E9A40
                0x00, 0x00, 0x00, 0x00, // fraction lost=0 | cumulative lost=0
                0x00, 0x00, 0x46, 0xE1, // extended highest seq=0x46E1
                0x00, 0x00, 0x01, 0x11, // jitter=273
                0x09, 0xF3, 0x64, 0x32, // LSR=0x09F36432
                0x00, 0x02, 0x4A, 0x79, // DLSR=150137 (2.29 s)
                // Source Description (offset 32)
                0x81, 0xCA, 0x00, 0x0C, // V=2 P=0 SC=1 | PT=SDES(202) | length=12 (52 bytes)
                0x90, 0x2F, 0x9E, 0x2E, // chunk SSRC=0x902F9E2E
                0x01, 0x26,             // CNAME, length=38
                0x7B, 0x39, 0x63, 0x30, 0x30, 0x65, 0x62, 0x39, // "{9c00eb9"
                0x32, 0x2D, 0x31, 0x61, 0x66, 0x62, 0x2D, 0x39, // "2-1afb-9"
                0x64, 0x34, 0x39, 0x2D, 0x61, 0x34, 0x37, 0x64, // "d49-a47d"
                0x2D, 0x39, 0x31, 0x66, 0x36, 0x34, 0x65, 0x65, // "-91f64ee"
                0x65, 0x36, 0x39, 0x66, 0x35, 0x7D,             // "e69f5}"
                0x00, 0x00, 0x00, 0x00, // END + null octets to the 32-bit boundary
                // Goodbye (offset 84)
                0x81, 0xCB, 0x00, 0x01, // V=2 P=0 SC=1 | PT=BYE(203) | length=1 (8 bytes)
                0x90, 0x2F, 0x9E, 0x2E, // SSRC=0x902F9E2E
                // Picture Loss Indication (offset 92)
                0x81, 0xCE, 0x00, 0x02, // V=2 P=0 FMT=1 | PT=PSFB(206) | length=2 (12 bytes)
                0x90, 0x2F, 0x9E, 0x2E, // sender SSRC
                0x90, 0x2F, 0x9E, 0x2E, // media SSRC
                // Rapid Resynchronisation Request (offset 104)
                0x85, 0xCD, 0x00, 0x02, // V=2 P=0 FMT=5 | PT=RTPFB(205) | length=2 (12 bytes)
                0x90, 0x2F, 0x9E, 0x2E, // sender SSRC
                0x90, 0x2F, 0x9E, 0x2E, // media SSRC
                // Application-defined (offset 116)
                0x80, 0xCC, 0x00, 0x03, // V=2 P=0 subtype=0 | PT=APP(204) | length=3 (16 bytes)
                0x4B, 0xAA, 0xE1, 0xAB, // SSRC
                0x4E, 0x41, 0x4D, 0x45, // name "NAME"
                0x41, 0x42, 0x43, 0x44); // data "ABCD"
    }

    /** Sender Report with one report block. */
    static byte[] senderReport() {
        return bytes(
                0x81, 0xC8, 0x00, 0x0C, // V=2 P=0 RC=1 | PT=SR(200) | length=12 (52 bytes)
                0x8D, 0x6C, 0x34, 0xF2, // sender SSRC=0x8D6C34F2
                0xE9, 0x3A, 0x2F, 0x11, // NTP seconds=0xE93A2F11
                0x80, 0x00, 0x00, 0x00, // NTP fraction=0.5
                0x5A, 0x3F, 0x4C, 0x1D, // RTP timestamp=0x5A3F4C1D
                0x00, 0x00, 0x04, 0xD2, // sender's packet count=1234
                0x00, 0x0F, 0x42, 0x40, // sender's octet count=1000000
                0x00, 0x00, 0x00, 0x2A, // block: SSRC=42
                0x19, 0xFF, 0xFF, 0xFE, // fraction lost=25/256 | cumulative lost=-2 (duplicates)
                0x00, 0x01, 0x00, 0x05, // extended highest seq: 1 cycle, seq 5
                0x00, 0x00, 0x00, 0x40, // jitter=64
                0x2F, 0x11, 0x80, 0x00, // LSR=0x2F118000
                0x00, 0x01, 0x80, 0x00); // DLSR=1.5 s (98304/65536)
    }

    /** SDES with one chunk holding a CNAME of 16 characters (Chromium's length). */
    static byte[] sdesCname() {
        return bytes(
                0x81, 0xCA, 0x00, 0x06, // V=2 P=0 SC=1 | PT=SDES(202) | length=6 (28 bytes)
                0x8D, 0x6C, 0x34, 0xF2, // chunk SSRC=0x8D6C34F2
                0x01, 0x10,             // CNAME, length=16
                0x78, 0x48, 0x35, 0x74, 0x47, 0x6E, 0x33, 0x71, // "xH5tGn3q"
                0x30, 0x5A, 0x63, 0x4C, 0x64, 0x38, 0x57, 0x62, // "0ZcLd8Wb"
                0x00, 0x00);            // END + one null octet to the 32-bit boundary
    }

    /** SR followed by SDES: what a media sender emits every report interval. */
    static byte[] senderReportAndSdes() {
        return concat(senderReport(), sdesCname());
    }

    /** Chromium's REMB while watching a 6 Mbit/s stream (published in Pion's rtcp tests). */
    static byte[] chromeRemb() {
        return bytes(
                0x8F, 0xCE, 0x00, 0x05, // V=2 P=0 FMT=15 | PT=PSFB(206) | length=5 (24 bytes)
                0x00, 0x00, 0x00, 0x01, // sender SSRC=1 (Chromium's receive-only SSRC)
                0x00, 0x00, 0x00, 0x00, // media SSRC=0 (unused)
                0x52, 0x45, 0x4D, 0x42, // "REMB"
                0x01, 0x1A, 0x20, 0xDF, // num SSRC=1 | exp=6 | mantissa=139487: 139487 * 2^6 = 8927168 bit/s
                0x48, 0x74, 0xED, 0x16); // SSRC=0x4874ED16
    }

    /** Receiver Report (one block) followed by REMB, as Chromium sends as a subscriber. */
    static byte[] receiverReportAndRemb() {
        return concat(bytes(
                0x81, 0xC9, 0x00, 0x07, // V=2 P=0 RC=1 | PT=RR(201) | length=7 (32 bytes)
                0x00, 0x00, 0x00, 0x01, // sender SSRC=1
                0x48, 0x74, 0xED, 0x16, // block: SSRC=0x4874ED16
                0x05, 0x00, 0x00, 0x03, // fraction lost=5/256 | cumulative lost=3
                0x00, 0x00, 0x1F, 0x40, // extended highest seq=8000
                0x00, 0x00, 0x00, 0x0A, // jitter=10
                0x00, 0x00, 0x00, 0x00, // LSR=0 (no SR received yet)
                0x00, 0x00, 0x00, 0x00), // DLSR=0
                chromeRemb());
    }

    /** Generic NACK from mediasoup's TestFeedbackRtpNack.cpp. */
    static byte[] nack() {
        return bytes(
                0x81, 0xCD, 0x00, 0x03, // V=2 P=0 FMT=1 | PT=RTPFB(205) | length=3 (16 bytes)
                0x00, 0x00, 0x00, 0x01, // sender SSRC=1
                0x03, 0x30, 0xBD, 0xEE, // media SSRC=0x0330BDEE
                0x0B, 0x8F, 0x00, 0x03); // PID=2959 | BLP=0b11: 2960 and 2961 lost too
    }

    /**
     * Transport-wide CC feedback captured from Chromium (published in Pion's rtcp tests, "example6"):
     * a 2-bit status vector, a run length chunk covering more than the status count, small and large
     * deltas, and RTCP padding of one byte.
     */
    static byte[] twccChromePadded() {
        return bytes(
                0xAF, 0xCD, 0x00, 0x07, // V=2 P=1 FMT=15 | PT=RTPFB(205) | length=7 (32 bytes)
                0x9B, 0x74, 0xF6, 0x1F, // sender SSRC=0x9B74F61F
                0x93, 0x71, 0xDC, 0xBC, // media SSRC=0x9371DCBC
                0x85, 0x3C, 0x00, 0x09, // base seq=34108 | status count=9
                0x63, 0xF9, 0x16, 0xB3, // reference time=6551830 (x64 ms) | fb pkt count=179
                0xD5, 0x52,             // 2-bit vector: small x5, not received, large
                0x00, 0x30,             // run length: not received x48 (only 2 count)
                0x9B, 0xAA, 0x6A, 0xAA, 0x7B, // small deltas 155, 170, 106, 170, 123 (x250 us)
                0x01, 0x09,             // large delta 265 (66.25 ms)
                0x01);                  // padding: 1 byte, the count itself
    }

    /** Transport-wide CC feedback with a 1-bit status vector, from mediasoup's TestFeedbackRtpTransport.cpp. */
    static byte[] twccOneBitVector() {
        return bytes(
                0x8F, 0xCD, 0x00, 0x07, // V=2 P=0 FMT=15 | PT=RTPFB(205) | length=7 (32 bytes)
                0xFA, 0x17, 0xFA, 0x17, // sender SSRC=0xFA17FA17
                0x09, 0xFA, 0xFF, 0x67, // media SSRC=0x09FAFF67
                0x00, 0x27, 0x00, 0x0D, // base seq=39 | status count=13
                0x5F, 0xC2, 0xF1, 0x03, // reference time=6275825 | fb pkt count=3
                0xBF, 0x8E,             // 1-bit vector: 1111111 000 111 (0): 10 received
                0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // small deltas 16, 0 x6 (x250 us)
                0x1C, 0x04, 0x00);      // small deltas 28, 4, 0
    }

    /**
     * Transport-wide CC feedback from a capture annotated by Wireshark (olivermichel/webrtc-analysis
     * test data): one run length chunk of 9 small deltas, 7 ms, 3 ms, 11 ms, 14 ms, 0, 1 ms, 0, 2 ms,
     * 6 ms, and one byte of RTCP padding.
     */
    static byte[] twccRunLength() {
        return bytes(
                0xAF, 0xCD, 0x00, 0x07, // V=2 P=1 FMT=15 | PT=RTPFB(205) | length=7 (32 bytes)
                0x00, 0x00, 0x00, 0x01, // sender SSRC=1
                0xDD, 0x58, 0x6E, 0xB6, // media SSRC=0xDD586EB6
                0x00, 0x01, 0x00, 0x09, // base seq=1 | status count=9
                0x5E, 0x91, 0x10, 0x00, // reference time=6197520 | fb pkt count=0
                0x20, 0x09,             // run length: small delta x9
                0x1C, 0x0C, 0x2C, 0x38, 0x00, 0x04, 0x00, 0x08, 0x18, // deltas in 250 us ticks
                0x01);                  // padding: 1 byte
    }

    /** Full Intra Request with one entry. */
    static byte[] fir() {
        return bytes(
                0x84, 0xCE, 0x00, 0x04, // V=2 P=0 FMT=4 | PT=PSFB(206) | length=4 (20 bytes)
                0x00, 0x00, 0x00, 0x01, // sender SSRC=1
                0x00, 0x00, 0x00, 0x00, // media SSRC: unused, 0 (RFC 5104 §4.3.1.2)
                0x8D, 0x6C, 0x34, 0xF2, // FCI: target SSRC=0x8D6C34F2
                0x07, 0x00, 0x00, 0x00); // command seq nr=7 | reserved
    }

    /** BYE for two sources with a reason. */
    static byte[] byeWithReason() {
        return bytes(
                0x82, 0xCB, 0x00, 0x04, // V=2 P=0 SC=2 | PT=BYE(203) | length=4 (20 bytes)
                0x8D, 0x6C, 0x34, 0xF2, // SSRC=0x8D6C34F2
                0x00, 0x00, 0x00, 0x2A, // SSRC=42
                0x04, 0x6C, 0x65, 0x66, // reason length=4 | "lef"
                0x74, 0x00, 0x00, 0x00); // "t" | null padding to 32 bits
    }

    /** Every fixture, for the mutation and fuzz tests. */
    static byte[][] all() {
        return new byte[][] {
                firefoxCompound(), senderReportAndSdes(), receiverReportAndRemb(), nack(), twccChromePadded(),
                twccOneBitVector(), twccRunLength(), fir(), byeWithReason(), concat(nack(), twccRunLength()),
        };
    }
}
