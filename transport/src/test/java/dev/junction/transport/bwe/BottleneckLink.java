package dev.junction.transport.bwe;

import java.util.Random;

/**
 * The simulated bottleneck: a FIFO queue with a byte limit (tail drop) in front of a link of a given rate
 * (changeable over time), then a one-way propagation delay and random loss on the wire, all on the
 * simulator's fake clock.
 *
 * <p>A packet's departure is fixed when it is queued: it starts service when the previous packet has left
 * and takes {@code size / rate} at the rate in force then. A rate change therefore applies to packets
 * queued after it, which on a step of a link whose queue holds a few tens of milliseconds is close enough.
 *
 * <p>Every packet of every flow (and cross traffic) shares the queue; the queueing delay of each packet
 * of flow 0.. is recorded for the figures.
 */
final class BottleneckLink {

    /** Returned by {@link #enqueue} for a packet dropped at the tail or lost on the wire. */
    static final long DROPPED = Long.MIN_VALUE;

    private final long queueLimitBytes;
    private long propagationDelayNs;
    private final double lossRate;
    private final Random random;

    private long rateBps;

    // Packets in the queue or in service: departure time and size, as a ring.
    private final long[] departureNs = new long[1 << 16];
    private final int[] sizeBytes = new int[1 << 16];
    private int head;
    private int tail;
    private long queuedBytes;
    private long lastDepartureNs = Long.MIN_VALUE;

    private long tailDrops;
    private long wireLosses;
    private long deliveredBytes;

    BottleneckLink(long rateBps, long queueLimitBytes, long propagationDelayNs, double lossRate, long seed) {
        this.rateBps = rateBps;
        this.queueLimitBytes = queueLimitBytes;
        this.propagationDelayNs = propagationDelayNs;
        this.lossRate = lossRate;
        this.random = new Random(seed);
    }

    void setRateBps(long bps) {
        rateBps = bps;
    }

    long rateBps() {
        return rateBps;
    }

    /** A longer (or shorter) route from now on; packets already on the wire keep theirs. */
    void setPropagationDelayNs(long ns) {
        propagationDelayNs = ns;
    }

    long propagationDelayNs() {
        return propagationDelayNs;
    }

    private void drain(long nowNs) {
        while (head != tail && departureNs[head & 0xFFFF] <= nowNs) {
            queuedBytes -= sizeBytes[head & 0xFFFF];
            head++;
        }
    }

    /** Bytes waiting or in service at {@code nowNs}. */
    long queuedBytes(long nowNs) {
        drain(nowNs);
        return queuedBytes;
    }

    /** How long a packet queued now would wait before its service starts. */
    long queueDelayNs(long nowNs) {
        return Math.max(0, lastDepartureNs - nowNs);
    }

    /**
     * Queues a packet at {@code nowNs}.
     *
     * @return its arrival time at the far end, or {@link #DROPPED}
     */
    long enqueue(long nowNs, int size) {
        drain(nowNs);
        if (queuedBytes + size > queueLimitBytes || tail - head == departureNs.length) {
            tailDrops++;
            return DROPPED;
        }
        long start = Math.max(nowNs, lastDepartureNs);
        long departure = start + size * 8_000_000_000L / rateBps;
        lastDepartureNs = departure;
        departureNs[tail & 0xFFFF] = departure;
        sizeBytes[tail & 0xFFFF] = size;
        tail++;
        queuedBytes += size;
        if (lossRate > 0 && random.nextDouble() < lossRate) {
            wireLosses++;
            return DROPPED;
        }
        deliveredBytes += size;
        return departure + propagationDelayNs;
    }

    long tailDrops() {
        return tailDrops;
    }

    long wireLosses() {
        return wireLosses;
    }

    long deliveredBytes() {
        return deliveredBytes;
    }
}
