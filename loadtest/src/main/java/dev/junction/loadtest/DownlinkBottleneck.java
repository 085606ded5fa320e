package dev.junction.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;

/**
 * A shaped subscriber's downlink ({@code --downlink-kbps}, issue 11): a token bucket at the link's rate in front
 * of a bounded drop-tail queue, then an optional fixed delay. A sans-IO core: datagrams and time go in
 * ({@link #handleDatagram}), datagrams come out with the time they left the link ({@link #pollDue}), and
 * {@link #nextDeliveryNs} says when the next one is due. No clock, no thread, no timer: the tool's
 * {@link ShapedDownlink} drives it from the peer's event loop, a test from a fake clock.
 *
 * <p>The link: the bucket holds at most {@link #BUCKET_BYTES} (one full-size datagram, so an idle link passes a
 * packet at once but no burst beyond it) and fills at the rate. A datagram leaves the queue when the bucket
 * holds its size; the queue takes at most {@code queueLimitBytes} of datagrams still waiting for tokens, and a
 * datagram that does not fit is dropped at the tail and counted. After leaving the queue a datagram travels
 * {@code delayNs} more. Every datagram's leave time is fixed when it arrives (the bucket is FIFO), so delivery
 * order is arrival order and leave times never run backwards.
 *
 * <p>Buffers: {@link #handleDatagram} copies the datagram into one of a fixed set of slots, one direct buffer
 * allocated at construction, so nothing is allocated or retained per datagram; {@link #pollDue} lends each
 * slot's view for the call only. {@link #close} releases the storage. Threading: one thread at a time (the
 * peer's event loop).
 */
final class DownlinkBottleneck {

    /** The bucket's depth: one full-size datagram. */
    static final int BUCKET_BYTES = 1500;
    /** A slot's size: the largest datagram the tool's sockets read ({@code MediaPlane.MAX_DATAGRAM_BYTES}). */
    static final int SLOT_BYTES = 2048;
    /** Slots are provisioned for datagrams this small on average (audio over SRTP is about 140 bytes). */
    private static final int SLOT_PROVISION_BYTES = 128;
    private static final int MIN_SLOTS = 16;
    private static final int MAX_SLOTS = 4096;

    /** What a due datagram is handed to; {@code datagram} is borrowed for the call. */
    interface Delivery {
        void onDelivered(ByteBuf datagram, InetSocketAddress sender, long leftNs);
    }

    // Passed by argument.
    private final double bytesPerNs;
    private final long delayNs;
    private final int queueLimitBytes;

    // Allocated by this.
    private final ByteBuf storage;
    private final ByteBuf[] slots;
    private final int[] lengths;
    private final long[] leaveNs;
    private final InetSocketAddress[] senders;

    // Ring: entries head .. head + size - 1 (mod slots); the first `inFlight` of them left the queue already
    // (they only wait out the delay), the rest wait for tokens.
    private int head;
    private int size;
    private int inFlight;
    private int queuedBytes;
    /** Tokens in bytes at {@link #tokensAtNs}, after the last datagram's departure was booked. */
    private double tokens = BUCKET_BYTES;
    private long tokensAtNs;
    private long delivered;
    /** Written by the owning thread only; volatile so the result thread reads a recent value. */
    private volatile long drops;

    /**
     * @param rateBps         the link's rate
     * @param queueLimitBytes the most bytes waiting for tokens (drop-tail beyond)
     * @param delayNs         fixed delay after the queue (0: none)
     * @param nowNs           the time now, when the bucket is full
     */
    DownlinkBottleneck(long rateBps, int queueLimitBytes, long delayNs, long nowNs, ByteBufAllocator alloc) {
        if (rateBps <= 0 || queueLimitBytes <= 0 || delayNs < 0) {
            throw new IllegalArgumentException("rate " + rateBps + " bps, queue " + queueLimitBytes + " bytes, delay " + delayNs + " ns");
        }
        this.bytesPerNs = rateBps / 8e9;
        this.delayNs = delayNs;
        this.queueLimitBytes = queueLimitBytes;
        this.tokensAtNs = nowNs;
        long inDelay = (long) Math.ceil(delayNs * bytesPerNs);
        int count = (int) Math.clamp((queueLimitBytes + inDelay) / SLOT_PROVISION_BYTES + MIN_SLOTS, MIN_SLOTS, MAX_SLOTS);
        this.storage = alloc.directBuffer(count * SLOT_BYTES, count * SLOT_BYTES);
        this.slots = new ByteBuf[count];
        for (int i = 0; i < count; i++) slots[i] = storage.slice(i * SLOT_BYTES, SLOT_BYTES);
        this.lengths = new int[count];
        this.leaveNs = new long[count];
        this.senders = new InetSocketAddress[count];
    }

    /** The queue limit for {@code queueMs} at {@code rateKbps}, at least two full-size datagrams. */
    static int queueLimitBytes(long rateKbps, int queueMs) {
        return (int) Math.clamp(rateKbps * queueMs / 8, 2 * BUCKET_BYTES, Integer.MAX_VALUE / 2);
    }

    /**
     * A datagram arrives at the link: its copy is queued and its leave time booked, or it is dropped (queue full,
     * no free slot, or larger than a slot) and counted. The caller still owns {@code content}.
     *
     * @return whether it was queued
     */
    boolean handleDatagram(ByteBuf content, InetSocketAddress sender, long nowNs) {
        advance(nowNs);
        int length = content.readableBytes();
        if (length > SLOT_BYTES || size == slots.length || queuedBytes + length > queueLimitBytes) {
            drops++;
            return false;
        }
        // Tokens when this datagram reaches the head of the queue: after the previous one left, or now.
        long startNs = nowNs - tokensAtNs > 0 ? nowNs : tokensAtNs;
        double available = Math.min(BUCKET_BYTES, tokens + (startNs - tokensAtNs) * bytesPerNs);
        long departNs = available >= length ? startNs : startNs + (long) Math.ceil((length - available) / bytesPerNs);
        tokens = available >= length ? available - length : 0;
        tokensAtNs = departNs;
        int at = (head + size) % slots.length;
        ByteBuf slot = slots[at];
        slot.setBytes(0, content, content.readerIndex(), length);
        lengths[at] = length;
        leaveNs[at] = departNs + delayNs;
        senders[at] = sender;
        size++;
        if (departNs - nowNs > 0) {
            queuedBytes += length;
        } else {
            inFlight++;
        }
        return true;
    }

    /** Hands every datagram due by {@code nowNs} to {@code out}, oldest first, with the time it left the link. */
    int pollDue(long nowNs, Delivery out) {
        advance(nowNs);
        int n = 0;
        while (size > 0 && leaveNs[head] - nowNs <= 0) {
            int at = head;
            ByteBuf slot = slots[at];
            InetSocketAddress sender = senders[at];
            senders[at] = null;
            head = (head + 1) % slots.length;
            size--;
            inFlight--;
            delivered++;
            n++;
            slot.setIndex(0, lengths[at]);
            // NOTE: the receiver may queue more (a reply that loops back is a new datagram); the slot is free
            // only after the call, and it is the last one the next booking reuses.
            out.onDelivered(slot, sender, leaveNs[at]);
        }
        return n;
    }

    /** When the oldest datagram is due, or {@link Long#MAX_VALUE} when none waits. */
    long nextDeliveryNs() {
        return size == 0 ? Long.MAX_VALUE : leaveNs[head];
    }

    /** Moves datagrams whose departure time has come from the queue to the delay, so the queue limit counts only waiters. */
    private void advance(long nowNs) {
        while (inFlight < size) {
            int at = (head + inFlight) % slots.length;
            if (leaveNs[at] - delayNs - nowNs > 0) break;
            inFlight++;
            queuedBytes -= lengths[at];
        }
    }

    /** Datagrams dropped at the tail so far; any thread. */
    long drops() {
        return drops;
    }

    long delivered() {
        return delivered;
    }

    /** Bytes waiting for tokens at the last call. */
    int queuedBytes() {
        return queuedBytes;
    }

    int slotCount() {
        return slots.length;
    }

    /** Frees the slots; what still waits is discarded. */
    void close() {
        size = 0;
        inFlight = 0;
        queuedBytes = 0;
        java.util.Arrays.fill(senders, null);
        storage.release();
    }
}
