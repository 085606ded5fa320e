package dev.junction.transport.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The trendline: least-squares slope of the smoothed accumulated delay variation. */
class TrendlineFilterTest {

    private static final long MS = 1_000_000;

    @Test
    void shouldStayFlatWhileTheDelayDoesNotChange() {
        TrendlineFilter filter = new TrendlineFilter();
        for (int i = 0; i < 100; i++) {
            filter.update(0, -7_000 * MS + i * 5 * MS);
        }
        assertEquals(0, filter.slope(), 1e-12);
    }

    @Test
    void shouldKeepItsSlopeUntilTheWindowIsFull() {
        TrendlineFilter filter = new TrendlineFilter(20, 0.9);
        for (int i = 0; i < 19; i++) {
            assertEquals(0, filter.update(1.0, i * 5 * MS), "fewer than 20 points: no fit yet");
        }
        assertEquals(20, filter.update(1.0, 19 * 5 * MS) > 0 ? 20 : 0, "the 20th point fits a rising line");
    }

    @Test
    void shouldMeasureAGrowingQueueAsItsRelativeExcessRate() {
        // Sending 10% above capacity: each 5 ms group arrives 0.5 ms later than it was sent apart.
        TrendlineFilter filter = new TrendlineFilter();
        for (int i = 0; i < 200; i++) {
            filter.update(0.5, i * 5 * MS);
        }
        assertEquals(0.1, filter.slope(), 0.005, "(send rate - capacity) / capacity");
    }

    @Test
    void shouldTurnNegativeWhileTheQueueDrains() {
        TrendlineFilter filter = new TrendlineFilter();
        long t = 0;
        for (int i = 0; i < 60; i++, t += 5 * MS) {
            filter.update(0.5, t);
        }
        for (int i = 0; i < 60; i++, t += 5 * MS) {
            filter.update(-1.0, t);
        }
        assertEquals(-0.2, filter.slope(), 0.01);
    }
}
