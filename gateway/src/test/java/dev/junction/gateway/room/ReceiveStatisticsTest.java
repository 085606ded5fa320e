package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ReceiveStatisticsTest {
    private static final long MS = 1_000_000L;

    private static long[] fields(ReceiveStatistics stats, long nowNs) {
        ByteBuf out = Unpooled.buffer();
        try {
            stats.writeBlock(out, 42, nowNs);
            return new long[] {
                out.getUnsignedByte(4),          // fraction lost
                out.getMedium(5),                // cumulative lost, signed 24 bits
                out.getUnsignedInt(8),           // extended highest sequence number
                out.getUnsignedInt(12),          // jitter
                out.getUnsignedInt(16),          // LSR
                out.getUnsignedInt(20)};         // DLSR
        } finally {
            out.release();
        }
    }

    @Test
    void shouldCountLossAcrossTheSequenceNumberWrapPerIntervalAndInTotal() {
        ReceiveStatistics stats = new ReceiveStatistics();
        long now = 0;
        for (int seq : new int[] {65_533, 65_534, 0, 1, 3}) {
            stats.onPacket(seq, 0, 90_000, now);
        }
        // Expected 65533..3 = 7, received 5.
        long[] f = fields(stats, now);
        assertEquals(2 * 256 / 7, f[0]);
        assertEquals(2, f[1]);
        assertEquals(65_536 + 3, f[2]);
        stats.onPacket(4, 0, 90_000, now);
        stats.onPacket(2, 0, 90_000, now);
        f = fields(stats, now);
        assertEquals(0, f[0], "the late 2 makes up for this interval");
        assertEquals(1, f[1]);
        stats.onPacket(4, 0, 90_000, now);
        f = fields(stats, now);
        assertEquals(0, f[0], "a duplicate never reports negative loss");
        assertEquals(0, f[1], "cumulative loss goes down with duplicates (RFC 3550 §6.4.1)");
    }

    @Test
    void shouldEstimateJitterAsRfc3550AppendixA8() {
        ReceiveStatistics stats = new ReceiveStatistics();
        // 20 ms Opus frames at 48 kHz, the third arriving 10 ms late (480 ticks), the rest on time.
        stats.onPacket(1, 0, 48_000, 0);
        stats.onPacket(2, 960, 48_000, 20 * MS);
        stats.onPacket(3, 1920, 48_000, 50 * MS);
        stats.onPacket(4, 2880, 48_000, 60 * MS);
        // J += (|D| - J) / 16 with J scaled by 16: 0 -> 480 (D=480) -> 480 + 480 - 30 = 930 (D=480).
        assertEquals(930 >> 4, stats.jitter());
        assertEquals(58, fields(stats, 60 * MS)[3]);
    }

    @Test
    void shouldEchoTheLastSenderReportWithTheDelaySinceIt() {
        ReceiveStatistics stats = new ReceiveStatistics();
        stats.onPacket(1, 0, 90_000, 0);
        assertEquals(0, fields(stats, 0)[4], "no SR yet: LSR and DLSR are 0");
        stats.onSenderReport(0xABCD_1234L, 100 * MS);
        long[] f = fields(stats, 100 * MS + 1_500 * MS);
        assertEquals(0xABCD_1234L, f[4]);
        assertEquals(98_304, f[5], "1.5 s in 1/65536 s");
    }
}
