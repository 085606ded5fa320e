package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.codec.rtcp.TransportCcFeedbackWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The estimator's entry points: start-up probes, RTT input, and no allocation on the per-packet path. */
class BandwidthEstimatorTest {

    private static final long MS = 1_000_000;

    @Test
    void shouldProbeAtThreeAndSixTimesTheStartBitrate() {
        BandwidthEstimator bwe = new BandwidthEstimator(BandwidthEstimator.Settings.defaults().withStart(300_000));
        assertEquals(300_000, bwe.targetBitrateBps());
        assertEquals(BweReason.STARTUP, bwe.reason());
        bwe.handlePacketSent(-77 * MS, 0, 1200, SentKind.MEDIA, SendHistory.NO_PROBE);
        ProbeCluster first = bwe.pollProbeCluster();
        ProbeCluster second = bwe.pollProbeCluster();
        assertNotNull(first);
        assertNotNull(second);
        assertNull(bwe.pollProbeCluster());
        assertEquals(900_000, first.bitrateBps());
        assertEquals(1_800_000, second.bitrateBps());
        assertTrue(first.id() != second.id());
        assertEquals(5, first.minPackets());
    }

    @Test
    void shouldPreferTheRttFromRtcp() {
        BandwidthEstimator bwe = new BandwidthEstimator(BandwidthEstimator.Settings.defaults());
        bwe.handleRtt(0, 80);
        assertEquals(80, bwe.rttMs());
    }

    @Test
    void shouldNotAllocatePerPacketOrPerFeedback() {
        // A steady 1 Mbit/s flow (one 1200-byte packet every 9.6 ms) over 20 ms, across the 16-bit wrap.
        int packets = 80_000;
        long gapNs = 9_600_000;
        long t0 = -1_000_000 * MS;
        List<ByteBuf> feedback = new ArrayList<>();
        TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(1200);
        for (int first = 0; first < packets; first += 10) {
            writer.reset();
            for (int i = first; i < first + 10; i++) {
                writer.addReceived(i & 0xFFFF, (t0 + i * gapNs + 20 * MS) / 1000 + 5_000_000);
            }
            ByteBuf buf = Unpooled.buffer(writer.encodedLength());
            writer.write(buf, 1, 2, feedback.size());
            feedback.add(buf);
        }
        BandwidthEstimator bwe = new BandwidthEstimator(BandwidthEstimator.Settings.defaults().withStart(1_000_000));
        TransportCcFeedback parser = new TransportCcFeedback();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = 0;
        try {
            for (int i = 0; i < packets; i++) {
                if (i == packets / 2) {
                    allocatedBefore = threads.getCurrentThreadAllocatedBytes(); // after warm-up
                }
                long now = t0 + i * gapNs;
                bwe.handlePacketSent(now, i & 0xFFFF, 1200, SentKind.MEDIA, SendHistory.NO_PROBE);
                if (i % 10 == 9) {
                    ByteBuf buf = feedback.get(i / 10);
                    parser.wrap(buf, 0, buf.readableBytes());
                    bwe.handleFeedback(now + 40 * MS, parser);
                }
                if (now - bwe.nextTimeoutNs() >= 0) {
                    bwe.handleTimeout(now);
                }
                while (bwe.pollProbeCluster() != null) {
                    // A probe cluster is a small record a few times a minute; the pacer would take it.
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
            // 40,000 packets and 4,000 feedback messages; a handful of probe records (about 40 bytes each) is all.
            assertTrue(allocated < 4_096, "allocated " + allocated + " bytes over 40,000 packets");
            System.out.printf("[bwe] allocation: %d bytes over 40,000 packets and 4,000 feedback messages; %s%n",
                    allocated, bwe.counters());
        } finally {
            feedback.forEach(ByteBuf::release);
        }
    }

    @Test
    void shouldEstimateTheSameWithResultsSharedByTheEstimatorsOfAThread() {
        // Two flows, one congesting (its one-way delay grows, and every 17th packet is lost), fed to two estimators
        // sharing one PacketResults and to two with their own, feedback interleaved: the pairs must agree throughout.
        BandwidthEstimator.Settings settings = BandwidthEstimator.Settings.defaults().withStart(1_000_000);
        PacketResults shared = new PacketResults(settings.historyCapacity());
        BandwidthEstimator[] sharing = {new BandwidthEstimator(settings, shared), new BandwidthEstimator(settings, shared)};
        BandwidthEstimator[] own = {new BandwidthEstimator(settings), new BandwidthEstimator(settings)};
        TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(1200);
        TransportCcFeedback parser = new TransportCcFeedback();
        long t0 = 5_000 * MS;
        long gapNs = 4 * MS;
        boolean moved = false;
        for (int i = 0; i < 5_000; i++) {
            long now = t0 + i * gapNs;
            for (int f = 0; f < 2; f++) {
                sharing[f].handlePacketSent(now, i & 0xFFFF, 1200, SentKind.MEDIA, SendHistory.NO_PROBE);
                own[f].handlePacketSent(now, i & 0xFFFF, 1200, SentKind.MEDIA, SendHistory.NO_PROBE);
            }
            if (i % 10 != 9) continue;
            for (int f = 0; f < 2; f++) {
                writer.reset();
                writer.startAt((i - 9) & 0xFFFF);
                for (int k = i - 9; k <= i; k++) {
                    if (f == 1 && k % 17 == 0) continue;
                    long delayNs = 20 * MS + (f == 1 ? k * 40_000L : 0); // the congested flow's queue grows 10 ms a second
                    writer.addReceived(k & 0xFFFF, (t0 + k * gapNs + delayNs) / 1000 + 1_000_000);
                }
                ByteBuf buf = Unpooled.buffer(writer.encodedLength());
                try {
                    writer.write(buf, 1, 2, i / 10);
                    for (BandwidthEstimator e : new BandwidthEstimator[] {sharing[f], own[f]}) {
                        parser.wrap(buf, 0, buf.readableBytes());
                        e.handleFeedback(now + 25 * MS, parser);
                        if (now - e.nextTimeoutNs() >= 0) e.handleTimeout(now);
                        while (e.pollProbeCluster() != null) {
                            // Probes are not sent here; both estimators ask for the same ones.
                        }
                    }
                } finally {
                    buf.release();
                }
                assertEquals(own[f].targetBitrateBps(), sharing[f].targetBitrateBps(), "flow " + f + " at packet " + i);
                assertEquals(own[f].counters(), sharing[f].counters(), "flow " + f + " at packet " + i);
                moved |= own[f].targetBitrateBps() != settings.startBps();
            }
        }
        assertTrue(moved, "the estimates moved");
        assertTrue(own[1].targetBitrateBps() < own[0].targetBitrateBps(), "the congested flow's estimate is the lower: "
                + own[1].targetBitrateBps() + " against " + own[0].targetBitrateBps());
    }

    @Test
    void shouldRefuseSharedResultsSmallerThanItsHistory() {
        BandwidthEstimator.Settings settings = BandwidthEstimator.Settings.defaults();
        assertThrows(IllegalArgumentException.class, () -> new BandwidthEstimator(settings, new PacketResults(16)));
    }
}
