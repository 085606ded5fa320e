package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sans-IO pacer: its byte budget, and probe clusters with padding. */
class PacerTest {

    private static final long MS = 1_000_000;
    private static final long T0 = Long.MIN_VALUE / 2;

    @Test
    void shouldPaceAtTheFactorTimesTheTarget() {
        Pacer pacer = new Pacer(1_000_000, 2.5);
        long sent = 0;
        for (long t = T0; t < T0 + 1_000 * MS; t += MS / 10) {
            while (pacer.sendableBytes(t) > 0) {
                assertEquals(SendHistory.NO_PROBE, pacer.onPacketSent(t, 1200));
                sent += 1200;
            }
        }
        assertEquals(2_500_000 / 8, sent, 2 * 1200, "2.5 Mbit/s for one second");
    }

    @Test
    void shouldSayWhenTheNextPacketMayGo() {
        Pacer pacer = new Pacer(960_000, 1.0);
        pacer.sendableBytes(T0);
        pacer.onPacketSent(T0, 1200);
        long next = pacer.nextSendTimeNs(T0);
        // 1200 bytes at 960 kbit/s take 10 ms to pay back.
        assertEquals(10 * MS, next - T0, MS / 10);
        assertEquals(0, pacer.sendableBytes(next - MS));
        assertTrue(pacer.sendableBytes(next) > 0);
    }

    @Test
    void shouldRunAProbeClusterWithPaddingAndTagItsPackets() {
        Pacer pacer = new Pacer(300_000, 2.5);
        pacer.addProbeCluster(new ProbeCluster(7, 4_000_000, 15 * MS, 5));
        assertTrue(pacer.isProbing());
        int tagged = 0;
        long bytes = 0;
        long t = T0;
        long firstNs = 0;
        long lastNs = 0;
        for (; t < T0 + 100 * MS && pacer.isProbing(); t += MS / 10) {
            while (pacer.paddingBytes(t) > 0) {
                int id = pacer.onPacketSent(t, 1200);
                assertEquals(7, id);
                if (tagged == 0) {
                    firstNs = t;
                }
                lastNs = t;
                tagged++;
                bytes += 1200;
            }
        }
        assertFalse(pacer.isProbing());
        assertTrue(tagged >= 5 && bytes >= 4_000_000 / 8 * 15 / 1000, "5 packets and 15 ms at 4 Mbit/s: " + tagged);
        // 7 packets, 6 gaps of 1200 bytes at 4 Mbit/s = 14.4 ms.
        assertEquals(6 * 2.4, (lastNs - firstNs) / 1e6, 0.5);
        assertEquals(0, pacer.paddingBytes(t), "no padding outside a probe");
        assertEquals(1, pacer.probeClustersDone());
    }
}
