package dev.junction.gateway.loop;

import dev.junction.gateway.room.Producer;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries one room's publisher packets from its home loop to one other media loop (DESIGN §3.2), where a
 * {@link PipeProducer} feeds them to that loop's copy of the room. This is how one broadcast uses every core:
 * the home loop hands over one retained, read-only packet per loop, not per subscriber, and each loop encrypts
 * and sends its own subscribers' copies.
 *
 * <p>Every packet travels tagged with its Producer's id and its simulcast layer (and whether it is a late
 * repair), as the home loop's {@code RtpListener} placed it: the other loop learns nothing and classifies
 * nothing again. The ring is single-producer (the home loop), single-consumer (the other loop), bounded and
 * preallocated: nothing is allocated per packet. The home loop wakes the other loop once per read burst, which
 * drains everything queued as one burst of its own, so its sends coalesce too. A full ring (the other loop
 * stalled for a thousand packets) drops the packet and counts it.
 *
 * <p>Control travels beside the packets through the loops' typed proxies: which Producers exist (announced by
 * the home loop, acknowledged before any of their packets is offered), their Sender Reports, and, backwards,
 * keyframe requests and repairs of packets this pipe lost. Given a UDP leg instead of the ring, the same
 * messages would carry a room between nodes.
 *
 * <p>Threading: {@link #onRtp} and {@link #onSenderReport} on the home loop; {@link #drain} and
 * {@link #close} on the other loop; {@link #releaseQueued} on the other loop, or on any thread once both loops
 * have stopped. Buffers: {@link #onRtp} retains the packet for the ring; the drain releases each one after the
 * other loop's room handled it.
 */
public final class Pipe implements Producer.Tap {
    /** Packets that may wait for the other loop: about a second of a 10 Mbit/s publisher. */
    static final int CAPACITY = 1 << 10;
    private static final int MASK = CAPACITY - 1;

    /** Where the other loop's side puts what it drains. */
    interface Receiver {
        void onPipedRtp(int producerId, int layer, ByteBuf packet, boolean repair, long nowNs);
    }

    final RoomKey key;
    final LoopProxy home;
    final LoopProxy target;
    private final AtomicLong dropped;

    // The ring: slots written by the home loop, read by the other loop; tail and head publish them.
    private final ByteBuf[] packets = new ByteBuf[CAPACITY];
    private final int[] producerIds = new int[CAPACITY];
    private final int[] tags = new int[CAPACITY];
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong head = new AtomicLong();

    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Runnable wake = this::wake;
    private final Runnable drain = this::drainNow;
    private final Runnable drainTask;

    // The other loop's side.
    private Receiver receiver;
    private boolean closed;

    Pipe(RoomKey key, LoopProxy home, LoopProxy target, AtomicLong dropped) {
        this.key = key;
        this.home = home;
        this.target = target;
        this.dropped = dropped;
        this.drainTask = () -> target.loop().burst(drain);
    }

    /** Binds the other loop's receiving side; before the pipe is announced to the home loop. */
    void attach(Receiver receiver) {
        this.receiver = receiver;
    }

    // ---- the home loop --------------------------------------------------------------------------------------

    @Override
    public void onRtp(Producer producer, int layer, ByteBuf packet, boolean repair) {
        long t = tail.getPlain();
        if (t - head.getAcquire() >= CAPACITY) {
            dropped.incrementAndGet();
            return;
        }
        int at = (int) t & MASK;
        packets[at] = packet.retain();
        producerIds[at] = producer.id();
        tags[at] = layer << 1 | (repair ? 1 : 0);
        tail.setRelease(t + 1);
        // One wake-up per read burst of the home loop: the other loop drains the burst's packets together.
        if (!wakePending.get() && wakePending.compareAndSet(false, true)) home.loop().atBurstEnd(wake);
    }

    @Override
    public void onSenderReport(Producer producer, int layer, long rtpTimestamp, long atNs) {
        target.pipeSenderReport(this, producer.id(), layer, rtpTimestamp, atNs);
    }

    private void wake() {
        boolean queued = false;
        try {
            queued = target.drain(drainTask);
        } finally {
            // Refused (the other loop is shutting down: what stays queued is released once the loops have
            // stopped) or failed: the next offer must be able to wake it again.
            if (!queued) wakePending.set(false);
        }
    }

    // ---- the other loop -------------------------------------------------------------------------------------

    /** Hands every queued packet to the receiver (or releases it once closed), in order; on the other loop. */
    void drainNow() {
        wakePending.set(false);
        long nowNs = System.nanoTime();
        long h = head.getPlain();
        long t = tail.getAcquire();
        for (; h != t; h++) {
            int at = (int) h & MASK;
            ByteBuf packet = packets[at];
            packets[at] = null;
            try {
                if (!closed && receiver != null) receiver.onPipedRtp(producerIds[at], tags[at] >>> 1, packet, (tags[at] & 1) != 0, nowNs);
            } finally {
                packet.release();
                head.setRelease(h + 1);
            }
        }
    }

    /** Stops delivering: what is queued or still arrives is released unhandled; on the other loop. Idempotent. */
    void close() {
        closed = true;
        releaseQueued();
    }

    boolean closed() {
        return closed;
    }

    /** Releases everything queued; on the other loop, or anywhere once neither loop runs. */
    public void releaseQueued() {
        long h = head.getPlain();
        long t = tail.getAcquire();
        for (; h != t; h++) {
            int at = (int) h & MASK;
            ByteBuf packet = packets[at];
            packets[at] = null;
            if (packet != null) packet.release();
            head.setRelease(h + 1);
        }
    }

    @Override
    public String toString() {
        return "Pipe[" + key.name() + " " + key.home() + "->" + target.index() + "]";
    }
}
