package dev.junction.transport.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DurationHistogramTest {

    private static final String NAME = "junction_session_setup_seconds";

    /** The bucket lines as le label to cumulative count, in output order, and the other samples by name. */
    private record Scrape(Map<String, Long> buckets, String sum, long count, List<String> lines) { }

    private static Scrape scrape(DurationHistogram h) {
        StringBuilder out = new StringBuilder();
        h.appendMetrics(out, NAME, "test help");
        Map<String, Long> buckets = new LinkedHashMap<>();
        String sum = null;
        long count = -1;
        List<String> lines = new ArrayList<>(List.of(out.toString().split("\n", -1)));
        assertEquals("", lines.removeLast(), "every line ends in a line feed");
        for (String line : lines) {
            if (line.startsWith(NAME + "_bucket{le=\"")) {
                int close = line.indexOf("\"}");
                buckets.put(line.substring(NAME.length() + 12, close), Long.parseLong(line.substring(close + 3)));
            } else if (line.startsWith(NAME + "_sum ")) {
                sum = line.substring(NAME.length() + 5);
            } else if (line.startsWith(NAME + "_count ")) {
                count = Long.parseLong(line.substring(NAME.length() + 7));
            }
        }
        return new Scrape(buckets, sum, count, lines);
    }

    @Test
    void shouldWriteThePrometheusHistogramShapeWithTheAgreedBounds() {
        Scrape s = scrape(new DurationHistogram());
        assertEquals("# HELP " + NAME + " test help", s.lines().get(0));
        assertEquals("# TYPE " + NAME + " histogram", s.lines().get(1));
        assertEquals(List.of("0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "5", "+Inf"),
                List.copyOf(s.buckets().keySet()));
        assertEquals(NAME + "_bucket{le=\"0.001\"} 0", s.lines().get(2));
        assertEquals(NAME + "_sum 0", s.lines().get(15));
        assertEquals(NAME + "_count 0", s.lines().get(16));
        assertEquals(17, s.lines().size());
    }

    @Test
    void shouldWriteLabelledSeriesWithOtherBounds() {
        DurationHistogram h = new DurationHistogram(DurationHistogram.LATENCY_BOUNDS_NS);
        h.record(15_000);
        h.record(2_000_000_000L);
        StringBuilder out = new StringBuilder();
        h.appendSeries(out, "m", "loop=\"1\"");
        List<String> lines = List.of(out.toString().split("\n"));
        assertEquals("m_bucket{loop=\"1\",le=\"0.00001\"} 0", lines.get(0));
        assertEquals("m_bucket{loop=\"1\",le=\"0.00002\"} 1", lines.get(1));
        assertEquals("m_bucket{loop=\"1\",le=\"0.1\"} 1", lines.get(12));
        assertEquals("m_bucket{loop=\"1\",le=\"+Inf\"} 2", lines.get(13));
        assertEquals("m_sum{loop=\"1\"} 2.000015", lines.get(14));
        assertEquals("m_count{loop=\"1\"} 2", lines.get(15));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new DurationHistogram(new long[] {5, 5}));
    }

    @Test
    void shouldCountABoundItselfInItsOwnBucket() {
        DurationHistogram h = new DurationHistogram();
        h.record(1_000_000);
        Scrape s = scrape(h);
        assertEquals(1, s.buckets().get("0.001"), "exactly 1 ms is le=0.001");
        assertEquals(1, s.buckets().get("+Inf"));
        assertEquals("0.001", s.sum());
    }

    @Test
    void shouldPutOneNanosecondAboveABoundInTheNextBucket() {
        DurationHistogram h = new DurationHistogram();
        h.record(1_000_001);
        h.record(10_000_000);
        h.record(10_000_001);
        Scrape s = scrape(h);
        assertEquals(0, s.buckets().get("0.001"));
        assertEquals(1, s.buckets().get("0.002"));
        assertEquals(1, s.buckets().get("0.005"));
        assertEquals(2, s.buckets().get("0.01"));
        assertEquals(3, s.buckets().get("0.02"));
        assertEquals(3, s.count());
        assertEquals("0.021000002", s.sum());
    }

    @Test
    void shouldCountAboveFiveSecondsOnlyInInf() {
        DurationHistogram h = new DurationHistogram();
        h.record(5_000_000_000L);
        h.record(5_000_000_001L);
        h.record(3_600_000_000_000L);
        Scrape s = scrape(h);
        assertEquals(0, s.buckets().get("2"));
        assertEquals(1, s.buckets().get("5"), "exactly 5 s is still le=5");
        assertEquals(3, s.buckets().get("+Inf"));
        assertEquals(3, s.count());
        assertEquals("3610.000000001", s.sum());
    }

    @Test
    void shouldCountZeroAndNegativeDurationsInTheFirstBucket() {
        DurationHistogram h = new DurationHistogram();
        h.record(0);
        h.record(-5);
        Scrape s = scrape(h);
        assertEquals(2, s.buckets().get("0.001"));
        assertEquals("0", s.sum());
    }

    @Test
    void shouldKeepBucketsCumulativeAndInfEqualToCountForASpread() {
        DurationHistogram h = new DurationHistogram();
        long[] samplesNs = {500_000, 1_500_000, 3_000_000, 7_000_000, 15_000_000, 30_000_000, 70_000_000,
            150_000_000, 300_000_000, 700_000_000, 1_500_000_000, 3_000_000_000L, 9_000_000_000L};
        for (long ns : samplesNs) h.record(ns);
        Scrape s = scrape(h);
        long expected = 0;
        for (long cumulative : s.buckets().values()) {
            assertEquals(++expected, cumulative, "one sample per bucket, counted cumulatively");
        }
        assertEquals(samplesNs.length, s.count());
        assertEquals(h.count(), s.count());
    }

    @Test
    void shouldLoseNoObservationUnderConcurrentRecording() throws Exception {
        DurationHistogram h = new DurationHistogram();
        int threads = 4;
        int each = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) h.record(3_000_000); // le=0.005
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        Scrape s = scrape(h);
        assertEquals((long) threads * each, s.count());
        assertEquals(0, s.buckets().get("0.002"));
        assertEquals((long) threads * each, s.buckets().get("0.005"));
        assertEquals(3_000_000L * threads * each, h.sumNs());
    }
}
