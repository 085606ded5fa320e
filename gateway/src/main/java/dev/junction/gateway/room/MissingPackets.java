package dev.junction.gateway.room;

import dev.junction.codec.rtp.SerialNumber;

/**
 * The sequence numbers missing from one incoming RTP stream (one simulcast layer of a video Producer),
 * and when to NACK each of them upstream (RFC 4585 §6.2.1, Generic NACK).
 *
 * <p>A forward jump of up to {@link #MAX_GAP} sequence numbers registers the skipped ones; a larger jump
 * is taken as a new source (an encoder restart) and forgets the list, as does a jump back by more than
 * {@link #MAX_BACKWARD}. The first NACK for a missing number waits {@link #FIRST_NACK_DELAY_NS}, so
 * packets that are only reordered are not requested; it is retried every {@link #RETRY_INTERVAL_NS}
 * (there is no RTT estimate yet) at most {@link #MAX_NACKS} times in all. A number leaves the list when
 * it arrives (as the original or as RTX) or when it is older than {@link #MAX_AGE_NS}, since the
 * subscribers' jitter buffers have given up on it by then.
 *
 * <p>Bounded: at most {@link #CAPACITY} numbers in fixed arrays, kept in ascending (wrap-aware) order
 * because they are only ever appended in that order; when full, the oldest are forgotten. Nothing is
 * allocated after construction.
 *
 * <p>Sans-IO: time comes in as {@code nowNs}. Threading: the room's event loop only.
 */
final class MissingPackets {
    /** Most sequence numbers tracked at once; also the most one NACK reports. */
    static final int CAPACITY = 128;
    /** Largest forward jump whose skipped numbers are taken as losses. */
    static final int MAX_GAP = 100;
    /** A jump back by more than this is a new source, not a late packet. */
    static final int MAX_BACKWARD = 1_000;
    /** Reordering window: a missing packet is NACKed only once it is missing for this long. */
    static final long FIRST_NACK_DELAY_NS = 15_000_000L;
    /** Spacing of the NACKs for one sequence number. */
    static final long RETRY_INTERVAL_NS = 100_000_000L;
    /** NACKs per sequence number, the first included. */
    static final int MAX_NACKS = 3;
    /** A missing number older than this is forgotten. */
    static final long MAX_AGE_NS = 1_000_000_000L;

    /** {@link #onPacket} results. */
    static final int NEW = 0;
    /** The packet was missing and had not been NACKed yet (reordered). */
    static final int LATE = 1;
    /** The packet was missing and had been NACKed: a recovery. */
    static final int RECOVERED = 2;
    /** An old packet that was not missing: a duplicate, or one already forgotten. */
    static final int NOT_MISSING = 3;

    private final int[] seqs = new int[CAPACITY];
    private final long[] missingSinceNs = new long[CAPACITY];
    private final long[] nextNackNs = new long[CAPACITY];
    private final int[] nacksSent = new int[CAPACITY];
    private int count;
    private boolean started;
    private int highest;
    /** Earliest time anything may be due; may be early (a stale value only causes an idle wake-up). */
    private long nextDueNs = Long.MAX_VALUE;

    /** Records the arrival of sequence number {@code seq} of the primary stream; see the result constants. */
    int onPacket(int seq, long nowNs) {
        seq &= 0xFFFF;
        if (!started) {
            started = true;
            highest = seq;
            return NEW;
        }
        int distance = SerialNumber.diff16(seq, highest);
        if (distance > 0) {
            if (distance - 1 > MAX_GAP) {
                count = 0;
            } else {
                for (int s = highest + 1; s != highest + distance; s++) {
                    add(s & 0xFFFF, nowNs);
                }
            }
            highest = seq;
            return NEW;
        }
        if (distance < -MAX_BACKWARD) {
            count = 0;
            highest = seq;
            return NEW;
        }
        return distance == 0 ? NOT_MISSING : remove(seq);
    }

    /**
     * Takes an RTX answer for {@code seq}: whether it was missing (and is no longer); false for a number
     * that is not (or no longer) missing.
     */
    boolean recover(int seq) {
        return started && remove(seq & 0xFFFF) != NOT_MISSING;
    }

    private void add(int seq, long nowNs) {
        if (count == CAPACITY) {
            removeAt(0);
        }
        seqs[count] = seq;
        missingSinceNs[count] = nowNs;
        nextNackNs[count] = nowNs + FIRST_NACK_DELAY_NS;
        nacksSent[count] = 0;
        count++;
        nextDueNs = earlier(nextDueNs, nowNs + FIRST_NACK_DELAY_NS);
    }

    private int remove(int seq) {
        for (int i = 0; i < count; i++) {
            if (seqs[i] == seq) {
                int result = nacksSent[i] > 0 ? RECOVERED : LATE;
                removeAt(i);
                return result;
            }
        }
        return NOT_MISSING;
    }

    private void removeAt(int i) {
        int tail = count - i - 1;
        System.arraycopy(seqs, i + 1, seqs, i, tail);
        System.arraycopy(missingSinceNs, i + 1, missingSinceNs, i, tail);
        System.arraycopy(nextNackNs, i + 1, nextNackNs, i, tail);
        System.arraycopy(nacksSent, i + 1, nacksSent, i, tail);
        count--;
    }

    /** Forgets everything (the stream stopped being NACKable, e.g. a codec without {@code nack}). */
    void reset() {
        count = 0;
        started = false;
        nextDueNs = Long.MAX_VALUE;
    }

    /** Sequence numbers currently missing. */
    int count() {
        return count;
    }

    /** When the next NACK may be due, or {@link Long#MAX_VALUE}. */
    long nextTimeoutNs() {
        return nextDueNs;
    }

    /**
     * Forgets numbers older than {@link #MAX_AGE_NS}, then copies the numbers due for a NACK at
     * {@code nowNs} into {@code due} (ascending, at most {@code CAPACITY}) and counts the NACK for each.
     *
     * @return how many numbers were copied
     */
    int collectDue(long nowNs, int[] due) {
        int n = 0;
        long next = Long.MAX_VALUE;
        for (int i = 0; i < count; ) {
            if (nowNs - missingSinceNs[i] > MAX_AGE_NS) {
                removeAt(i);
                continue;
            }
            if (nacksSent[i] < MAX_NACKS) {
                if (nowNs - nextNackNs[i] >= 0) {
                    due[n++] = seqs[i];
                    nacksSent[i]++;
                    nextNackNs[i] = nowNs + RETRY_INTERVAL_NS;
                }
                if (nacksSent[i] < MAX_NACKS) {
                    next = earlier(next, nextNackNs[i]);
                }
            }
            // An entry NACKed for the last time stays (its answer is still welcome) until it ages out.
            next = earlier(next, missingSinceNs[i] + MAX_AGE_NS + 1);
            i++;
        }
        nextDueNs = next;
        return n;
    }

    private static long earlier(long a, long b) {
        if (a == Long.MAX_VALUE) {
            return b;
        }
        return b == Long.MAX_VALUE || a - b <= 0 ? a : b;
    }
}
