package dev.junction.transport.bwe;

/**
 * A non-responsive sender sharing the bottleneck: 1200-byte packets at a constant rate, optionally only
 * during the "on" part of an on/off cycle. It does not react to congestion, so whatever it sends the
 * estimator's flow must leave room for.
 */
final class CrossTraffic {

    private static final int PACKET_BYTES = 1200;

    private final BottleneckLink link;
    private final long rateBps;
    private final long onNs;
    private final long offNs;
    private final long startNs;
    private long nextSendNs;

    /** Constant rate from {@code startNs}. */
    CrossTraffic(BottleneckLink link, long rateBps, long startNs) {
        this(link, rateBps, startNs, Long.MAX_VALUE / 4, 0);
    }

    /** On for {@code onNs}, off for {@code offNs}, repeating, from {@code startNs}. */
    CrossTraffic(BottleneckLink link, long rateBps, long startNs, long onNs, long offNs) {
        this.link = link;
        this.rateBps = rateBps;
        this.startNs = startNs;
        this.onNs = onNs;
        this.offNs = offNs;
        this.nextSendNs = startNs;
    }

    boolean isOn(long nowNs) {
        if (nowNs < startNs) {
            return false;
        }
        return (nowNs - startNs) % (onNs + offNs) < onNs;
    }

    void step(long nowNs) {
        long interval = PACKET_BYTES * 8_000_000_000L / rateBps;
        while (nextSendNs <= nowNs) {
            if (isOn(nextSendNs)) {
                link.enqueue(nextSendNs, PACKET_BYTES);
            }
            nextSendNs += interval;
        }
    }
}
