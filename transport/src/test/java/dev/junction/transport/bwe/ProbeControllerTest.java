package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** When to probe: at start, further while probes find capacity, in ALR, after a stable period, on need. */
class ProbeControllerTest {

    private static final long MS = 1_000_000;
    private static final long S = 1_000 * MS;
    private static final long T0 = -42 * S;

    @Test
    void shouldProbeExponentiallyWhileProbesFindCapacity() {
        ProbeController probes = new ProbeController(50_000_000);
        probes.start(T0, 300_000);
        assertEquals(900_000, probes.poll().bitrateBps());
        assertEquals(1_800_000, probes.poll().bitrateBps());
        probes.onEstimate(T0 + 200 * MS, 1_700_000); // more than 70% of 1.8M
        assertEquals(3_400_000, probes.poll().bitrateBps());
        probes.onEstimate(T0 + 400 * MS, 2_300_000); // less than 70% of 3.4M: the link is found
        assertNull(probes.poll());
    }

    @Test
    void shouldStopWaitingForAResultAfterASecond() {
        ProbeController probes = new ProbeController(50_000_000);
        probes.start(T0, 300_000);
        probes.handleTimeout(T0 + 1_100 * MS, 300_000, false, false, 0, -1, false);
        assertEquals(ProbeController.State.COMPLETE, probes.state());
    }

    @Test
    void shouldProbeInAlrEveryFiveSeconds() {
        ProbeController probes = drained();
        probes.handleTimeout(T0 + 4 * S, 1_000_000, true, true, T0, -1, false);
        assertNull(probes.poll(), "4 s after the last probe");
        probes.handleTimeout(T0 + 5 * S, 1_000_000, true, true, T0, -1, false);
        assertEquals(2_000_000, probes.poll().bitrateBps());
    }

    @Test
    void shouldProbeAfterFiveStableSecondsButNotAfterADecrease() {
        ProbeController probes = drained();
        probes.handleTimeout(T0 + 5 * S, 1_000_000, false, true, T0 + 2 * S, -1, false);
        assertNull(probes.poll(), "cut 3 s ago");
        probes.handleTimeout(T0 + 7 * S, 1_000_000, false, true, T0 + 2 * S, -1, false);
        assertEquals(2_000_000, probes.poll().bitrateBps());
    }

    @Test
    void shouldProbeForWhatTheApplicationNeeds() {
        ProbeController probes = drained();
        probes.handleTimeout(T0 + 2 * S, 1_000_000, false, true, T0, 1_300_000, false);
        assertEquals(1_300_000, probes.poll().bitrateBps(), "the need, below twice the estimate");
    }

    @Test
    void shouldNotProbeIntoCongestion() {
        ProbeController probes = drained();
        probes.handleTimeout(T0 + 10 * S, 1_000_000, true, false, 0, 5_000_000, true);
        assertNull(probes.poll());
    }

    @Test
    void shouldNeverProbeAboveTheMaximum() {
        ProbeController probes = new ProbeController(1_000_000);
        probes.start(T0, 300_000);
        assertEquals(900_000, probes.poll().bitrateBps());
        assertEquals(1_000_000, probes.poll().bitrateBps());
    }

    /** A controller whose start probing is over, its last probe at T0. */
    private static ProbeController drained() {
        ProbeController probes = new ProbeController(50_000_000);
        probes.start(T0, 300_000);
        probes.poll();
        probes.poll();
        probes.handleTimeout(T0 + 1_100 * MS, 1_000_000, false, true, T0 + 1_100 * MS, -1, false);
        // The start probes count as the last probe at T0.
        return probes;
    }
}
