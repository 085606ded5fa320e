package dev.junction.codec.rtcp;

import static dev.junction.codec.rtcp.TransportCcFeedback.LARGE_DELTA;
import static dev.junction.codec.rtcp.TransportCcFeedback.NOT_RECEIVED;
import static dev.junction.codec.rtcp.TransportCcFeedback.SMALL_DELTA;
import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.hex;
import static dev.junction.codec.rtp.TestBytes.wrapCopy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class TransportCcFeedbackTest {

    private final TransportCcFeedback twcc = new TransportCcFeedback();

    @Test
    void shouldParseChromeFeedbackWithVectorRunLengthLargeDeltaAndPadding() {
        ByteBuf buf = wrapCopy(RtcpFixtures.twccChromePadded());
        try {
            assertTrue(twcc.wrap(buf, 0, buf.readableBytes()));
            assertEquals(0x9B74F61FL, twcc.senderSsrc());
            assertEquals(0x9371DCBCL, twcc.mediaSsrc());
            assertEquals(34108, twcc.baseSequenceNumber());
            assertEquals(9, twcc.packetStatusCount());
            assertEquals(6, twcc.receivedCount());
            assertEquals(6551830, twcc.referenceTime());
            assertEquals(6551830L * 64_000, twcc.referenceTimeUs());
            assertEquals(179, twcc.feedbackPacketCount());

            long ref = twcc.referenceTimeUs();
            assertStatus(34108, SMALL_DELTA, 155, ref + 155 * 250);
            assertStatus(34109, SMALL_DELTA, 170, ref + 325 * 250);
            assertStatus(34110, SMALL_DELTA, 106, ref + 431 * 250);
            assertStatus(34111, SMALL_DELTA, 170, ref + 601 * 250);
            assertStatus(34112, SMALL_DELTA, 123, ref + 724 * 250);
            assertStatus(34113, NOT_RECEIVED, 0, ref + 724 * 250);
            assertStatus(34114, LARGE_DELTA, 265, ref + 989 * 250);
            assertEquals(66_250, twcc.deltaUs());
            assertStatus(34115, NOT_RECEIVED, 0, ref + 989 * 250);
            assertStatus(34116, NOT_RECEIVED, 0, ref + 989 * 250);
            assertFalse(twcc.next(), "the run of 48 is cut at the status count");
            assertFalse(twcc.next());
            twcc.reset();
            assertTrue(twcc.next());
            assertEquals(34108, twcc.sequenceNumber());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldParseOneBitStatusVector() {
        ByteBuf buf = wrapCopy(RtcpFixtures.twccOneBitVector());
        try {
            assertTrue(twcc.wrap(buf, 0, buf.readableBytes()));
            assertEquals(39, twcc.baseSequenceNumber());
            assertEquals(13, twcc.packetStatusCount());
            assertEquals(10, twcc.receivedCount());
            assertEquals(6275825, twcc.referenceTime());
            assertEquals(3, twcc.feedbackPacketCount());
            int[] expectedDeltas = {16, 0, 0, 0, 0, 0, 0, -1, -1, -1, 28, 4, 0};
            long ticks = 6275825L * 256;
            for (int i = 0; i < expectedDeltas.length; i++) {
                boolean received = expectedDeltas[i] >= 0;
                ticks += received ? expectedDeltas[i] : 0;
                assertStatus(39 + i, received ? SMALL_DELTA : NOT_RECEIVED, Math.max(0, expectedDeltas[i]), ticks * 250);
            }
            assertFalse(twcc.next());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldMatchWiresharkDecodingOfRunLengthFeedback() {
        ByteBuf buf = wrapCopy(RtcpFixtures.twccRunLength());
        try {
            assertTrue(twcc.wrap(buf, 0, buf.readableBytes()));
            assertEquals(1, twcc.senderSsrc());
            assertEquals(0xDD586EB6L, twcc.mediaSsrc());
            assertEquals(6197520, twcc.referenceTime());
            assertEquals(0, twcc.feedbackPacketCount());
            long[] wiresharkMs = {7, 3, 11, 14, 0, 1, 0, 2, 6};
            twcc.reset();
            for (int i = 0; i < wiresharkMs.length; i++) {
                assertTrue(twcc.next());
                assertEquals(1 + i, twcc.sequenceNumber());
                assertEquals(SMALL_DELTA, twcc.status());
                assertEquals(wiresharkMs[i] * 1000, twcc.deltaUs());
            }
            assertFalse(twcc.next());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReadNegativeReferenceTimeAndEmptyFeedback() {
        // From mediasoup's tests: reference time 0xFFFFFE is -2 (signed 24 bits), no statuses.
        ByteBuf buf = wrapCopy(bytes(
                0x8F, 0xCD, 0x00, 0x04, // FMT=15 | RTPFB | length=4 (20 bytes)
                0xFA, 0x17, 0xFA, 0x17, // sender SSRC
                0x09, 0xFA, 0xFF, 0x67, // media SSRC
                0x00, 0x27, 0x00, 0x00, // base seq=39 | status count=0
                0xFF, 0xFF, 0xFE, 0x01)); // reference time=-2 | fb pkt count=1
        try {
            assertTrue(twcc.wrap(buf, 0, buf.readableBytes()));
            assertEquals(-2, twcc.referenceTime());
            assertEquals(-128_000, twcc.referenceTimeUs());
            assertEquals(0, twcc.packetStatusCount());
            assertFalse(twcc.next());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReadNegativeLargeDeltaAndWrapSequenceNumbers() {
        ByteBuf buf = wrapCopy(bytes(
                0x8F, 0xCD, 0x00, 0x06, // FMT=15 | RTPFB | length=6 (28 bytes)
                0x00, 0x00, 0x00, 0x01, // sender SSRC
                0x00, 0x00, 0x00, 0x02, // media SSRC
                0xFF, 0xFF, 0x00, 0x03, // base seq=65535 | status count=3
                0x00, 0x00, 0x01, 0x00, // reference time=1 | fb pkt count=0
                0xD9, 0x00,             // 2-bit vector: small, large, small (+ 4 unused)
                0x08, 0xFF, 0xFC, 0x04, // small 8 | large -4 (reordered arrival) | small 4
                0x00, 0x00));           // zero padding inside the length (no P bit)
        try {
            assertTrue(twcc.wrap(buf, 0, buf.readableBytes()));
            assertStatus(65535, SMALL_DELTA, 8, (256 + 8) * 250L);
            assertStatus(0, LARGE_DELTA, -4, (256 + 4) * 250L);
            assertStatus(1, SMALL_DELTA, 4, (256 + 8) * 250L);
            assertFalse(twcc.next());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldRejectReservedSymbolsAndOverruns() {
        byte[] reservedInVector = RtcpFixtures.twccChromePadded();
        reservedInVector[21] = 0x53; // last 2-bit symbol 11
        byte[] reservedInRun = RtcpFixtures.twccRunLength();
        reservedInRun[20] = 0x60; // run length chunk with symbol 11
        byte[] deltasCut = RtcpFixtures.twccRunLength();
        deltasCut[15] = 0x0A; // 10 statuses: the first 2 delta bytes are taken as a chunk, the 9 deltas no longer fit
        byte[] chunksCut = RtcpFixtures.twccOneBitVector();
        chunksCut[14] = 0x01; // 269 statuses: the deltas are read as more chunks and run out
        byte[] statusCountMax = RtcpFixtures.twccOneBitVector();
        statusCountMax[14] = (byte) 0xFF;
        statusCountMax[15] = (byte) 0xFF;
        byte[] shortHeader = bytes(0x8F, 0xCD, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0);
        for (byte[] bad : new byte[][] {reservedInVector, reservedInRun, deltasCut, chunksCut, statusCountMax, shortHeader}) {
            ByteBuf buf = wrapCopy(bad);
            try {
                assertFalse(twcc.wrap(buf, 0, buf.readableBytes()), hex(bad));
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void shouldIgnoreZeroLengthRunsBetweenChunks() {
        ByteBuf buf = wrapCopy(bytes(
                0x8F, 0xCD, 0x00, 0x06, // FMT=15 | RTPFB | length=6 (28 bytes)
                0x00, 0x00, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x02,
                0x00, 0x0A, 0x00, 0x02, // base seq=10 | status count=2
                0x00, 0x00, 0x00, 0x05, // reference time=0 | fb pkt count=5
                0x20, 0x00,             // run length: small x0 (contributes nothing)
                0x20, 0x02,             // run length: small x2
                0x04, 0x08,             // deltas 4, 8
                0x00, 0x00));           // zero padding
        try {
            assertTrue(twcc.wrap(buf, 0, buf.readableBytes()));
            assertStatus(10, SMALL_DELTA, 4, 1_000);
            assertStatus(11, SMALL_DELTA, 8, 3_000);
            assertFalse(twcc.next());
        } finally {
            buf.release();
        }
    }

    private void assertStatus(int seq, int status, int deltaTicks, long arrivalUs) {
        assertTrue(twcc.next(), "expected " + seq);
        assertEquals(seq, twcc.sequenceNumber());
        assertEquals(status, twcc.status());
        assertEquals(status != NOT_RECEIVED, twcc.isReceived());
        assertEquals(deltaTicks, twcc.deltaTicks());
        if (status != NOT_RECEIVED) {
            assertEquals(arrivalUs, twcc.arrivalTimeUs(), "arrival of " + seq);
        }
    }
}
