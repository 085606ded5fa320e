package dev.junction.transport.turn;

/**
 * A byte budget per allocation (issue 10: bandwidth per allocation): {@code rateBytesPerSecond} refills a
 * bucket of {@code burstBytes}. Time is passed in; refills keep the fraction of a byte they could not add yet,
 * so many small steps add up to the same as one big one. Owned by one allocation, on the core's thread.
 */
final class TokenBucket {

    private static final long NS_PER_SECOND = 1_000_000_000L;

    // Passed by argument.
    private final long rateBytesPerSecond;
    private final long burstBytes;

    // State.
    private long tokens;
    private long lastRefillNs;

    /** A full bucket; a rate of 0 means unlimited. */
    TokenBucket(long rateBytesPerSecond, long burstBytes, long nowNs) {
        if (rateBytesPerSecond < 0 || rateBytesPerSecond > 1_000_000_000L || burstBytes < 0) {
            throw new IllegalArgumentException("rate 0..1e9 bytes/s and a non-negative burst: " + rateBytesPerSecond + ", " + burstBytes);
        }
        this.rateBytesPerSecond = rateBytesPerSecond;
        this.burstBytes = burstBytes;
        this.tokens = burstBytes;
        this.lastRefillNs = nowNs;
    }

    /** Takes {@code bytes} from the bucket if it holds them; false (and nothing taken) when over budget. */
    boolean tryConsume(int bytes, long nowNs) {
        if (rateBytesPerSecond == 0) {
            return true;
        }
        refill(nowNs);
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }

    private void refill(long nowNs) {
        long elapsedNs = nowNs - lastRefillNs;
        if (elapsedNs <= 0) {
            return;
        }
        if (tokens >= burstBytes) {
            lastRefillNs = nowNs; // a full bucket saves no time up
            return;
        }
        if (elapsedNs >= NS_PER_SECOND * 8) {
            long seconds = elapsedNs / NS_PER_SECOND;
            long add = seconds > burstBytes / rateBytesPerSecond ? burstBytes : seconds * rateBytesPerSecond;
            tokens = Math.min(burstBytes, tokens + add);
            lastRefillNs = nowNs;
            return;
        }
        long added = elapsedNs * rateBytesPerSecond / NS_PER_SECOND; // < 8e18: no overflow
        if (added == 0) {
            return; // keep accumulating time
        }
        tokens = Math.min(burstBytes, tokens + added);
        lastRefillNs += added * NS_PER_SECOND / rateBytesPerSecond;
    }
}
