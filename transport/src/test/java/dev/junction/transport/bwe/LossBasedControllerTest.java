package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The loss-based controller (draft-ietf-rmcat-gcc-02 §6). */
class LossBasedControllerTest {

    private static final long MS = 1_000_000;

    @Test
    void shouldDecreaseProportionallyToLossAboveTenPercent() {
        LossBasedController loss = new LossBasedController(10_000, 50_000_000);
        assertEquals(50_000_000, loss.limitBps(), "no limit before any loss");
        loss.update(0, 20, 80, 2_000_000); // 20%
        assertEquals(1_800_000, loss.limitBps(), "2M * (1 - 0.5 * 0.2)");
        assertEquals(LossBasedController.Change.DECREASED, loss.lastChange());
    }

    @Test
    void shouldHoldBetweenTwoAndTenPercent() {
        LossBasedController loss = new LossBasedController(10_000, 50_000_000);
        loss.update(0, 20, 80, 2_000_000);
        loss.update(1_000 * MS, 5, 95, 1_800_000);
        assertEquals(1_800_000, loss.limitBps());
        assertEquals(0.05, loss.lossFraction(), 1e-9);
    }

    @Test
    void shouldIncreaseBelowTwoPercent() {
        LossBasedController loss = new LossBasedController(10_000, 50_000_000);
        loss.update(0, 20, 80, 2_000_000);
        loss.update(1_000 * MS, 0, 100, 1_800_000);
        loss.update(2_000 * MS, 1, 99, 1_800_000);
        assertEquals(1_800_000 * 1.08 + 1_000, loss.limitBps(), 2, "8% per second");
    }

    @Test
    void shouldNotDecideOnAFewPackets() {
        LossBasedController loss = new LossBasedController(10_000, 50_000_000);
        loss.update(0, 5, 5, 2_000_000);
        assertEquals(50_000_000, loss.limitBps(), "10 packets: counting on");
        loss.update(500 * MS, 5, 30, 2_000_000);
        assertEquals(50_000_000, loss.limitBps(), "45 packets in half a second: counting on");
        loss.update(1_000 * MS, 0, 5, 2_000_000);
        assertTrue(loss.limitBps() < 2_000_000, "a second and 50 packets at 20%: decide");
    }

    @Test
    void shouldDecreaseAtMostOncePerIntervalForOneLossEpisode() {
        LossBasedController loss = new LossBasedController(10_000, 50_000_000);
        loss.setRttMs(100);
        loss.update(0, 50, 50, 2_000_000);
        long once = loss.limitBps();
        loss.update(100 * MS, 50, 50, once);
        assertEquals(once, loss.limitBps(), "within 300 ms + RTT");
        loss.update(400 * MS, 50, 50, once);
        assertTrue(loss.limitBps() < once);
    }

    @Test
    void shouldBeLiftedByAProbe() {
        LossBasedController loss = new LossBasedController(10_000, 50_000_000);
        loss.update(0, 50, 50, 2_000_000);
        loss.onProbeResult(2_500_000);
        assertEquals(2_500_000, loss.limitBps());
    }
}
