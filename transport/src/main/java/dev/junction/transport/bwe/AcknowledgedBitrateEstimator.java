package dev.junction.transport.bwe;

/**
 * The rate at which the receiver got our packets: bytes reported received over the last 250 ms of their
 * arrival times (receiver clock). This is the incoming bitrate {@code R_hat} of draft-ietf-rmcat-gcc-02
 * §5.5, measured at the sender from feedback: the rate controller decreases to a fraction of it and caps
 * increases by it.
 *
 * <p>A sliding window over a preallocated ring of (arrival time, size); a packet that arrives more than a
 * window before the newest is ignored. The estimate needs at least 150 ms of arrivals; before that it is
 * unknown ({@code -1}).
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. No allocation.
 */
public final class AcknowledgedBitrateEstimator {

    static final long WINDOW_NS = 250_000_000;
    private static final long MIN_SPAN_NS = 150_000_000;

    private final long[] arrivalNs;
    private final int[] sizeBytes;
    private final int mask;
    private int head;
    private int tail;
    private long windowBytes;
    private boolean hasNewest;
    private long newestNs;

    public AcknowledgedBitrateEstimator(int capacity) {
        int size = Integer.highestOneBit(Math.max(16, capacity) - 1) << 1;
        arrivalNs = new long[size];
        sizeBytes = new int[size];
        mask = size - 1;
    }

    /** Adds one received packet. */
    public void onPacketReceived(long packetArrivalNs, int bytes) {
        if (hasNewest && newestNs - packetArrivalNs > WINDOW_NS) {
            return;
        }
        if (!hasNewest || packetArrivalNs - newestNs > 0) {
            hasNewest = true;
            newestNs = packetArrivalNs;
        }
        if (tail - head == arrivalNs.length) {
            dropHead();
        }
        arrivalNs[tail & mask] = packetArrivalNs;
        sizeBytes[tail & mask] = bytes;
        tail++;
        windowBytes += bytes;
        while (tail - head > 1 && newestNs - arrivalNs[head & mask] > WINDOW_NS) {
            dropHead();
        }
    }

    private void dropHead() {
        windowBytes -= sizeBytes[head & mask];
        head++;
    }

    /** The acknowledged bitrate, or -1 while fewer than 150 ms of arrivals are known. */
    public long bitrateBps() {
        if (tail - head < 2) {
            return -1;
        }
        long span = newestNs - arrivalNs[head & mask];
        if (span < MIN_SPAN_NS) {
            return -1;
        }
        // The first packet's bytes arrived before the span started.
        return (windowBytes - sizeBytes[head & mask]) * 8_000_000_000L / span;
    }
}
