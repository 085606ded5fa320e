package dev.junction.transport;

import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The budget for STUN that no authorized path vouches for (issue 12 defect 2). Anyone may POST an offer and so
 * learn a ufrag; a check forged with it costs an HMAC and a 401 sent back to whatever source it claims. So every
 * STUN message that does not arrive on a path already authorized for its session is admitted against three token
 * buckets before any crypto runs: its session's (by ufrag), its source address's, and the loop's. Past any of
 * them it is dropped unanswered and counted under the bucket that refused it. Checks on a session's authorized
 * path (consent, RFC 7675) never touch a bucket, so a flood cannot starve a connected session.
 *
 * <p>Each bucket is one {@code long}: the GCRA theoretical arrival time (ITU-T I.371), so a bucket takes no clock
 * reads, no division and no allocation per message. Source buckets are a fixed table indexed by a seeded hash of
 * the address: bounded memory whatever the number of sources; a collision shares a bucket, and the seed keeps an
 * attacker from choosing addresses that collide with a victim's.
 *
 * <p>Threading: owned by one demux's loop.
 */
public final class StunRateLimiter {

    /**
     * Rates (messages per second) and bursts of the three buckets.
     *
     * @param perSessionPerSecond unauthenticated STUN to one session: a browser's connectivity checks run at a
     *                            pacing of 50 ms per pair plus retransmissions, far below this
     * @param perSourcePerSecond  from one source address (clients behind one NAT address share it)
     * @param perLoopPerSecond    over the whole loop: bounds the HMAC work a flood over many ufrags can cost
     */
    public record Limits(int perSessionPerSecond, int perSessionBurst, int perSourcePerSecond, int perSourceBurst,
            int perLoopPerSecond, int perLoopBurst) {

        /**
         * At ~5.2 µs per refused check (HMAC + 401), a flood costs a loop at most about 5% of a core. One source
         * gets enough for a few hundred clients behind one NAT address joining at once (a few checks each).
         */
        public static final Limits DEFAULT = new Limits(100, 200, 1_000, 2_000, 10_000, 10_000);

        public Limits {
            if (perSessionPerSecond < 1 || perSessionBurst < 1 || perSourcePerSecond < 1 || perSourceBurst < 1
                    || perLoopPerSecond < 1 || perLoopBurst < 1) {
                throw new IllegalArgumentException("STUN rate limits must be positive: " + this);
            }
        }
    }

    /** One session's bucket, created with its ufrag's registration. */
    public static final class Bucket {
        private long tatNs;
    }

    /** Source buckets: a power of two. */
    static final int SOURCE_SLOTS = 4096;

    // Passed by argument.
    private final long sessionIntervalNs;
    private final long sessionToleranceNs;
    private final long sourceIntervalNs;
    private final long sourceToleranceNs;
    private final long loopIntervalNs;
    private final long loopToleranceNs;

    // Allocated by this.
    private final long[] sourceTatNs = new long[SOURCE_SLOTS];
    private final int seed;
    private long loopTatNs;

    public StunRateLimiter(Limits limits) {
        this(limits, ThreadLocalRandom.current().nextInt());
    }

    /** Tests: a known hash seed, so which sources share a bucket is fixed. */
    StunRateLimiter(Limits limits, int seed) {
        this.seed = seed;
        sessionIntervalNs = 1_000_000_000L / limits.perSessionPerSecond();
        sessionToleranceNs = sessionIntervalNs * (limits.perSessionBurst() - 1);
        sourceIntervalNs = 1_000_000_000L / limits.perSourcePerSecond();
        sourceToleranceNs = sourceIntervalNs * (limits.perSourceBurst() - 1);
        loopIntervalNs = 1_000_000_000L / limits.perLoopPerSecond();
        loopToleranceNs = loopIntervalNs * (limits.perLoopBurst() - 1);
    }

    /**
     * Takes one message from {@code session}'s bucket (null: the message names no session, e.g. a response),
     * {@code source}'s and the loop's, or from none: the first that is empty is returned as the drop reason
     * (null: admitted).
     */
    public DropReason admit(Bucket session, InetAddress source, long nowNs) {
        long sessionTat = 0;
        if (session != null) {
            sessionTat = from(session.tatNs, nowNs, sessionToleranceNs + sessionIntervalNs);
            if (sessionTat - nowNs > sessionToleranceNs) return DropReason.STUN_OVER_SESSION_LIMIT;
        }
        int slot = slot(source);
        long sourceTat = from(sourceTatNs[slot], nowNs, sourceToleranceNs + sourceIntervalNs);
        if (sourceTat - nowNs > sourceToleranceNs) return DropReason.STUN_OVER_SOURCE_LIMIT;
        long loopTat = from(loopTatNs, nowNs, loopToleranceNs + loopIntervalNs);
        if (loopTat - nowNs > loopToleranceNs) return DropReason.STUN_OVER_LOOP_LIMIT;
        if (session != null) session.tatNs = sessionTat + sessionIntervalNs;
        sourceTatNs[slot] = sourceTat + sourceIntervalNs;
        loopTatNs = loopTat + loopIntervalNs;
        return null;
    }

    /**
     * The arrival time to count a bucket from: its own while it is ahead of now by no more than it can be
     * ({@code horizonNs}: the tolerance plus one interval); a past one, or a never-used one (0), counts from now.
     * Differences only, so {@code System.nanoTime()}'s arbitrary origin and wrap-around do not matter.
     */
    private static long from(long tatNs, long nowNs, long horizonNs) {
        long aheadNs = tatNs - nowNs;
        return aheadNs < 0 || aheadNs > horizonNs ? nowNs : tatNs;
    }

    private int slot(InetAddress source) {
        // Inet4Address: the address itself; Inet6Address: a hash of its bytes. Neither allocates.
        int h = (source.hashCode() ^ seed) * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (SOURCE_SLOTS - 1);
    }
}
