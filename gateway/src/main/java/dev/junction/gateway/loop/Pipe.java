package dev.junction.gateway.loop;

import dev.junction.gateway.room.Producer;
import dev.junction.transport.socket.HandOverRing;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries one room's publisher packets from its home loop to one other media loop (DESIGN §3.2), where a
 * {@link PipeProducer} feeds them to that loop's copy of the room. This is how one broadcast uses every core:
 * the home loop hands over one retained, read-only packet per loop, not per subscriber, and each loop encrypts
 * and sends its own subscribers' copies.
 *
 * <p>Every packet travels tagged with its Producer's id and its simulcast layer (and whether it is a late
 * repair), as the home loop's {@code RtpListener} placed it: the other loop learns nothing and classifies
 * nothing again. The packets travel in a {@link HandOverRing} (single-producer: the home loop, single-consumer:
 * the other loop, bounded and preallocated: nothing is allocated per packet). The home loop wakes the other loop
 * once per read burst, which drains everything queued as one burst of its own, so its sends coalesce too. A full
 * ring (the other loop stalled for a thousand packets) drops the packet and counts it.
 *
 * <p>Control travels beside the packets through the loops' typed proxies: which Producers exist (announced by
 * the home loop, acknowledged before any of their packets is offered), their Sender Reports, and, backwards,
 * keyframe requests and repairs of packets this pipe lost. Given a UDP leg instead of the ring, the same
 * messages would carry a room between nodes.
 *
 * <p>Threading: {@link #onRtp} and {@link #onSenderReport} on the home loop; the drain and {@link #close} on the
 * other loop; {@link #releaseQueued} on the other loop, or on any thread once both loops
 * have stopped. Buffers: {@link #onRtp} retains the packet for the ring; the drain releases each one after the
 * other loop's room handled it.
 */
public final class Pipe implements Producer.Tap {
    /** Packets that may wait for the other loop: about a second of a 10 Mbit/s publisher. */
    static final int CAPACITY = 1 << 10;

    /** Where the other loop's side puts what it drains. */
    interface Receiver {
        void onPipedRtp(int producerId, int layer, ByteBuf packet, boolean repair, long nowNs);
    }

    final RoomKey key;
    final LoopProxy home;
    final LoopProxy target;
    private final AtomicLong dropped;
    /** Each packet's tag: its Producer's id in the high half, then its layer, then whether it is a repair. */
    private final HandOverRing<Void> ring;

    // The other loop's side.
    private Receiver receiver;

    Pipe(RoomKey key, LoopProxy home, LoopProxy target, AtomicLong dropped) {
        this.key = key;
        this.home = home;
        this.target = target;
        this.dropped = dropped;
        this.ring = new HandOverRing<>(CAPACITY, home.loop(), target.loop(), this::onHandedOver);
    }

    /** Binds the other loop's receiving side; before the pipe is announced to the home loop. */
    void attach(Receiver receiver) {
        this.receiver = receiver;
    }

    // ---- the home loop --------------------------------------------------------------------------------------

    @Override
    public void onRtp(Producer producer, int layer, ByteBuf packet, boolean repair) {
        long tag = (long) producer.id() << 32 | layer << 1 | (repair ? 1 : 0);
        if (!ring.offer(null, tag, packet.retain())) dropped.incrementAndGet();
    }

    @Override
    public void onSenderReport(Producer producer, int layer, long rtpTimestamp, long atNs) {
        target.pipeSenderReport(this, producer.id(), layer, rtpTimestamp, atNs);
    }

    // ---- the other loop -------------------------------------------------------------------------------------

    private void onHandedOver(Void none, long tag, ByteBuf packet, long nowNs) {
        if (receiver != null) receiver.onPipedRtp((int) (tag >>> 32), (int) tag >>> 1, packet, (tag & 1) != 0, nowNs);
    }

    /** Stops delivering: what is queued or still arrives is released unhandled; on the other loop. Idempotent. */
    void close() {
        ring.close();
    }

    boolean closed() {
        return ring.closed();
    }

    /** Releases everything queued; on the other loop, or anywhere once neither loop runs. */
    public void releaseQueued() {
        ring.releaseQueued();
    }

    @Override
    public String toString() {
        return "Pipe[" + key.name() + " " + key.home() + "->" + target.index() + "]";
    }
}
