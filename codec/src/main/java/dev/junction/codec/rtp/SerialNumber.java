package dev.junction.codec.rtp;

/**
 * Wrap-aware arithmetic for RTP's 16-bit sequence numbers and 32-bit timestamps (serial number
 * arithmetic in the sense of RFC 1982), and their extension to 64 bits.
 *
 * <p>Every comparison of a sequence number or timestamp in Junction goes through this class, so the
 * half-range convention is decided once: {@code a} is newer than {@code b} when the forward distance
 * from {@code b} to {@code a} is less than half the number space. At exactly half the space the
 * direction is ambiguous (RFC 1982 §3.2 leaves it undefined); we break the tie towards the larger raw
 * value, as libwebrtc does, so that {@code isNewer(a, b)} and {@code isNewer(b, a)} are never both true.
 *
 * <p>Extension ("unwrapping", RFC 3550 Appendix A.1) maps a 16-bit value onto the 64-bit line by
 * choosing the candidate closest to the highest value seen so far. The rollover count (RFC 3550's
 * {@code cycles >> 16}) is then {@code extended >> 16}; it is negative only for a packet from before the
 * stream's first sequence number that arrives late across a wrap.
 *
 * <p>The static methods are pure. {@link Unwrapper} keeps the single {@code long} of state per stream;
 * it is not thread-safe and belongs to the stream's owner (the room's event loop).
 */
public final class SerialNumber {

    private static final int SEQ_HALF = 1 << 15;
    private static final long TS_HALF = 1L << 31;

    private SerialNumber() {
    }

    /** Whether 16-bit sequence number {@code a} comes after {@code b}; both are taken modulo 2^16. */
    public static boolean isNewer16(int a, int b) {
        int forward = (a - b) & 0xFFFF;
        if (forward == SEQ_HALF) {
            return (a & 0xFFFF) > (b & 0xFFFF);
        }
        return forward != 0 && forward < SEQ_HALF;
    }

    /**
     * Signed distance {@code a - b} between two 16-bit sequence numbers, in [-32768, 32768]: positive
     * exactly when {@code a} is newer. At the ambiguous half-range distance the sign follows
     * {@link #isNewer16}, which is why +32768 is possible.
     */
    public static int diff16(int a, int b) {
        int forward = (a - b) & 0xFFFF;
        if (forward == SEQ_HALF) {
            return (a & 0xFFFF) > (b & 0xFFFF) ? SEQ_HALF : -SEQ_HALF;
        }
        return (short) forward;
    }

    /** Whether 32-bit timestamp {@code a} comes after {@code b}; both are taken modulo 2^32. */
    public static boolean isNewer32(long a, long b) {
        long forward = (a - b) & 0xFFFF_FFFFL;
        if (forward == TS_HALF) {
            return (a & 0xFFFF_FFFFL) > (b & 0xFFFF_FFFFL);
        }
        return forward != 0 && forward < TS_HALF;
    }

    /**
     * Signed distance {@code a - b} between two 32-bit timestamps, in [-2^31, 2^31]: positive exactly
     * when {@code a} is newer. Returned as a {@code long} so the tie at half range keeps its sign.
     */
    public static long diff32(long a, long b) {
        long forward = (a - b) & 0xFFFF_FFFFL;
        if (forward == TS_HALF) {
            return (a & 0xFFFF_FFFFL) > (b & 0xFFFF_FFFFL) ? TS_HALF : -TS_HALF;
        }
        return (int) forward;
    }

    /**
     * Extends 16-bit {@code seq} to the 64-bit value closest to {@code reference} (typically the highest
     * extended sequence number seen so far). Old packets that arrive after a rollover land in the
     * previous cycle; new ones in the same or the next cycle.
     */
    public static long unwrap16(long reference, int seq) {
        return reference + diff16(seq, (int) reference);
    }

    /** Extends 32-bit timestamp {@code ts} to the 64-bit value closest to {@code reference}. */
    public static long unwrap32(long reference, long ts) {
        return reference + diff32(ts, reference);
    }

    /** The number of 2^16 rollovers in an extended sequence number (RFC 3550 {@code cycles}). */
    public static long rollovers16(long extended) {
        return extended >> 16;
    }

    /** The number of 2^32 rollovers in an extended timestamp. */
    public static long rollovers32(long extended) {
        return extended >> 32;
    }

    /**
     * Per-stream extender of 16-bit sequence numbers to 64 bits: remembers the highest extended value
     * seen and places each new value in the cycle that keeps it closest to that.
     *
     * <p>Not thread-safe: one instance per RTP stream, used by the stream's owner only.
     */
    public static final class Unwrapper {

        private long highest;
        private boolean started;

        /** Extends {@code seq} and, when it is the newest so far, advances the highest value. */
        public long unwrap(int seq) {
            if (!started) {
                started = true;
                highest = seq & 0xFFFF;
                return highest;
            }
            long extended = unwrap16(highest, seq);
            if (extended > highest) {
                highest = extended;
            }
            return extended;
        }

        /** The highest extended sequence number seen, or -1 before the first packet. */
        public long highest() {
            return started ? highest : -1;
        }

        /** How many times the sequence number has wrapped past 65535 (RFC 3550 {@code cycles >> 16}). */
        public long rolloverCount() {
            return started ? rollovers16(highest) : 0;
        }

        /** Forgets the stream, e.g. after an SSRC change. */
        public void reset() {
            started = false;
            highest = 0;
        }
    }
}
