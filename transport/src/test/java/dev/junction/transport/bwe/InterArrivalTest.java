package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Packet groups of 5 ms of send time and their delay variation (draft-ietf-rmcat-gcc-02 §5.2). */
class InterArrivalTest {

    private static final long MS = 1_000_000;

    @Test
    void shouldGroupFiveMillisecondsOfSendTime() {
        InterArrival groups = new InterArrival();
        long base = -9_000 * MS;
        // Group 1: sent 0..4 ms; group 2: 10..14 ms; group 3 starts at 20 ms.
        for (long t : new long[] {0, 2, 4}) {
            assertFalse(groups.addPacket(base + t * MS, t * MS + 30 * MS));
        }
        for (long t : new long[] {10, 12, 14}) {
            assertFalse(groups.addPacket(base + t * MS, t * MS + 31 * MS), "no previous pair yet");
        }
        assertTrue(groups.addPacket(base + 20 * MS, 52 * MS));
        // Last packets: sent 4 and 14 ms, arrived 34 and 45 ms.
        assertEquals(10 * MS, groups.sendDeltaNs());
        assertEquals(11 * MS, groups.arrivalDeltaNs());
        assertEquals(45 * MS, groups.groupArrivalNs());
    }

    @Test
    void shouldMergeABurstThatArrivedTogether() {
        InterArrival groups = new InterArrival();
        groups.addPacket(0, 100 * MS);
        // Sent 6 ms later but arrived only 1 ms later: queued behind the first, part of its burst.
        assertFalse(groups.addPacket(6 * MS, 101 * MS));
        assertFalse(groups.addPacket(20 * MS, 120 * MS));
        assertTrue(groups.addPacket(40 * MS, 140 * MS));
        assertEquals(14 * MS, groups.sendDeltaNs(), "the burst's last packet was sent at 6 ms");
        assertEquals(19 * MS, groups.arrivalDeltaNs());
    }

    @Test
    void shouldIgnorePacketsSentBeforeTheCurrentGroup() {
        InterArrival groups = new InterArrival();
        groups.addPacket(10 * MS, 100 * MS);
        assertFalse(groups.addPacket(2 * MS, 101 * MS));
        assertEquals(1, groups.reorderedPackets());
    }
}
