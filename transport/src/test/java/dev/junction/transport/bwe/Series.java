package dev.junction.transport.bwe;

import java.util.Arrays;

/** A time series recorded by the simulator (fake time in ns), with the statistics the scenarios assert. */
final class Series {

    private long[] times = new long[1024];
    private double[] values = new double[1024];
    private int size;

    void add(long timeNs, double value) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        times[size] = timeNs;
        values[size] = value;
        size++;
    }

    /** First time in [fromNs, ∞) at which the value is at least {@code threshold}; -1 if never. */
    long firstAtLeast(long fromNs, double threshold) {
        for (int i = 0; i < size; i++) {
            if (times[i] >= fromNs && values[i] >= threshold) {
                return times[i];
            }
        }
        return -1;
    }

    /** First time in [fromNs, ∞) at which the value is at most {@code threshold}; -1 if never. */
    long firstAtMost(long fromNs, double threshold) {
        for (int i = 0; i < size; i++) {
            if (times[i] >= fromNs && values[i] <= threshold) {
                return times[i];
            }
        }
        return -1;
    }

    /** Last time in [fromNs, toNs) at which the value is above {@code threshold}; -1 if none. */
    long lastAbove(long fromNs, long toNs, double threshold) {
        long last = -1;
        for (int i = 0; i < size; i++) {
            if (times[i] >= fromNs && times[i] < toNs && values[i] > threshold) {
                last = times[i];
            }
        }
        return last;
    }

    private double[] window(long fromNs, long toNs) {
        double[] out = new double[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (times[i] >= fromNs && times[i] < toNs) {
                out[n++] = values[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    double mean(long fromNs, long toNs) {
        return Arrays.stream(window(fromNs, toNs)).average().orElse(Double.NaN);
    }

    double min(long fromNs, long toNs) {
        return Arrays.stream(window(fromNs, toNs)).min().orElse(Double.NaN);
    }

    double max(long fromNs, long toNs) {
        return Arrays.stream(window(fromNs, toNs)).max().orElse(Double.NaN);
    }

    double percentile(long fromNs, long toNs, double p) {
        double[] w = window(fromNs, toNs);
        if (w.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(w);
        return w[Math.min(w.length - 1, (int) Math.floor(p / 100 * w.length))];
    }
}
