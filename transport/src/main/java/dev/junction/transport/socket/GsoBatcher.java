package dev.junction.transport.socket;

import dev.junction.codec.stun.ChannelData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Coalesces the datagrams written to each peer during one burst into UDP GSO sends (Linux UDP_SEGMENT): while
 * they have the size of the peer's first datagram (the last one may be shorter), they are copied back to back
 * into one pooled direct buffer, which the kernel cuts into ordinary datagrams. One trip through the socket
 * layer for a frame's packets to a subscriber.
 *
 * <p>A lone shorter datagram written before a run of longer ones (the audio packet of the same instant) is held
 * and leaves as the run's short last segment: datagrams of different sizes may leave in another order than
 * written, never those of one size, and a later datagram of the held one's own RTP stream (same SSRC) sends it
 * first, so one RTP stream is never reordered. Nothing here touches a socket: the finished sends go to a
 * {@link Sink}, which makes this a pure, unit-testable core.
 *
 * <p>The copy into the direct buffer is the one a Netty epoll channel would otherwise make from a heap buffer
 * before sendmmsg, so a datagram that ends up alone costs nothing extra.
 *
 * <p>Threading: one loop. Buffers: {@link #add} takes ownership of the datagram (released once copied); every
 * buffer given to the sink is owned by the sink; {@link #discard} releases what is still open.
 */
public final class GsoBatcher {

    /** Most segments per GSO send (the kernel's UDP_MAX_SEGMENTS is 64 on 5.x and 128 on 6.x). */
    public static final int MAX_SEGMENTS = 64;
    /** Most bytes per GSO send: one IPv4/IPv6 UDP payload, less headroom for the headers. */
    public static final int MAX_BATCH_BYTES = 65_000;
    private static final int RTP_HEADER = 12;

    /** Where finished sends go: {@code segments} datagrams of {@code segmentSize} bytes (the last may be shorter). */
    @FunctionalInterface
    public interface Sink {
        /** Takes ownership of {@code buffer}. */
        void send(ByteBuf buffer, int segmentSize, int segments, InetSocketAddress recipient);
    }

    /**
     * The open batch to one peer. Each sender that writes to one peer (a path) owns one and passes it to every
     * {@link #add}, so finding its batch costs nothing; its fields belong to the loop.
     */
    public static final class Batch {
        private ByteBuf buffer;
        private InetSocketAddress recipient;
        private int segmentSize;
        private int segments;
        /** A shorter datagram ended the batch: GSO allows only the last segment to be short. */
        private boolean sealed;
        private boolean queued;
        /** A lone datagram shorter than the ones that followed it, held to leave as the batch's short last segment. */
        private ByteBuf held;
        private InetSocketAddress heldRecipient;
        /** The RTP SSRC of the batch's first datagram. */
        private int firstSsrc;
        /** The held datagram's RTP SSRC: a later packet of the same stream sends it first. */
        private int heldSsrc;
    }

    private final ByteBufAllocator allocator;
    private final Sink sink;
    /** Batches holding datagrams of the current burst. */
    private final List<Batch> open = new ArrayList<>();

    public GsoBatcher(ByteBufAllocator allocator, Sink sink) {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Adds {@code content} for {@code recipient} to {@code batch}; takes ownership. Sends may reach the sink now. */
    public void add(Batch batch, ByteBuf content, InetSocketAddress recipient) {
        int length = content.readableBytes();
        // The SSRC, also of an RTP packet inside a TURN ChannelData message (first byte 64-127, RFC 7983), which the
        // embedded TURN server batches per client too.
        int rtp = length > 0 && ChannelData.isChannelData(content.getUnsignedByte(content.readerIndex())) ? ChannelData.HEADER_LENGTH : 0;
        int ssrc = length >= rtp + RTP_HEADER ? content.getInt(content.readerIndex() + rtp + 8) : 0;
        if (batch.held != null && ssrc == batch.heldSsrc) sendHeld(batch);
        ByteBuf buffer = batch.buffer;
        if (buffer != null && !batch.sealed && length <= batch.segmentSize && batch.segments < MAX_SEGMENTS
                && buffer.readableBytes() + length <= MAX_BATCH_BYTES && recipient.equals(batch.recipient)) {
            buffer.writeBytes(content);
            batch.segments++;
            batch.sealed = length < batch.segmentSize;
        } else {
            if (buffer != null) {
                if (batch.segments == 1 && batch.held == null && length > batch.segmentSize && ssrc != batch.firstSsrc) {
                    // Reordered only against other streams' packets of the same burst (RTP streams are independent).
                    batch.held = buffer;
                    batch.heldRecipient = batch.recipient;
                    batch.heldSsrc = batch.firstSsrc;
                } else {
                    emit(batch);
                }
            }
            // Room for a few more of the same size when it looks like video; audio-sized ones rarely repeat.
            int capacity = length < 512 ? length : Math.min(MAX_BATCH_BYTES, 4 * length);
            batch.buffer = allocator.directBuffer(Math.max(capacity, 1), MAX_BATCH_BYTES).writeBytes(content);
            batch.recipient = recipient;
            batch.segmentSize = length;
            batch.segments = 1;
            batch.sealed = false;
            batch.firstSsrc = ssrc;
            if (!batch.queued) {
                batch.queued = true;
                open.add(batch);
            }
        }
        content.release();
    }

    /** Whether any batch holds datagrams not yet handed to the sink. */
    public boolean hasOpenBatches() {
        return !open.isEmpty();
    }

    /** Hands every open batch to the sink (the burst ended). */
    public void flush() {
        for (int i = 0, n = open.size(); i < n; i++) {
            Batch batch = open.get(i);
            batch.queued = false;
            if (batch.buffer != null) emit(batch);
        }
        open.clear();
    }

    /** Releases every open batch without sending (the socket closed mid-burst). */
    public void discard() {
        for (Batch batch : open) {
            batch.queued = false;
            if (batch.buffer != null) {
                batch.buffer.release();
                batch.buffer = null;
            }
            if (batch.held != null) {
                batch.held.release();
                batch.held = null;
            }
        }
        open.clear();
    }

    /** Sends {@code batch} (a held shorter datagram joins as the last segment when it fits, else leaves first). */
    private void emit(Batch batch) {
        ByteBuf buffer = batch.buffer;
        batch.buffer = null;
        ByteBuf held = batch.held;
        if (held != null) {
            batch.held = null;
            int length = held.readableBytes();
            if (!batch.sealed && batch.segments < MAX_SEGMENTS && length <= batch.segmentSize
                    && buffer.readableBytes() + length <= MAX_BATCH_BYTES && batch.heldRecipient.equals(batch.recipient)) {
                buffer.writeBytes(held);
                batch.segments++;
                held.release();
                batch.heldRecipient = null;
            } else {
                batch.held = held;
                sendHeld(batch);
            }
        }
        InetSocketAddress recipient = batch.recipient;
        batch.recipient = null;
        sink.send(buffer, batch.segmentSize, batch.segments, recipient);
    }

    private void sendHeld(Batch batch) {
        ByteBuf held = batch.held;
        InetSocketAddress to = batch.heldRecipient;
        batch.held = null;
        batch.heldRecipient = null;
        sink.send(held, held.readableBytes(), 1, to);
    }
}
