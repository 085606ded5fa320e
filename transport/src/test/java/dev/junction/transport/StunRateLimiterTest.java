package dev.junction.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The three budgets of STUN that no authorized path vouches for, driven by a fake clock. */
class StunRateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    /** Session 10/s burst 5, source 100/s burst 20, loop 1000/s burst 50. */
    private static final StunRateLimiter.Limits SMALL = new StunRateLimiter.Limits(10, 5, 100, 20, 1_000, 50);

    @Test
    void shouldAdmitASessionsBurstThenItsRate() throws Exception {
        StunRateLimiter limiter = new StunRateLimiter(SMALL, 0);
        StunRateLimiter.Bucket session = new StunRateLimiter.Bucket();
        long now = 123_456_789L;
        for (int i = 0; i < 5; i++) assertNull(limiter.admit(session, ip("192.0.2.1"), now), "burst message " + i);
        assertEquals(DropReason.STUN_OVER_SESSION_LIMIT, limiter.admit(session, ip("192.0.2.1"), now));
        // 10/s: one more every 100 ms, and not before.
        assertEquals(DropReason.STUN_OVER_SESSION_LIMIT, limiter.admit(session, ip("192.0.2.1"), now + SECOND / 10 - 1));
        assertNull(limiter.admit(session, ip("192.0.2.1"), now + SECOND / 10));
        assertEquals(DropReason.STUN_OVER_SESSION_LIMIT, limiter.admit(session, ip("192.0.2.1"), now + SECOND / 10));
        // Idle for long, the bucket is full again, but no fuller than its burst.
        long later = now + 60 * SECOND;
        for (int i = 0; i < 5; i++) assertNull(limiter.admit(session, ip("192.0.2.1"), later));
        assertEquals(DropReason.STUN_OVER_SESSION_LIMIT, limiter.admit(session, ip("192.0.2.1"), later));
    }

    @Test
    void shouldLimitOneSourceOverManySessions() throws Exception {
        StunRateLimiter limiter = new StunRateLimiter(SMALL, 0);
        long now = 5 * SECOND;
        // One source sprays 20 sessions' ufrags, each within its own budget: the source's budget ends it.
        for (int i = 0; i < 20; i++) assertNull(limiter.admit(new StunRateLimiter.Bucket(), ip("198.51.100.7"), now));
        assertEquals(DropReason.STUN_OVER_SOURCE_LIMIT, limiter.admit(new StunRateLimiter.Bucket(), ip("198.51.100.7"), now));
        assertNull(limiter.admit(new StunRateLimiter.Bucket(), ip("198.51.100.8"), now), "another source has its own budget");
        assertNull(limiter.admit(new StunRateLimiter.Bucket(), ip("198.51.100.7"), now + SECOND / 100), "100/s refills");
    }

    @Test
    void shouldLimitTheLoopOverManySources() throws Exception {
        StunRateLimiter limiter = new StunRateLimiter(SMALL, 0);
        long now = -7 * SECOND; // System.nanoTime() may be negative
        for (int i = 0; i < 50; i++) assertNull(limiter.admit(new StunRateLimiter.Bucket(), ip("10.0.0." + i), now), "source " + i);
        assertEquals(DropReason.STUN_OVER_LOOP_LIMIT, limiter.admit(new StunRateLimiter.Bucket(), ip("10.0.1.1"), now));
        assertNull(limiter.admit(new StunRateLimiter.Bucket(), ip("10.0.1.1"), now + SECOND / 1000));
    }

    @Test
    void shouldSpendNothingFromTheOtherBucketsWhenOneRefuses() throws Exception {
        StunRateLimiter limiter = new StunRateLimiter(SMALL, 0);
        StunRateLimiter.Bucket flooded = new StunRateLimiter.Bucket();
        long now = 0;
        // A flood at one session: 5 admitted, then 10,000 refused by the session budget alone ...
        for (int i = 0; i < 10_005; i++) limiter.admit(flooded, ip("203.0.113.9"), now);
        // ... which spent 5 of the source's 20 and 5 of the loop's 50: the same source reaches another session.
        for (int i = 0; i < 15; i++) assertNull(limiter.admit(new StunRateLimiter.Bucket(), ip("203.0.113.9"), now), "message " + i);
        assertEquals(DropReason.STUN_OVER_SOURCE_LIMIT, limiter.admit(new StunRateLimiter.Bucket(), ip("203.0.113.9"), now));
    }

    @Test
    void shouldKeepIpv6SourcesApart() throws Exception {
        StunRateLimiter limiter = new StunRateLimiter(SMALL, 0);
        for (int i = 0; i < 20; i++) assertNull(limiter.admit(null, ip("2001:db8::1"), 0));
        assertEquals(DropReason.STUN_OVER_SOURCE_LIMIT, limiter.admit(null, ip("2001:db8::1"), 0));
        assertNull(limiter.admit(null, ip("2001:db8::2"), 0));
    }

    @Test
    void shouldRefuseNonPositiveLimits() {
        assertThrows(IllegalArgumentException.class, () -> new StunRateLimiter.Limits(0, 1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new StunRateLimiter.Limits(1, 1, 1, 1, 1, -1));
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }
}
