package dev.junction.gateway.session;

import dev.junction.codec.demux.PacketClassifier;
import dev.junction.gateway.room.Publisher;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries one publisher's decrypted packets from the loop that owns its transport to one other media loop,
 * where a relayed copy of the publisher ({@code Room#addPublisher(..., relayed = true, ...)}) forwards them
 * to the subscribers on that loop. This is how one broadcast uses every core (DESIGN §3.2): the publisher's
 * loop hands over one retained, read-only packet per loop, not per subscriber, and each loop encrypts and
 * sends its own subscribers' copies.
 *
 * <p>Nothing is allocated per packet: the packet itself is retained (never copied), and a bounded lock-free
 * queue takes it to the other loop, which drains everything queued in one task, as one burst of its
 * socket (so its writes are coalesced into GSO sends like those of a read burst). Every packet is relayed,
 * also while the other loop has no subscriber in the room: the relayed copy must see the whole stream to
 * bind SSRCs (a browser stops sending the MID and RID extensions once its packets are acknowledged, so a
 * copy that started late could not tell simulcast layers apart) and to track losses as the publisher's own
 * loop does. A full queue (the other loop stalled for a thousand packets) drops the packet and counts it.
 *
 * <p>Threading: {@link #offer} on the publisher's loop only; {@link #attach} and {@link #close} on the
 * target loop. The publisher's loop stops offering before it asks the target loop to close, so nothing is
 * queued after the close drained the queue. Buffers: {@link #offer} borrows the packet and retains it for
 * the queue; the drain releases each one after the relayed copy handled it.
 */
final class Relay implements Runnable {
    /** Packets that may wait for the other loop: about a second of a 10 Mbit/s publisher. */
    static final int CAPACITY = 1 << 10;

    private final MediaSocket source;
    private final MediaSocket target;
    private final int targetIndex;
    private final Runnable wake = this::wake;
    private final Queue<ByteBuf> queue = PlatformDependent.newFixedMpscQueue(CAPACITY);
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong dropped;
    private final Runnable drain = this::drain;
    /** The relayed copy of the publisher on the target loop; null before attach and after close. */
    private Publisher copy;
    private boolean closed;

    /**
     * Packets offered on {@code source}'s loop (the publisher's) go to {@code target}'s loop, which drains
     * them; those dropped are counted in {@code dropped}.
     */
    Relay(MediaSocket source, MediaSocket target, AtomicLong dropped) {
        this.source = source;
        this.target = target;
        this.targetIndex = target.index();
        this.dropped = dropped;
    }

    /** Queues {@code packet} (an RTP or compound RTCP packet, decrypted) for the target loop; borrowed. */
    void offer(ByteBuf packet) {
        if (!queue.offer(packet.retain())) {
            packet.release();
            dropped.incrementAndGet();
            return;
        }
        // One wake-up per read burst of the publisher's loop: the target then drains the burst's packets
        // together, and its sends to each subscriber coalesce like the publisher's loop's own.
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) source.loop().atBurstEnd(wake);
    }

    private void wake() {
        try {
            target.eventLoop().execute(this);
        } catch (RejectedExecutionException e) {
            // The target loop is shutting down and may still be draining: the queue has one consumer,
            // so what stays in it is released by close() once the loops have stopped.
            dropped.incrementAndGet();
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        target.loop().burst(drain);
    }

    private void drain() {
        long nowNs = System.nanoTime();
        ByteBuf packet;
        while ((packet = queue.poll()) != null) {
            try {
                Publisher p = copy;
                if (p != null && !closed) {
                    if (PacketClassifier.isRtcpPacketType(packet.getUnsignedByte(packet.readerIndex() + 1))) p.handleRtcp(packet, nowNs);
                    else p.handleRtp(packet, nowNs);
                }
            } finally {
                packet.release();
            }
        }
    }

    /** Binds the relayed copy that handles the packets; on the target loop. */
    void attach(Publisher relayedCopy) {
        this.copy = relayedCopy;
    }

    /** The index of the loop the packets go to. */
    int targetIndex() {
        return targetIndex;
    }

    /**
     * Stops handling packets and releases what is queued; on the target loop, after the last offer (or on any
     * thread once the target loop has stopped). Returns the relayed copy, for the caller to remove from its
     * room, or null if it was never attached. Idempotent.
     */
    Publisher close() {
        closed = true;
        Publisher detached = copy;
        copy = null;
        releaseQueued();
        return detached;
    }

    private void releaseQueued() {
        ByteBuf packet;
        while ((packet = queue.poll()) != null) packet.release();
    }
}
