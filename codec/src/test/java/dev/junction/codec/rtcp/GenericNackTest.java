package dev.junction.codec.rtcp;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GenericNackTest {

    private final GenericNack nack = new GenericNack();

    @Test
    void shouldParseMediasoupNackAndIterateLostSequenceNumbers() {
        ByteBuf buf = wrapCopy(RtcpFixtures.nack());
        try {
            assertTrue(nack.wrap(buf, 0, buf.readableBytes()));
            assertEquals(1, nack.senderSsrc());
            assertEquals(0x0330BDEEL, nack.mediaSsrc());
            assertEquals(1, nack.entryCount());
            assertEquals(2959, nack.pid(0));
            assertEquals(0x0003, nack.blp(0));
            assertEquals(List.of(2959, 2960, 2961), lost());
            assertEquals(-1, nack.nextLost(), "stays exhausted");
            nack.resetLost();
            assertEquals(2959, nack.nextLost());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWriteMediasoupNackByteForByte() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            int[] seqs = {2959, 2960, 2961};
            assertEquals(3, GenericNack.write(out, 1, 0x0330BDEEL, seqs, 0, 3, 10));
            assertArrayEquals(RtcpFixtures.nack(), readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldIterateBitmaskAcrossSequenceWrap() {
        ByteBuf buf = wrapCopy(bytes(
                0x81, 0xCD, 0x00, 0x04, // V=2 FMT=1 | PT=RTPFB | length=4 (20 bytes)
                0x00, 0x00, 0x00, 0x01, // sender SSRC
                0x00, 0x00, 0x00, 0x02, // media SSRC
                0xFF, 0xFE, 0x80, 0x05, // PID=65534 | BLP bits 0, 2, 15: 65535, 1, 14
                0x00, 0x10, 0x00, 0x00)); // PID=16 | BLP=0
        try {
            assertTrue(nack.wrap(buf, 0, buf.readableBytes()));
            assertEquals(2, nack.entryCount());
            assertEquals(List.of(65534, 65535, 1, 14, 16), lost());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldPackSortedLossesIntoFewestEntries() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            int[] seqs = {65530, 65531, 65535, 0, 10, 30, 31};
            assertEquals(seqs.length, GenericNack.write(out, 9, 8, seqs, 0, seqs.length, 16));
            assertArrayEquals(bytes(
                    0x81, 0xCD, 0x00, 0x04, // FMT=1 | RTPFB | length=4 (2 entries)
                    0x00, 0x00, 0x00, 0x09, // sender SSRC=9
                    0x00, 0x00, 0x00, 0x08, // media SSRC=8
                    0xFF, 0xFA, 0x80, 0x31, // PID=65530 | BLP: +1, +5, +6 (0), +16 (10)
                    0x00, 0x1E, 0x00, 0x01), // PID=30 | BLP: +1 (31)
                    readable(out), () -> hex(readable(out)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldReportEveryLossWhateverTheInputOrder() {
        Random random = new Random(11);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(4096);
        try {
            for (int round = 0; round < 500; round++) {
                int base = random.nextInt(65536);
                int count = 1 + random.nextInt(60);
                int[] seqs = new int[count];
                TreeSet<Integer> expected = new TreeSet<>();
                for (int i = 0; i < count; i++) {
                    seqs[i] = (base + random.nextInt(200)) & 0xFFFF;
                    expected.add(seqs[i]);
                }
                if (random.nextBoolean()) {
                    java.util.Arrays.sort(seqs); // not wrap-aware: deliberately imperfect order
                }
                out.clear();
                assertEquals(count, GenericNack.write(out, 1, 2, seqs, 0, count, 1000));
                assertTrue(nack.wrap(out, 0, out.readableBytes()));
                assertTrue(nack.entryCount() <= count);
                assertEquals(expected, new TreeSet<>(lost()));
            }
        } finally {
            out.release();
        }
    }

    @Test
    void shouldStopAtMaxEntriesAndResumeWhereItStopped() {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(64);
        try {
            int[] seqs = {100, 200, 300, 301};
            int next = GenericNack.write(out, 1, 2, seqs, 0, seqs.length, 2);
            assertEquals(2, next);
            assertTrue(nack.wrap(out, 0, out.readableBytes()));
            assertEquals(List.of(100, 200), lost());
            out.clear();
            assertEquals(4, GenericNack.write(out, 1, 2, seqs, next, seqs.length, 2));
            assertTrue(nack.wrap(out, 0, out.readableBytes()));
            assertEquals(List.of(300, 301), lost());
            out.clear();
            assertEquals(4, GenericNack.write(out, 1, 2, seqs, 4, 4, 2));
            assertEquals(0, out.readableBytes(), "nothing to report writes nothing");
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRejectNackWithoutEntriesOrOfAnotherFormat() {
        ByteBuf noEntries = wrapCopy(bytes(0x81, 0xCD, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2));
        ByteBuf twcc = wrapCopy(RtcpFixtures.twccRunLength());
        try {
            assertFalse(nack.wrap(noEntries, 0, noEntries.readableBytes()));
            assertFalse(nack.wrap(twcc, 0, twcc.readableBytes()), "same PT, FMT=15");
        } finally {
            noEntries.release();
            twcc.release();
        }
    }

    private List<Integer> lost() {
        List<Integer> out = new ArrayList<>();
        nack.resetLost();
        for (int seq; (seq = nack.nextLost()) >= 0; ) {
            out.add(seq);
        }
        return out;
    }
}
