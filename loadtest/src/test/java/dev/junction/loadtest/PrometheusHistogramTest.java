package dev.junction.loadtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading the server's setup histogram from /metrics text, and the percentiles the load tool reports from it. */
class PrometheusHistogramTest {

    private static final String NAME = LoadTest.SETUP_METRIC;

    /** Junction's bounds (seconds) with the given cumulative counts, +Inf last. */
    private static String exposition(long... cumulative) {
        String[] le = {"0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "5", "+Inf"};
        StringBuilder text = new StringBuilder("# HELP " + NAME + " WHIP/WHEP POST to SRTP flowing\n# TYPE " + NAME + " histogram\n");
        for (int i = 0; i < le.length; i++) text.append(NAME).append("_bucket{le=\"").append(le[i]).append("\"} ").append(cumulative[i]).append('\n');
        return text.append(NAME).append("_sum 0.5\n").append(NAME).append("_count ").append(cumulative[le.length - 1]).append('\n').toString();
    }

    @Test
    void shouldReadCumulativeBucketsAndTheirTotal() {
        PrometheusHistogram h = PrometheusHistogram.parse(exposition(0, 2, 12, 18, 20, 20, 20, 20, 20, 20, 20, 20, 20), NAME);
        assertTrue(h.present());
        assertEquals(13, h.boundsS().length);
        assertEquals(0.005, h.boundsS()[2]);
        assertEquals(Double.POSITIVE_INFINITY, h.boundsS()[12]);
        assertEquals(12, h.cumulative()[2]);
        assertEquals(20, h.count());
        // p50: rank 10 of 20 lies in (2 ms, 5 ms]; p99: rank 20 in (10 ms, 20 ms].
        assertEquals(0.005, h.upperBoundS(0.50));
        assertEquals(0.02, h.upperBoundS(0.99));
        assertEquals(0.002, h.upperBoundS(0.05)); // rank 1
    }

    @Test
    void shouldIgnoreMalformedLinesAndOtherMetrics() {
        String text = """
                # TYPE junction_session_setup_seconds histogram
                junction_session_setup_seconds_bucket{le="0.001"} 0
                junction_session_setup_seconds_bucket{le="0.005"} 4 1700000000000
                junction_session_setup_seconds_bucket{le="0.01"} ten
                junction_session_setup_seconds_bucket{le="fast"} 9
                junction_session_setup_seconds_bucket{le="0.02" 9
                junction_session_setup_seconds_bucket{le="0.05} 9
                junction_session_setup_seconds_bucket{le=0.1} 9
                junction_session_setup_seconds_bucket{le="0.2"} -3
                junction_session_setup_seconds_bucket{le="0.5"} NaN
                junction_session_setup_seconds_bucket{le="1"}
                junction_session_setup_seconds_bucket{le="2"} 1 2 3
                junction_session_setup_seconds_bucket 7
                junction_session_setup_seconds_bucketx{le="0.002"} 100
                junction_session_setup_seconds_bucket{le="0.002"}100
                other_seconds_bucket{le="0.002"} 100
                {le="0.002"} 100
                \u0000\u00ff garbage ="} {
                junction_session_setup_seconds_bucket{le="+Inf"} 8
                junction_session_setup_seconds_count 8
                """;
        PrometheusHistogram h = PrometheusHistogram.parse(text, NAME);
        assertArrayEquals(new double[] {0.001, 0.005, Double.POSITIVE_INFINITY}, h.boundsS());
        assertArrayEquals(new long[] {0, 4, 8}, h.cumulative());
        assertEquals(8, h.count());
        assertEquals(0.005, h.upperBoundS(0.5));
        assertEquals(Double.POSITIVE_INFINITY, h.upperBoundS(0.99)); // ranks 5-8 are beyond the largest finite bound
    }

    @Test
    void shouldSumSeriesWithOtherLabelsAndKeepEscapedLabelValues() {
        String text = NAME + "_bucket{kind=\"whip\",le=\"0.005\"} 3\n"
                + NAME + "_bucket{le=\"0.005\",kind=\"wh\\\"ep}\",} 1\n"
                + NAME + "_bucket{kind=\"whip\",le=\"+Inf\"} 3\n"
                + NAME + "_bucket{ kind=\"whep\", le=\"+Inf\" } 2\n";
        PrometheusHistogram h = PrometheusHistogram.parse(text, NAME);
        assertArrayEquals(new long[] {4, 5}, h.cumulative());
        assertEquals(5, h.count());
    }

    @Test
    void shouldTakeTheTotalFromCountWhenThereIsNoInfBucket() {
        PrometheusHistogram h = PrometheusHistogram.parse(NAME + "_bucket{le=\"0.01\"} 3\n" + NAME + "_count 4\n", NAME);
        assertEquals(4, h.count());
        assertEquals(0.01, h.upperBoundS(0.5));
        assertEquals(Double.POSITIVE_INFINITY, h.upperBoundS(0.99));
    }

    @Test
    void shouldBeEmptyWithoutTheMetric() {
        assertSame(PrometheusHistogram.EMPTY, PrometheusHistogram.parse("", NAME));
        assertSame(PrometheusHistogram.EMPTY, PrometheusHistogram.parse("junction_http_responses_total{code=\"201\"} 4\n"
                + NAME + "_count 3\n" + NAME + "_sum 0.1\n", NAME));
        assertFalse(PrometheusHistogram.EMPTY.present());
        assertTrue(Double.isNaN(PrometheusHistogram.EMPTY.upperBoundS(0.5)));
    }

    @Test
    void shouldCountOnlyTheSessionsBetweenTwoReads() {
        PrometheusHistogram before = PrometheusHistogram.parse(exposition(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 100), NAME);
        PrometheusHistogram after = PrometheusHistogram.parse(exposition(0, 3, 9, 10, 10, 10, 10, 10, 10, 10, 10, 110, 110), NAME);
        // Alone, the old slow sessions dominate; between the reads all ten were within 10 ms.
        assertEquals(5.0, after.upperBoundS(0.5));
        PrometheusHistogram delta = after.since(before);
        assertEquals(10, delta.count());
        assertEquals(0.005, delta.upperBoundS(0.5));
        assertEquals(0.01, delta.upperBoundS(0.99));
        // A fresh server that prints the histogram only after its first session: before had none.
        assertEquals(110, after.since(PrometheusHistogram.EMPTY).count());
        // Restarted in between (counts went down) or other bounds: not comparable.
        assertNull(before.since(after));
        assertNull(after.since(PrometheusHistogram.parse(NAME + "_bucket{le=\"0.003\"} 0\n" + NAME + "_bucket{le=\"+Inf\"} 0\n", NAME)));
    }

    @Test
    void shouldReportBucketBoundsInMsOrNullWhenUnknown() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream warnings = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrometheusHistogram before = PrometheusHistogram.parse(exposition(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), NAME);
        PrometheusHistogram after = PrometheusHistogram.parse(exposition(1, 5, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 100), NAME);
        double[] ms = LoadTest.setupPercentilesMs(LoadTest.SETUP_METRIC, before, after, warnings);
        assertEquals(5.0, ms[0]);
        assertEquals(5.0, ms[1], "p99 of 100 is the 99th session, within 5 ms; only the 100th is beyond");
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        after = PrometheusHistogram.parse(exposition(1, 5, 98, 98, 98, 98, 98, 98, 98, 98, 98, 98, 100), NAME);
        ms = LoadTest.setupPercentilesMs(LoadTest.SETUP_METRIC, before, after, warnings);
        assertTrue(Double.isNaN(ms[1]), "the 99th session is in +Inf: null");
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("server setup p99 is beyond " + NAME + "'s largest bucket (+Inf)"), out.toString());
        // No metric on the target, /metrics unreachable, or no session in between: null, and no warning.
        out.reset();
        assertTrue(Double.isNaN(LoadTest.setupPercentilesMs(LoadTest.SETUP_METRIC, PrometheusHistogram.EMPTY, PrometheusHistogram.EMPTY, warnings)[0]));
        assertTrue(Double.isNaN(LoadTest.setupPercentilesMs(LoadTest.SETUP_METRIC, null, after, warnings)[0]));
        assertTrue(Double.isNaN(LoadTest.setupPercentilesMs(LoadTest.SETUP_METRIC, before, null, warnings)[1]));
        assertTrue(Double.isNaN(LoadTest.setupPercentilesMs(LoadTest.SETUP_METRIC, after, after, warnings)[0]));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
