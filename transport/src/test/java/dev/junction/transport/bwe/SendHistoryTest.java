package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The send history's ring and its 16-bit to 64-bit sequence number extension. */
class SendHistoryTest {

    @Test
    void shouldExtendSequenceNumbersAcrossTheWrap() {
        SendHistory history = new SendHistory(64);
        long now = -1_000_000_000L;
        long first = history.handlePacketSent(now, 65_530, 1200, SentKind.MEDIA, SendHistory.NO_PROBE);
        for (int i = 1; i <= 10; i++) {
            long extended = history.handlePacketSent(now + i, (65_530 + i) & 0xFFFF, 1000 + i, SentKind.MEDIA, SendHistory.NO_PROBE);
            assertEquals(first + i, extended, "continuous through 65535 -> 0");
        }
        // Feedback names 16-bit numbers: 65535 and 4 are on either side of the wrap.
        int before = history.slotOf(history.extend(65_535));
        int after = history.slotOf(history.extend(4));
        assertEquals(now + 5, history.sendTimeNs(before));
        assertEquals(1005, history.sizeBytes(before));
        assertEquals(now + 10, history.sendTimeNs(after));
        assertEquals(1010, history.sizeBytes(after));
    }

    @Test
    void shouldForgetPacketsTheRingOverwrote() {
        SendHistory history = new SendHistory(16);
        for (int seq = 0; seq < 40; seq++) {
            history.handlePacketSent(seq * 1_000L, seq, 100, SentKind.MEDIA, SendHistory.NO_PROBE);
        }
        assertEquals(16, history.capacity());
        assertEquals(-1, history.slotOf(history.extend(23)), "overwritten by 39");
        assertTrue(history.slotOf(history.extend(24)) >= 0, "the oldest kept");
        assertEquals(-1, history.slotOf(history.extend(40)), "never sent");
        assertEquals(39_000L, history.sendTimeNs(history.slotOf(history.extend(39))));
    }

    @Test
    void shouldRememberKindAndProbeCluster() {
        SendHistory history = new SendHistory(16);
        history.handlePacketSent(0, 7, 300, SentKind.PADDING, 42);
        int slot = history.slotOf(history.extend(7));
        assertEquals(SentKind.PADDING, history.kind(slot));
        assertEquals(42, history.probeClusterId(slot));
        assertEquals(1, history.packetsSent());
        assertEquals(300, history.bytesSent());
    }

    @Test
    void shouldKeepEachFieldOfASlotApartFromTheOthers() {
        // The size, kind, report state and probe cluster share one packed word per slot: each at its extremes, and
        // the report state changed after, must read back as recorded.
        SendHistory history = new SendHistory(16);
        history.handlePacketSent(5, 1, 0xFF_FFFF, SentKind.PADDING, Integer.MAX_VALUE);
        history.handlePacketSent(6, 2, 1, SentKind.RETRANSMISSION, SendHistory.NO_PROBE);
        history.handlePacketSent(7, 3, 70_000_000, SentKind.MEDIA, Integer.MIN_VALUE);
        int first = history.slotOf(history.extend(1));
        int second = history.slotOf(history.extend(2));
        int third = history.slotOf(history.extend(3));
        history.setReportState(first, SendHistory.REPORTED_RECEIVED);
        history.setReportState(second, SendHistory.REPORTED_LOST);

        assertEquals(0xFF_FFFF, history.sizeBytes(first));
        assertEquals(SentKind.PADDING, history.kind(first));
        assertEquals(Integer.MAX_VALUE, history.probeClusterId(first));
        assertEquals(SendHistory.REPORTED_RECEIVED, history.reportState(first));
        assertEquals(5, history.sendTimeNs(first));
        assertEquals(1, history.sizeBytes(second));
        assertEquals(SentKind.RETRANSMISSION, history.kind(second));
        assertEquals(SendHistory.NO_PROBE, history.probeClusterId(second));
        assertEquals(SendHistory.REPORTED_LOST, history.reportState(second));
        assertEquals(0xFF_FFFF, history.sizeBytes(third), "a size beyond 16 MiB is kept as the largest");
        assertEquals(Integer.MIN_VALUE, history.probeClusterId(third));
        assertEquals(SendHistory.UNREPORTED, history.reportState(third));
        assertEquals(1 + 0xFF_FFFF + 70_000_000L, history.bytesSent(), "counted whole");
    }

    @Test
    void shouldRoundTheCapacityUpToAPowerOfTwo() {
        assertEquals(1024, new SendHistory(1000).capacity());
        assertEquals(16, new SendHistory(16).capacity());
    }
}
