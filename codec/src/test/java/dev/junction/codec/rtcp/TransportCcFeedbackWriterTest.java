package dev.junction.codec.rtcp;

import static dev.junction.codec.rtp.TestBytes.bytes;
import static dev.junction.codec.rtp.TestBytes.hex;
import static dev.junction.codec.rtp.TestBytes.readable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransportCcFeedbackWriterTest {

    private final TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(1200);
    private final TransportCcFeedback reader = new TransportCcFeedback();

    @Test
    void shouldReproduceOneBitVectorFeedbackByteForByte() {
        long ref = 6275825L * 64_000;
        int[] deltas = {16, 0, 0, 0, 0, 0, 0, -1, -1, -1, 28, 4, 0};
        long ticks = 0;
        for (int i = 0; i < deltas.length; i++) {
            if (deltas[i] >= 0) {
                ticks += deltas[i];
                assertTrue(writer.addReceived(39 + i, ref + ticks * 250));
            }
        }
        assertEquals(13, writer.packetStatusCount());
        assertEquals(10, writer.receivedCount());
        assertWrites(RtcpFixtures.twccOneBitVector(), 0xFA17FA17L, 0x09FAFF67L, 3);
    }

    @Test
    void shouldReproduceRunLengthFeedbackWithChromePadding() {
        long ref = 6197520L * 64_000;
        int[] deltas = {28, 12, 44, 56, 0, 4, 0, 8, 24};
        long ticks = 0;
        for (int i = 0; i < deltas.length; i++) {
            ticks += deltas[i];
            assertTrue(writer.addReceived(1 + i, ref + ticks * 250));
        }
        assertWrites(RtcpFixtures.twccRunLength(), 1, 0xDD586EB6L, 0);
    }

    @Test
    void shouldEncodeTwoBitVectorLossRunAndLargeDeltas() {
        long t0 = 1_000_000; // reference time 15 (960 ms), first delta 40 ms
        assertTrue(writer.addReceived(100, t0));
        assertTrue(writer.addReceived(101, t0 + 100_000)); // +100 ms: large delta 400
        assertTrue(writer.addReceived(102, t0 + 99_000)); // -1 ms (arrived before 101): large delta -4
        assertTrue(writer.addReceived(133, t0 + 120_000)); // 30 lost in between, then +21 ms: small 84
        assertEquals(34, writer.packetStatusCount());
        assertWrites(bytes(
                0x8F, 0xCD, 0x00, 0x07, // V=2 P=0 FMT=15 | PT=RTPFB | length=7 (32 bytes, no padding needed)
                0x00, 0x00, 0x00, 0x01, // sender SSRC=1
                0x00, 0x00, 0x00, 0x02, // media SSRC=2
                0x00, 0x64, 0x00, 0x22, // base seq=100 | status count=34
                0x00, 0x00, 0x0F, 0x07, // reference time=15 (960 ms) | fb pkt count=7
                0xDA, 0x00,             // 2-bit vector: small, large, large, not received x4
                0x00, 0x1A,             // run length: not received x26
                0x20, 0x01,             // run length: small x1 (the tail)
                0xA0,                   // small delta 160 (40 ms after the reference time)
                0x01, 0x90,             // large delta +400 (100 ms)
                0xFF, 0xFC,             // large delta -4 (-1 ms)
                0x54),                  // small delta 84 (21 ms)
                1, 2, 7);
    }

    @Test
    void shouldPreferOneBitVectorForShortLossesAndPadLikeChrome() {
        assertTrue(writer.addReceived(100, 1_000_000));
        assertTrue(writer.addReceived(114, 1_001_000)); // 13 lost, then +1 ms
        assertWrites(bytes(
                0xAF, 0xCD, 0x00, 0x06, // V=2 P=1 FMT=15 | PT=RTPFB | length=6 (28 bytes)
                0x00, 0x00, 0x00, 0x01, // sender SSRC=1
                0x00, 0x00, 0x00, 0x02, // media SSRC=2
                0x00, 0x64, 0x00, 0x0F, // base seq=100 | status count=15
                0x00, 0x00, 0x0F, 0x00, // reference time=15 | fb pkt count=0
                0xA0, 0x00,             // 1-bit vector: small, not received x13
                0x20, 0x01,             // run length: small x1
                0xA0, 0x04,             // small deltas 160, 4
                0x00, 0x02),            // RTCP padding: 2 bytes, the last one counts them
                1, 2, 0);
    }

    @Test
    void shouldRoundTripRandomArrivalsWithinQuantisation() {
        Random random = new Random(1234);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(2048);
        try {
            for (int round = 0; round < 300; round++) {
                writer.reset();
                int count = 1 + random.nextInt(400);
                int seq = random.nextInt(65536);
                long arrival = random.nextLong(-2_000_000_000_000L, 2_000_000_000_000L); // beyond the 24-bit reference range
                int[] seqs = new int[count];
                long[] arrivals = new long[count];
                int added = 0;
                for (int i = 0; i < count; i++) {
                    seq = (seq + 1 + (random.nextInt(10) == 0 ? random.nextInt(40) : 0)) & 0xFFFF;
                    arrival += random.nextInt(10) == 0 ? random.nextLong(-20_000, 300_000) : random.nextLong(0, 20_000);
                    if (!writer.addReceived(seq, arrival)) {
                        break;
                    }
                    seqs[added] = seq;
                    arrivals[added] = arrival;
                    added++;
                }
                out.clear();
                int written = writer.write(out, 5, 6, round);
                assertEquals(written, out.readableBytes());
                assertEquals(writer.encodedLength(), written);
                assertTrue(written <= 1200 && written % 4 == 0);
                assertTrue(reader.wrap(out, 0, written), () -> hex(readable(out)));
                assertEquals(seqs[0], reader.baseSequenceNumber());
                assertEquals(added, reader.receivedCount());
                assertEquals(round & 0xFF, reader.feedbackPacketCount());
                int k = 0;
                while (reader.next()) {
                    if (reader.isReceived()) {
                        assertEquals(seqs[k], reader.sequenceNumber());
                        long error = reader.arrivalTimeUs() + wrapOffsetUs(arrivals[0]) - arrivals[k];
                        assertTrue(Math.abs(error) <= 125, "quantisation error " + error + " at " + k);
                        k++;
                    }
                }
                assertEquals(added, k);
                assertEquals(writer.packetStatusCount(), reader.packetStatusCount());
            }
        } finally {
            out.release();
        }
    }

    /** The reference time travels as signed 24 bits: what the reader sees is the writer's minus this offset. */
    private static long wrapOffsetUs(long firstArrivalUs) {
        long reference = Math.floorDiv(firstArrivalUs, 64_000);
        long sent = (reference << 40) >> 40;
        return (reference - sent) * 64_000;
    }

    @Test
    void shouldRefuseOutOfOrderDuplicateAndOversizedDeltas() {
        assertTrue(writer.addReceived(10, 1_000_000));
        assertFalse(writer.addReceived(10, 1_001_000), "duplicate");
        assertFalse(writer.addReceived(9, 1_001_000), "older");
        assertFalse(writer.addReceived(11, 1_000_000 + 8_192_000), "+8.192 s does not fit a signed 16-bit delta");
        assertFalse(writer.addReceived(11, 1_000_000 - 8_193_000), "-8.193 s neither");
        assertEquals(1, writer.packetStatusCount(), "refusals change nothing");
        assertTrue(writer.addReceived(11, 1_000_000 + 8_191_000));
        assertTrue(writer.addReceived(12, 1_000_000 + 8_191_000 - 8_192_000));
        assertEquals(3, writer.packetStatusCount());
    }

    @Test
    void shouldRefuseWhenTheMessageWouldOutgrowItsMaximumLength() {
        TransportCcFeedbackWriter small = new TransportCcFeedbackWriter(64);
        int added = 0;
        while (small.addReceived(added, 1_000L * added)) {
            added++;
        }
        assertTrue(added > 20, "at least the bytes left after the header: " + added);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(128);
        try {
            assertTrue(small.write(out, 1, 2, 0) <= 64);
            small.reset();
            assertTrue(small.isEmpty());
            assertTrue(small.addReceived(7, 0));
            // A gap of thousands of lost packets is cheap as a run length, but the worst case bound refuses it.
            assertFalse(small.addReceived(5000, 1000));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldCrossTheSequenceNumberWrap() {
        assertTrue(writer.addReceived(65534, 64_000));
        assertTrue(writer.addReceived(1, 65_000));
        assertEquals(4, writer.packetStatusCount());
        assertEquals(65534, writer.baseSequenceNumber());
        assertEquals(1, writer.lastSequenceNumber());
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            writer.write(out, 1, 2, 0);
            assertTrue(reader.wrap(out, 0, out.readableBytes()));
            int[] expectedSeqs = {65534, 65535, 0, 1};
            boolean[] received = {true, false, false, true};
            for (int i = 0; i < 4; i++) {
                assertTrue(reader.next());
                assertEquals(expectedSeqs[i], reader.sequenceNumber());
                assertEquals(received[i], reader.isReceived());
            }
            assertEquals(65_000, reader.arrivalTimeUs());
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRefuseToWriteEmptyFeedbackOrBeBuiltTooSmall() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            assertThrows(IllegalStateException.class, () -> writer.write(out, 1, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> new TransportCcFeedbackWriter(31));
        } finally {
            out.release();
        }
    }

    private void assertWrites(byte[] expected, long senderSsrc, long mediaSsrc, int fbCount) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            assertEquals(expected.length, writer.encodedLength());
            assertEquals(expected.length, writer.write(out, senderSsrc, mediaSsrc, fbCount));
            assertArrayEquals(expected, readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    /** A message may start at the first expected number: numbers before the first arrival are reported lost. */
    @Test
    void shouldStartAtTheFirstExpectedNumberAndReportTheLossesBeforeTheFirstArrival() {
        TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(1200);
        writer.startAt(65_534);
        assertTrue(writer.addReceived(1, 1_000_000));
        assertTrue(writer.addReceived(2, 1_000_250));
        ByteBuf out = io.netty.buffer.Unpooled.buffer();
        try {
            writer.write(out, 1, 2, 0);
            TransportCcFeedback fb = new TransportCcFeedback();
            assertTrue(fb.wrap(out, out.readerIndex(), out.readableBytes()));
            assertEquals(65_534, fb.baseSequenceNumber());
            assertEquals(5, fb.packetStatusCount(), "65534, 65535 and 0 lost, then 1 and 2");
            assertEquals(2, fb.receivedCount());
            java.util.List<Boolean> received = new java.util.ArrayList<>();
            while (fb.next()) received.add(fb.isReceived());
            assertEquals(java.util.List.of(false, false, false, true, true), received);
        } finally {
            out.release();
        }
        writer.reset();
        assertTrue(writer.addReceived(9, 2_000_000), "reset forgets the start");
        assertEquals(9, writer.baseSequenceNumber());
        writer.reset();
        writer.startAt(10);
        assertFalse(writer.addReceived(9, 2_000_000), "a number before the start does not fit");
        assertTrue(writer.isEmpty());
        assertThrows(IllegalStateException.class, () -> {
            writer.addReceived(10, 2_000_000);
            writer.startAt(11);
        }, "only an empty message can be started elsewhere");
    }
}
