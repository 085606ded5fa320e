package dev.junction.gateway.session;

import java.util.List;

/**
 * The dashboard's history: the last {@code capacity} samples of a fixed set of named series, one row per sample
 * time. Values are doubles; NaN means unknown and is written as JSON null (a gap in the plot).
 *
 * <p>Threading: any thread; one lock (a sample a second, a read per dashboard poll).
 */
final class SeriesRing {
    private final List<String> names;
    private final long[] timesMs;
    private final double[][] rows;
    private int next;
    private int size;

    SeriesRing(List<String> names, int capacity) {
        this.names = List.copyOf(names);
        this.timesMs = new long[capacity];
        this.rows = new double[capacity][];
    }

    List<String> names() {
        return names;
    }

    /** Appends one sample taken at {@code timeMs} (Unix ms), one value per name; the oldest falls out when full. */
    synchronized void add(long timeMs, double[] values) {
        if (values.length != names.size()) {
            throw new IllegalArgumentException(values.length + " values for " + names.size() + " series");
        }
        timesMs[next] = timeMs;
        rows[next] = values.clone();
        next = (next + 1) % timesMs.length;
        size = Math.min(size + 1, timesMs.length);
    }

    synchronized int size() {
        return size;
    }

    /**
     * The samples taken after {@code sinceMs} as {@code {"interval_ms":…,"names":[…],"t":[…],"data":[[…],…]}}:
     * times in Unix seconds (what uPlot plots), one data array per name.
     */
    synchronized String json(long sinceMs, long intervalMs) {
        int first = 0;
        int oldest = (next - size + timesMs.length) % timesMs.length;
        while (first < size && timesMs[(oldest + first) % timesMs.length] <= sinceMs) first++;
        StringBuilder out = new StringBuilder(64 + (size - first) * (names.size() + 1) * 8);
        out.append("{\"interval_ms\":").append(intervalMs).append(",\"names\":[");
        for (int c = 0; c < names.size(); c++) {
            if (c > 0) out.append(',');
            out.append('"').append(names.get(c)).append('"');
        }
        out.append("],\"t\":[");
        for (int i = first; i < size; i++) {
            if (i > first) out.append(',');
            long t = timesMs[(oldest + i) % timesMs.length];
            long ms = t % 1000;
            out.append(t / 1000).append('.').append(ms < 100 ? (ms < 10 ? "00" : "0") : "").append(ms);
        }
        out.append("],\"data\":[");
        for (int c = 0; c < names.size(); c++) {
            if (c > 0) out.append(',');
            out.append('[');
            for (int i = first; i < size; i++) {
                if (i > first) out.append(',');
                number(out, rows[(oldest + i) % timesMs.length][c]);
            }
            out.append(']');
        }
        return out.append("]}").toString();
    }

    /** At most three decimals (a plot needs no more), integers without any, NaN and infinities as null. */
    private static void number(StringBuilder out, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.append("null");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            out.append((long) v);
        } else {
            out.append(Math.round(v * 1000) / 1000.0);
        }
    }
}
