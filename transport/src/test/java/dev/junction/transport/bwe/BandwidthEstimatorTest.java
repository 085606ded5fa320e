package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
}
