package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The AIMD rate controller (draft-ietf-rmcat-gcc-02 §5.5). */
class AimdRateControlTest {

    private static final long MS = 1_000_000;
    private static final long T0 = -3_000_000 * MS;

    private static AimdRateControl control(long startBps) {
        AimdRateControl aimd = new AimdRateControl(startBps, 10_000, 100_000_000, 0.85);
        aimd.setRttMs(100);
        return aimd;
    }

    @Test
    void shouldIncreaseMultiplicativelyFarFromConvergence() {
        AimdRateControl aimd = control(1_000_000);
        aimd.update(T0, BandwidthUsage.NORMAL, 1_000_000); // Hold -> Increase
        assertEquals(AimdRateControl.State.INCREASE, aimd.state());
        aimd.update(T0 + 1_000 * MS, BandwidthUsage.NORMAL, 1_000_000);
        assertEquals(1_080_000, aimd.estimateBps(), 1_000, "8% in one second");
        assertEquals(AimdRateControl.Change.INCREASED, aimd.lastChange());
    }

    @Test
    void shouldDecreaseToBetaTimesTheAcknowledgedRateThenHold() {
        AimdRateControl aimd = control(2_000_000);
        aimd.update(T0, BandwidthUsage.OVERUSING, 1_800_000);
        assertEquals(1_530_000, aimd.estimateBps(), "0.85 * 1.8M");
        assertEquals(AimdRateControl.Change.DECREASED, aimd.lastChange());
        assertEquals(AimdRateControl.State.HOLD, aimd.state());
        assertTrue(aimd.nearConvergence(), "the link's capacity is now known");
    }

    @Test
    void shouldNotDecreaseAgainWithinOneRtt() {
        AimdRateControl aimd = control(2_000_000);
        aimd.update(T0, BandwidthUsage.OVERUSING, 1_800_000);
        aimd.update(T0 + 50 * MS, BandwidthUsage.OVERUSING, 1_500_000);
        assertEquals(1_530_000, aimd.estimateBps(), "RTT is 100 ms");
        aimd.update(T0 + 100 * MS, BandwidthUsage.OVERUSING, 1_500_000);
        assertEquals(1_275_000, aimd.estimateBps());
    }

    @Test
    void shouldDecreaseAtOnceWhenTheAcknowledgedRateCollapsed() {
        AimdRateControl aimd = control(2_000_000);
        aimd.update(T0, BandwidthUsage.OVERUSING, 1_800_000);
        aimd.update(T0 + 10 * MS, BandwidthUsage.OVERUSING, 600_000);
        assertEquals(510_000, aimd.estimateBps(), "below half the estimate: no need to wait an RTT");
    }

    @Test
    void shouldIncreaseAdditivelyNearConvergence() {
        AimdRateControl aimd = control(2_000_000);
        aimd.update(T0, BandwidthUsage.OVERUSING, 2_000_000); // 1.7M, capacity known
        aimd.update(T0 + 100 * MS, BandwidthUsage.NORMAL, 1_700_000); // Hold -> Increase
        long before = aimd.estimateBps();
        long expected = aimd.nearMaxIncreaseBpsPerS();
        aimd.update(T0 + 1_100 * MS, BandwidthUsage.NORMAL, 1_700_000);
        long increase = aimd.estimateBps() - before;
        // About one packet (a 30 fps frame in 1200-byte pieces: 9.4 kbit) per response time (RTT + 100 ms).
        assertEquals(expected, increase, 1_000);
        assertTrue(increase < 60_000 && increase > 30_000, "additive: " + increase);
    }

    @Test
    void shouldHoldOnUnderuse() {
        AimdRateControl aimd = control(1_000_000);
        aimd.update(T0, BandwidthUsage.NORMAL, 1_000_000);
        aimd.update(T0 + 500 * MS, BandwidthUsage.UNDERUSING, 1_000_000);
        long held = aimd.estimateBps();
        aimd.update(T0 + 1_500 * MS, BandwidthUsage.UNDERUSING, 1_000_000);
        assertEquals(held, aimd.estimateBps());
        assertEquals(AimdRateControl.State.HOLD, aimd.state());
    }

    @Test
    void shouldNotIncreaseFarAboveWhatIsAcknowledged() {
        AimdRateControl aimd = control(1_000_000);
        aimd.update(T0, BandwidthUsage.NORMAL, 300_000);
        for (int i = 1; i <= 30; i++) {
            aimd.update(T0 + i * 1_000 * MS, BandwidthUsage.NORMAL, 300_000);
        }
        assertEquals(1_000_000, aimd.estimateBps(), "already above 1.5 * 300k + 10k: no increase");
    }
}
