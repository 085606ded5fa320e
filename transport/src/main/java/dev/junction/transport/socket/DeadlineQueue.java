package dev.junction.transport.socket;

import java.util.Arrays;
import java.util.Objects;

/**
 * Deadlines of many owners, earliest first (an indexed binary min-heap): what a loop's timer keeps instead of asking
 * every participant for its deadline at every firing. Each owner has one {@link Entry}; an entry is in the heap
 * while its deadline is set and out of it at {@link Long#MAX_VALUE}. {@link #set} moves a deadline either way,
 * {@link #lower} only earlier; both cost O(log n), and so do {@link #poll} and {@link #remove}.
 *
 * <p>Deadlines are {@link System#nanoTime()} values compared by difference ({@code a - b < 0}), so they survive
 * wrap-around as long as all live ones lie within 2^62 ns of each other.
 *
 * <p>Threading: one thread (a loop) only; no locks.
 */
public final class DeadlineQueue<T> {

    /** One owner's place in the queue: its deadline, and where it sits in the heap (-1: not in it). */
    public static final class Entry<T> {
        private final T owner;
        private long deadlineNs = Long.MAX_VALUE;
        private int index = -1;

        Entry(T owner) {
            this.owner = Objects.requireNonNull(owner, "owner");
        }

        public T owner() {
            return owner;
        }

        /** The deadline it is queued at, or {@link Long#MAX_VALUE} when it is not queued. */
        public long deadlineNs() {
            return deadlineNs;
        }

        @Override
        public String toString() {
            return "Entry[" + owner + ", " + (index < 0 ? "not queued" : deadlineNs) + "]";
        }
    }

    @SuppressWarnings("unchecked")
    private Entry<T>[] heap = new Entry[8];
    private int size;

    /** A new entry for {@code owner}, not queued until {@link #set} or {@link #lower} gives it a deadline. */
    public Entry<T> entry(T owner) {
        return new Entry<>(owner);
    }

    /** Queues {@code e} at {@code deadlineNs}, earlier or later than before; {@link Long#MAX_VALUE} takes it out. */
    public void set(Entry<T> e, long deadlineNs) {
        if (deadlineNs == Long.MAX_VALUE) {
            remove(e);
            return;
        }
        if (e.index < 0) {
            e.deadlineNs = deadlineNs;
            insert(e);
            return;
        }
        long before = e.deadlineNs;
        e.deadlineNs = deadlineNs;
        if (deadlineNs - before < 0) up(e.index);
        else down(e.index);
    }

    /** Moves {@code e} to {@code deadlineNs} if that is earlier than where it is (or it is not queued); returns whether it moved. */
    public boolean lower(Entry<T> e, long deadlineNs) {
        if (deadlineNs == Long.MAX_VALUE) return false;
        if (e.index >= 0 && deadlineNs - e.deadlineNs >= 0) return false;
        set(e, deadlineNs);
        return true;
    }

    /** Takes {@code e} out of the queue (no-op when it is not queued). */
    public void remove(Entry<T> e) {
        int at = e.index;
        if (at < 0) return;
        e.index = -1;
        e.deadlineNs = Long.MAX_VALUE;
        Entry<T> last = heap[--size];
        heap[size] = null;
        if (at == size) return;
        heap[at] = last;
        last.index = at;
        down(at);
        if (last.index == at) up(at);
    }

    /** The earliest deadline queued, or {@link Long#MAX_VALUE} when none is. */
    public long earliestNs() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadlineNs;
    }

    /** The entry with the earliest deadline if that is at or before {@code nowNs}, taken out of the queue; else null. */
    public Entry<T> poll(long nowNs) {
        if (size == 0 || heap[0].deadlineNs - nowNs > 0) return null;
        Entry<T> first = heap[0];
        remove(first);
        return first;
    }

    /** How many entries are queued. */
    public int size() {
        return size;
    }

    private void insert(Entry<T> e) {
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = e;
        e.index = size++;
        up(e.index);
    }

    private void up(int at) {
        Entry<T> e = heap[at];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            Entry<T> p = heap[parent];
            if (e.deadlineNs - p.deadlineNs >= 0) break;
            heap[at] = p;
            p.index = at;
            at = parent;
        }
        heap[at] = e;
        e.index = at;
    }

    private void down(int at) {
        Entry<T> e = heap[at];
        int half = size >>> 1;
        while (at < half) {
            int child = 2 * at + 1;
            int right = child + 1;
            if (right < size && heap[right].deadlineNs - heap[child].deadlineNs < 0) child = right;
            Entry<T> c = heap[child];
            if (e.deadlineNs - c.deadlineNs <= 0) break;
            heap[at] = c;
            c.index = at;
            at = child;
        }
        heap[at] = e;
        e.index = at;
    }
}
