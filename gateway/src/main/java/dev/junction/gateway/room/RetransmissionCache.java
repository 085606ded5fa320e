package dev.junction.gateway.room;

import dev.junction.codec.rtp.RtpPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The last {@link #CAPACITY} forwarded packets of one simulcast layer of a Producer, for answering subscribers'
 * NACKs (RFC 4585 §6.2.1) without asking the publisher: a ring indexed by the source sequence number modulo
 * the capacity, each entry a private copy of the packet as received (before any Consumer's rewrite), tagged
 * with its SSRC so a sequence number of a restarted stream is never mistaken for the current one. Like
 * libwebrtc's RtpPacketHistory, but one per incoming layer rather than per outgoing stream: every Consumer maps
 * its own sequence numbers back and rewrites the copy itself.
 *
 * <p>Threading: the room's event loop only. Buffers: {@link #store} copies the borrowed packet into a pooled
 * heap buffer owned by this cache; an entry is released when overwritten and every entry by {@link #clear()}.
 * {@link #find} lends the copy for the call; whoever keeps it longer (a pipe repairing another loop's loss)
 * retains it, and a retained entry is never written over: the next store takes a fresh buffer instead.
 */
final class RetransmissionCache {
    /** About 1.7 s of 2.5 Mbit/s video in 1200-byte packets; a NACK for anything older is not worth answering. */
    static final int CAPACITY = 512;
    /** Entries older than this are not resent: the receiver's jitter buffer has given up on them. */
    static final long MAX_AGE_NS = 1_000_000_000L;
    private static final int MASK = CAPACITY - 1;

    private final ByteBufAllocator allocator;
    private final ByteBuf[] packets = new ByteBuf[CAPACITY];
    private final int[] sequenceNumbers = new int[CAPACITY];
    private final long[] ssrcs = new long[CAPACITY];
    private final long[] storedNs = new long[CAPACITY];
    private long stored;

    RetransmissionCache(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /** Copies {@code rtp} (borrowed) into the ring under its sequence number. */
    void store(RtpPacket rtp, long nowNs) {
        int seq = rtp.sequenceNumber();
        int at = seq & MASK;
        ByteBuf copy = packets[at];
        int length = rtp.length();
        // NOTE: a copy someone else still holds (refCnt > 1) is theirs to read: never written over.
        if (copy == null || copy.capacity() < length || copy.refCnt() > 1) {
            if (copy != null) {
                copy.release();
            }
            // Room for the largest packet a browser sends, so one buffer per entry is reused.
            copy = allocator.heapBuffer(Math.max(length, 1280));
            packets[at] = copy;
        }
        copy.clear().writeBytes(rtp.buffer(), rtp.offset(), length);
        sequenceNumbers[at] = seq;
        ssrcs[at] = rtp.ssrc();
        storedNs[at] = nowNs;
        stored++;
    }

    /**
     * The stored packet with sequence number {@code seq} of stream {@code ssrc}, wrapped into {@code into};
     * false when it was never stored, was overwritten or is too old.
     */
    boolean find(int seq, long ssrc, long nowNs, RtpPacket into) {
        int at = seq & MASK;
        ByteBuf copy = packets[at];
        if (copy == null || sequenceNumbers[at] != seq || ssrcs[at] != ssrc || nowNs - storedNs[at] > MAX_AGE_NS) {
            return false;
        }
        return into.wrap(copy, copy.readerIndex(), copy.readableBytes());
    }

    /** Packets stored so far. */
    long stored() {
        return stored;
    }

    /** Releases every copy. */
    void clear() {
        for (int i = 0; i < CAPACITY; i++) {
            if (packets[i] != null) {
                packets[i].release();
                packets[i] = null;
            }
        }
    }
}
