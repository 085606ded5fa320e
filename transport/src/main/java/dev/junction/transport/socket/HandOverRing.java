package dev.junction.transport.socket;

import io.netty.buffer.ByteBuf;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Packets handed from one media loop to another (DESIGN §3.2) without a task or any other allocation per packet: a
 * bounded, preallocated single-producer single-consumer ring. Each slot holds the packet, a reference that says
 * where it goes (a path, or nothing) and a {@code long} tag for whatever else travels with it. The producer wakes
 * the consumer once per burst of its own ({@link MediaLoop#atBurstEnd}); the consumer drains everything queued as
 * one burst, so its sends coalesce too. A full ring (the consumer stalled for {@code capacity} packets) refuses the
 * packet, releasing it: the caller counts the drop under its own name.
 *
 * <p>Used by the room pipes between loops (gateway) and by the embedded TURN server's hand-overs to and from the
 * sessions on other loops (issue 10).
 *
 * <p>Threading: {@link #offer} on the producer loop only; {@link #drain} and {@link #close} on the consumer loop;
 * {@link #releaseQueued} on the consumer loop, or on any thread once both loops have stopped. Producer and consumer
 * may be the same loop. Buffers: {@link #offer} takes ownership of the packet; the ring owns it until the drain,
 * which lends it to the receiver for the call and then releases it, or until a drop, a closed drain or
 * {@link #releaseQueued} releases it unhandled.
 *
 * @param <T> the per-packet reference handed to the receiver with the packet
 */
public final class HandOverRing<T> {

    /** The consumer loop's side: one call per packet drained, in the order offered. */
    public interface Receiver<T> {
        /** {@code packet} is borrowed for the call (the ring releases it after). */
        void onHandedOver(T ref, long tag, ByteBuf packet, long nowNs);
    }

    private final MediaLoop producer;
    private final MediaLoop consumer;
    private final Receiver<T> receiver;
    private final int mask;

    // The ring: slots written by the producer, read by the consumer; tail and head publish them.
    private final ByteBuf[] packets;
    private final Object[] refs;
    private final long[] tags;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();

    // One wake-up per producer burst; all preallocated, so a wake-up allocates nothing either.
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Runnable wake = this::wake;
    private final Runnable drainNow = this::drainNow;
    private final Runnable drainTask = this::drain;

    // The consumer's side.
    private boolean closed;

    /**
     * @param capacity a power of two: how many packets may wait for the consumer
     */
    public HandOverRing(int capacity, MediaLoop producer, MediaLoop consumer, Receiver<T> receiver) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        this.producer = Objects.requireNonNull(producer, "producer");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.mask = capacity - 1;
        this.packets = new ByteBuf[capacity];
        this.refs = new Object[capacity];
        this.tags = new long[capacity];
    }

    public int capacity() {
        return packets.length;
    }

    // ---- the producer loop --------------------------------------------------------------------------------------

    /**
     * Queues {@code packet} for the consumer and makes sure it is woken at the end of the producer's burst. Takes
     * ownership of {@code packet}: false when the ring is full, having released it (the caller counts the drop).
     */
    public boolean offer(T ref, long tag, ByteBuf packet) {
        long t = tail.getPlain();
        if (t - head.getAcquire() >= packets.length) {
            packet.release();
            return false;
        }
        int at = (int) t & mask;
        packets[at] = packet;
        refs[at] = ref;
        tags[at] = tag;
        tail.setRelease(t + 1);
        // One wake-up per producer burst: the consumer drains the burst's packets together.
        if (!wakePending.get() && wakePending.compareAndSet(false, true)) producer.atBurstEnd(wake);
        return true;
    }

    private void wake() {
        boolean queued = false;
        try {
            queued = consumer.execute(drainTask);
        } finally {
            // Refused (the consumer is shutting down: what stays queued is released once the loops have stopped)
            // or failed: the next offer must be able to wake it again.
            if (!queued) wakePending.set(false);
        }
    }

    // ---- the consumer loop --------------------------------------------------------------------------------------

    /** Hands every queued packet to the receiver (or releases it, once closed), in order, as one burst. */
    public void drain() {
        consumer.burst(drainNow);
    }

    private void drainNow() {
        // NOTE: cleared before reading the tail: an offer after this point wakes the consumer again.
        wakePending.set(false);
        long nowNs = System.nanoTime();
        long h = head.getPlain();
        long t = tail.getAcquire();
        for (; h != t; h++) {
            int at = (int) h & mask;
            ByteBuf packet = packets[at];
            @SuppressWarnings("unchecked")
            T ref = (T) refs[at];
            packets[at] = null;
            refs[at] = null;
            try {
                if (!closed) receiver.onHandedOver(ref, tags[at], packet, nowNs);
            } finally {
                packet.release();
                head.setRelease(h + 1);
            }
        }
    }

    /** Stops delivering: what is queued, or offered later, is released unhandled. On the consumer loop; idempotent. */
    public void close() {
        closed = true;
        releaseQueued();
    }

    public boolean closed() {
        return closed;
    }

    /** Releases everything queued, unhandled; on the consumer loop, or anywhere once neither loop runs. */
    public void releaseQueued() {
        long h = head.getPlain();
        long t = tail.getAcquire();
        for (; h != t; h++) {
            int at = (int) h & mask;
            ByteBuf packet = packets[at];
            packets[at] = null;
            refs[at] = null;
            if (packet != null) packet.release();
            head.setRelease(h + 1);
        }
    }

    /** Packets queued now (approximate off the loops). */
    public int size() {
        return (int) (tail.get() - head.get());
    }

    @Override
    public String toString() {
        return "HandOverRing[" + producer.index() + "->" + consumer.index() + ", " + size() + "/" + packets.length + "]";
    }
}
