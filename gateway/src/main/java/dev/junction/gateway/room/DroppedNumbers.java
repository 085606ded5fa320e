package dev.junction.gateway.room;

/**
 * The numbers a forwarder left out of a renumbered sequence (sequence numbers, VP8 picture ids), so what it forwards
 * stays continuous: every number dropped while it was the newest shifts the numbers after it down by one (the
 * caller lowers its offset), and a late number (reordered, or resent) is shifted by the drops newer than it instead,
 * which gives it the number it would have had in order. The inverse answers a NACK: which source number a sent
 * number was.
 *
 * <p>Numbers are serial (RFC 1982) in a space of {@code 2^bits}; the newest {@link #CAPACITY} drops are kept. A number
 * older than the oldest kept drop while some were forgotten cannot be placed: -1.
 *
 * <p>Threading: the owner's loop only. Allocates nothing after construction.
 */
final class DroppedNumbers {
    /** Drops remembered: over 1.5 s of a 30 fps stream's top temporal layer at 5 packets a frame. */
    static final int CAPACITY = 128;

    private final int[] ring = new int[CAPACITY];
    private int mask;
    private int half;
    /** Drops recorded since {@link #clear}. */
    private long total;

    DroppedNumbers(int bits) {
        space(bits);
    }

    /** Forgets every drop and numbers in a space of {@code 2^bits} from now on. */
    void clear(int bits) {
        space(bits);
        total = 0;
    }

    private void space(int bits) {
        mask = (1 << bits) - 1;
        half = 1 << (bits - 1);
    }

    boolean isEmpty() {
        return total == 0;
    }

    /** Records {@code n}, newer than every number recorded before, as dropped. */
    void add(int n) {
        ring[(int) (total++ & (CAPACITY - 1))] = n & mask;
    }

    /** Whether {@code a} is newer than {@code b} in this space. */
    boolean isNewer(int a, int b) {
        int d = (a - b) & mask;
        return d != 0 && d < half;
    }

    /** {@link #newerThan}'s answer for a number that was itself dropped. */
    static final int DROPPED = -3;

    /**
     * How many recorded drops are newer than {@code n} (0 for the newest number), {@link #DROPPED} when {@code n} is one
     * of them, or -1 when that is not known.
     */
    int newerThan(int n) {
        int count = 0;
        int m = n & mask;
        long oldest = Math.max(0, total - CAPACITY);
        for (long i = total - 1; i >= oldest; i--) {
            int d = ring[(int) (i & (CAPACITY - 1))];
            if (d == m) return DROPPED;
            if (!isNewer(d, m)) return count;
            count++;
        }
        return total > CAPACITY ? -1 : count;
    }

    /**
     * The source number that was sent as {@code candidate + drops newer than it}, given {@code candidate} (the sent
     * number minus the current offset), or -1 when it cannot be placed. Never a dropped number.
     */
    int original(int candidate) {
        int n = candidate & mask;
        long oldest = Math.max(0, total - CAPACITY);
        for (long i = total - 1; i >= oldest; i--) {
            int d = ring[(int) (i & (CAPACITY - 1))];
            if (isNewer(n, d)) return n;
            n = (n - 1) & mask; // d is at or above n: one more drop lies above the original
        }
        return total > CAPACITY ? -1 : n;
    }
}
