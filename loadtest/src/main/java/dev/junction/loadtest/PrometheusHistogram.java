package dev.junction.loadtest;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One histogram read from a Prometheus text exposition (format 0.0.4): the cumulative
 * {@code <name>_bucket{le="…"}} counts and the total ({@code le="+Inf"}, else {@code <name>_count}).
 * The load tool reads the server's {@code junction_session_setup_seconds} before the first join and after the
 * last one, and reports the bucket bounds holding the percentiles of the sessions set up in between.
 *
 * <p>The text comes from whatever server is under test, so parsing never throws: a line that does not parse
 * (bad label syntax, a {@code le} or value that is not a number, a negative or non-finite count) is ignored,
 * and series of the same histogram with other labels are summed per bound. Immutable; any thread.
 *
 * @param boundsS    bucket upper bounds in seconds, ascending, {@code +Inf} last when present
 * @param cumulative the cumulative count of each bound
 * @param count      sessions observed in total
 */
record PrometheusHistogram(double[] boundsS, long[] cumulative, long count) {

    /** What a target without the metric, or a fresh one that prints it only after its first sample, had. */
    static final PrometheusHistogram EMPTY = new PrometheusHistogram(new double[0], new long[0], 0);

    /** True when the exposition had bucket lines of this histogram. */
    boolean present() {
        return boundsS.length > 0;
    }

    /** {@code name}'s histogram from {@code text}, or {@link #EMPTY} when the text has no bucket line of it. */
    static PrometheusHistogram parse(String text, String name) {
        Map<Double, Long> buckets = new TreeMap<>();
        long countLine = -1;
        String bucket = name + "_bucket";
        String countName = name + "_count";
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            Sample sample = Sample.parse(line);
            if (sample == null) continue;
            if (sample.name.equals(bucket)) {
                double le = bound(sample.le);
                if (Double.isNaN(le)) continue;
                buckets.merge(le, sample.value, Long::sum);
            } else if (sample.name.equals(countName)) {
                countLine = Math.max(0, countLine) + sample.value;
            }
        }
        if (buckets.isEmpty()) return EMPTY;
        double[] bounds = new double[buckets.size()];
        long[] counts = new long[buckets.size()];
        int i = 0;
        for (Map.Entry<Double, Long> e : buckets.entrySet()) {
            bounds[i] = e.getKey();
            counts[i++] = e.getValue();
        }
        long total = bounds[bounds.length - 1] == Double.POSITIVE_INFINITY ? counts[counts.length - 1]
                : countLine >= 0 ? countLine : counts[counts.length - 1];
        return new PrometheusHistogram(bounds, counts, total);
    }

    /**
     * The sessions observed since {@code before} (same bounds; {@link #EMPTY} counts as all zero), or null when
     * the two cannot be compared: other bounds, or counts that went down (the server restarted in between).
     */
    PrometheusHistogram since(PrometheusHistogram before) {
        long[] delta = new long[cumulative.length];
        for (int i = 0; i < boundsS.length; i++) {
            long then = 0;
            if (before.present()) {
                int at = Arrays.binarySearch(before.boundsS, boundsS[i]);
                if (at < 0) return null;
                then = before.cumulative[at];
            }
            delta[i] = cumulative[i] - then;
            if (delta[i] < 0) return null;
        }
        long total = count - before.count;
        return total < 0 ? null : new PrometheusHistogram(boundsS, delta, total);
    }

    /**
     * The upper bound (seconds) of the first bucket holding the {@code q} quantile of the observations:
     * {@code +Inf} when it lies beyond the largest finite bound, NaN when nothing was observed.
     */
    double upperBoundS(double q) {
        if (count <= 0) return Double.NaN;
        long rank = Math.max(1, (long) Math.ceil(q * count));
        for (int i = 0; i < boundsS.length; i++) {
            if (cumulative[i] >= rank) return boundsS[i];
        }
        return Double.POSITIVE_INFINITY;
    }

    private static double bound(String le) {
        if (le == null) return Double.NaN;
        if (le.equals("+Inf") || le.equals("Inf")) return Double.POSITIVE_INFINITY;
        try {
            double v = Double.parseDouble(le);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** One sample line: {@code name{label="value",...} value [timestamp]}; only the {@code le} label is kept. */
    private record Sample(String name, String le, long value) {

        /** The sample, or null for anything malformed (the caller ignores the line). */
        static Sample parse(String line) {
            int i = 0;
            int n = line.length();
            while (i < n && isNameChar(line.charAt(i), i == 0)) i++;
            if (i == 0) return null;
            String name = line.substring(0, i);
            String le = null;
            if (i < n && line.charAt(i) == '{') {
                i++;
                while (true) {
                    while (i < n && line.charAt(i) == ' ') i++;
                    if (i < n && line.charAt(i) == '}') {
                        i++;
                        break;
                    }
                    int start = i;
                    while (i < n && isNameChar(line.charAt(i), i == start)) i++;
                    if (i == start || i + 1 >= n || line.charAt(i) != '=' || line.charAt(i + 1) != '"') return null;
                    String label = line.substring(start, i);
                    i += 2;
                    StringBuilder value = new StringBuilder();
                    while (i < n && line.charAt(i) != '"') {
                        char c = line.charAt(i++);
                        if (c == '\\') {
                            if (i >= n) return null;
                            char e = line.charAt(i++);
                            value.append(e == 'n' ? '\n' : e);
                        } else {
                            value.append(c);
                        }
                    }
                    if (i >= n) return null; // unterminated label value
                    i++;
                    if (label.equals("le")) le = value.toString();
                    while (i < n && line.charAt(i) == ' ') i++;
                    if (i < n && line.charAt(i) == ',') i++;
                    else if (i >= n || line.charAt(i) != '}') return null;
                }
            }
            if (i >= n || line.charAt(i) != ' ' && line.charAt(i) != '\t') return null;
            String[] rest = line.substring(i).strip().split("[ \t]+");
            if (rest.length < 1 || rest.length > 2) return null; // value and an optional timestamp
            double value;
            try {
                value = Double.parseDouble(rest[0]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (!Double.isFinite(value) || value < 0 || value > Long.MAX_VALUE / 4) return null;
            return new Sample(name, le, Math.round(value));
        }

        private static boolean isNameChar(char c, boolean first) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
        }
    }
}
