package dev.junction.transport.socket;

import dev.junction.transport.metrics.DurationHistogram;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One media UDP socket, owned by one event loop (DESIGN §3.2). Reads are handed to a
 * {@link DatagramReceiver}; writes are queued and flushed once per read burst (sendmmsg on epoll), or
 * once per loop turn for writes made outside a read burst (timers, tasks from other loops).
 *
 * <p><b>UDP GSO</b> (Linux UDP_SEGMENT, where the epoll transport supports it): datagrams written during a
 * read burst through {@link #write(ByteBuf, InetSocketAddress, SendBatch)} are coalesced per peer. While
 * they have the size of the peer's first datagram (the last one may be shorter), they are copied back to
 * back into one pooled direct buffer and leave as one segmented send at the end of the burst, which the
 * kernel cuts into ordinary datagrams: one trip through the socket layer for several packets. A keyframe's
 * or a frame's packets arriving in one recvmmsg batch go to each subscriber this way, and a lone shorter
 * datagram written before them (the audio packet of the same instant) is held and sent as their short last
 * segment: datagrams of different sizes may thus leave in another order than written, never those of one
 * size, so one RTP stream keeps its order. The copy into the
 * direct buffer is the one Netty would otherwise make from a heap buffer before sendmmsg, so a datagram
 * that ends up alone in its batch costs nothing extra. {@code -Djunction.media.gso=false} turns it off.
 *
 * <p>Threading: {@link #write} and {@link #flush} are called on {@link #eventLoop()} only.
 * Buffers: every inbound datagram is released here, after the receiver returns; {@link #write} takes
 * ownership of the buffer it is given (released once copied into a batch, or by Netty once written or
 * failed); a batch's buffer is owned by this socket until it is written.
 */
public final class MediaSocket extends ChannelInboundHandlerAdapter {

    /** Counter indexes; read with {@link #counter(int)} from any thread (values may lag by a packet). */
    public static final int DATAGRAMS_IN = 0;
    public static final int BYTES_IN = 1;
    public static final int DATAGRAMS_OUT = 2;
    public static final int BYTES_OUT = 3;
    public static final int RECEIVER_ERRORS = 4;
    /** UDP GSO sends of two or more datagrams (their datagrams count in {@link #DATAGRAMS_OUT} one by one). */
    public static final int SEGMENTED_SENDS = 5;
    /** Errors the socket reported (a failed send, an ICMP error surfaced on a read); the socket stays open. */
    public static final int SOCKET_ERRORS = 6;
    private static final int COUNTERS = 7;
    private static final int ERRNO_EIO = 5;
    private static final int ERRNO_EINVAL = 22;
    private static final System.Logger LOG = System.getLogger(MediaSocket.class.getName());

    /** Most segments per GSO send (the kernel's UDP_MAX_SEGMENTS is 64 on 5.x and 128 on 6.x). */
    static final int MAX_SEGMENTS = 64;
    /** Most bytes per GSO send: one IPv4/IPv6 UDP payload, less headroom for the headers. */
    static final int MAX_BATCH_BYTES = 65_000;
    private static final int RTP_HEADER = 12;
    private static final boolean GSO_ENABLED = Boolean.parseBoolean(System.getProperty("junction.media.gso", "true"));

    /**
     * Datagrams to one peer coalesced during a read burst into one GSO send. Each sender that writes to one
     * peer (a WebRtcTransport) owns one and passes it to every write, so finding its batch costs nothing;
     * its fields belong to the socket's loop.
     */
    public static final class SendBatch {
        private ByteBuf buffer;
        private InetSocketAddress recipient;
        private int segmentSize;
        private int segments;
        /** A shorter datagram ended the batch: GSO allows only the last segment to be short. */
        private boolean sealed;
        private boolean queued;
        /**
         * A lone datagram shorter than the ones that followed it (an audio packet before a video frame),
         * held to leave as the batch's short last segment instead of in a send of its own.
         */
        private ByteBuf held;
        private InetSocketAddress heldRecipient;
        /** The RTP SSRC of the batch's first datagram. */
        private int firstSsrc;
        /** The held datagram's RTP SSRC: a later packet of the same stream sends it first, keeping the stream's order. */
        private int heldSsrc;
    }

    private final int index;
    private final DatagramReceiver receiver;
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    private final Runnable flushTask = this::flushNow;
    private DatagramChannel channel;
    private boolean inReadBurst;
    private boolean flushScheduled;
    private int pendingWrites;
    private boolean gso;
    /** From a burst's first datagram read to the flush of everything it caused: the server's part of the latency. */
    private final DurationHistogram burstLatency = new DurationHistogram(DurationHistogram.LATENCY_BOUNDS_NS);
    private long burstStartNs;
    /** Tasks for the end of the current read burst (waking other loops once per burst). */
    private final List<Runnable> burstEndTasks = new ArrayList<>();
    /** Batches holding datagrams of the current read burst, sent at its end. */
    private final List<SendBatch> openBatches = new ArrayList<>();

    MediaSocket(int index, DatagramReceiver receiver) {
        this.index = index;
        this.receiver = receiver;
    }

    /** This socket's position in its {@link MediaPlane}: loop {@code i} listens on base port + {@code i}. */
    public int index() {
        return index;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public InetSocketAddress localAddress() {
        return channel.localAddress();
    }

    /** True on the socket's own event loop, the only thread allowed to write. */
    public boolean inEventLoop() {
        return channel.eventLoop().inEventLoop();
    }

    /**
     * Queues {@code content} for {@code recipient}, taking ownership of the buffer. The bytes leave at the
     * end of the current read burst, or at the end of the current loop turn when called from elsewhere.
     */
    public void write(ByteBuf content, InetSocketAddress recipient) {
        assert inEventLoop() : "MediaSocket.write off its event loop";
        add(DATAGRAMS_OUT, 1);
        add(BYTES_OUT, content.readableBytes());
        channel.write(new DatagramPacket(content, recipient), channel.voidPromise());
        pendingWrites++;
        if (!inReadBurst && !flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    /**
     * As {@link #write(ByteBuf, InetSocketAddress)}, coalescing with the datagrams already written to the
     * same peer through {@code batch} in this read burst when UDP GSO is available (see the class comment).
     * Outside a read burst, or without GSO, it is a plain write.
     */
    public void write(ByteBuf content, InetSocketAddress recipient, SendBatch batch) {
        if (!gso || !inReadBurst) {
            write(content, recipient);
            return;
        }
        assert inEventLoop() : "MediaSocket.write off its event loop";
        int length = content.readableBytes();
        add(DATAGRAMS_OUT, 1);
        add(BYTES_OUT, length);
        int ssrc = length >= RTP_HEADER ? content.getInt(content.readerIndex() + 8) : 0;
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
            batch.buffer = channel.alloc().directBuffer(Math.max(capacity, 1), MAX_BATCH_BYTES).writeBytes(content);
            batch.recipient = recipient;
            batch.segmentSize = length;
            batch.segments = 1;
            batch.sealed = false;
            batch.firstSsrc = ssrc;
            if (!batch.queued) {
                batch.queued = true;
                openBatches.add(batch);
            }
        }
        content.release();
    }

    /**
     * Queues {@code batch}'s datagrams as one send (segmented when there are several) and empties it. A held
     * shorter datagram joins as the last segment when the batch can take it, else leaves first on its own.
     */
    private void emit(SendBatch batch) {
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
        DatagramPacket packet;
        if (batch.segments == 1) {
            packet = new DatagramPacket(buffer, batch.recipient);
        } else {
            packet = new SegmentedDatagramPacket(buffer, batch.segmentSize, batch.recipient);
            add(SEGMENTED_SENDS, 1);
        }
        batch.recipient = null;
        channel.write(packet, channel.voidPromise());
        pendingWrites++;
    }

    /** Queues the held datagram on its own, ahead of the batch. */
    private void sendHeld(SendBatch batch) {
        channel.write(new DatagramPacket(batch.held, batch.heldRecipient), channel.voidPromise());
        pendingWrites++;
        batch.held = null;
        batch.heldRecipient = null;
    }

    private void emitOpenBatches() {
        for (int i = 0, n = openBatches.size(); i < n; i++) {
            SendBatch batch = openBatches.get(i);
            batch.queued = false;
            if (batch.buffer != null) emit(batch);
        }
        openBatches.clear();
    }

    /**
     * Runs {@code work} on this loop as if it were a read burst: its writes are coalesced per peer (UDP GSO)
     * and flushed together when it returns. For batches of packets handed over from another loop (a
     * publisher's packets relayed to the subscribers on this loop). On the loop only; not from inside a read.
     */
    public void burst(Runnable work) {
        assert inEventLoop() : "MediaSocket.burst off its event loop";
        if (inReadBurst) {
            work.run();
            return;
        }
        inReadBurst = true;
        long startNs = System.nanoTime();
        try {
            work.run();
        } finally {
            runBurstEndTasks();
            inReadBurst = false;
            emitOpenBatches();
            flushNow();
            burstLatency.record(System.nanoTime() - startNs);
        }
    }

    /**
     * Per burst (a read burst, or a {@link #burst} task), the time from its first datagram's read to the
     * flush of everything it caused, kernel sends included: the latency this socket's loop adds to the last
     * packet it sends for that burst, not counting the wake-up before the read. Any thread may read it.
     */
    public DurationHistogram burstLatency() {
        return burstLatency;
    }

    /**
     * Runs {@code task} on this loop at the end of the current read burst, before its writes are flushed, or
     * now outside a burst. For work that is cheaper once per burst than once per datagram: handing a burst of
     * a publisher's packets to another loop with one wake-up, which then also batches their sends.
     */
    public void atBurstEnd(Runnable task) {
        assert inEventLoop() : "MediaSocket.atBurstEnd off its event loop";
        if (!inReadBurst) {
            task.run();
            return;
        }
        burstEndTasks.add(task);
    }

    private void runBurstEndTasks() {
        // NOTE: index loop: a task may add another (it then runs in this pass too).
        for (int i = 0; i < burstEndTasks.size(); i++) {
            try {
                burstEndTasks.get(i).run();
            } catch (RuntimeException e) {
                add(RECEIVER_ERRORS, 1);
            }
        }
        burstEndTasks.clear();
    }

    /** Whether writes during read bursts are coalesced into UDP GSO sends on this socket. */
    public boolean gso() {
        return gso;
    }

    /** Sends everything queued so far. */
    public void flush() {
        assert inEventLoop() : "MediaSocket.flush off its event loop";
        flushNow();
    }

    /** Single writer (the loop); release so that other threads read a recent value. */
    private void add(int counter, long n) {
        counters.setRelease(counter, counters.getPlain(counter) + n);
    }

    public long counter(int which) {
        return counters.getAcquire(which);
    }

    /** Closes this socket (for sockets opened with {@link MediaPlane#open}); any thread. */
    public void close() {
        channel.close();
    }

    void bind(DatagramChannel channel, boolean gsoSupported) {
        this.channel = channel;
        this.gso = gsoSupported && GSO_ENABLED;
    }

    DatagramChannel channel() {
        return channel;
    }

    private void flushNow() {
        flushScheduled = false;
        if (pendingWrites > 0) {
            pendingWrites = 0;
            channel.flush();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        long nowNs = System.nanoTime();
        if (!inReadBurst) {
            inReadBurst = true;
            burstStartNs = nowNs;
        }
        ByteBuf content = packet.content();
        try {
            add(DATAGRAMS_IN, 1);
            add(BYTES_IN, content.readableBytes());
            receiver.onDatagram(this, content, packet.sender(), nowNs);
        } catch (RuntimeException e) {
            // A receiver bug must not kill the socket; count it so /metrics shows it.
            add(RECEIVER_ERRORS, 1);
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!inReadBurst) return; // a read that delivered nothing
        runBurstEndTasks();
        inReadBurst = false;
        emitOpenBatches();
        flushNow();
        burstLatency.record(System.nanoTime() - burstStartNs);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Closed inside a burst: nothing will send the open batches, so free them.
        for (SendBatch batch : openBatches) {
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
        openBatches.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // UDP errors (ICMP port unreachable surfaced as PortUnreachableException, a refused send) must not close
        // the socket; they are counted.
        add(SOCKET_ERRORS, 1);
        if (gso && cause instanceof Errors.NativeIoException e
                && (e.expectedErr() == -ERRNO_EIO || e.expectedErr() == -ERRNO_EINVAL)) {
            // A kernel or NIC that refuses segmented sends (no checksum offload, IPsec, a segment over the path
            // MTU) fails the whole send: plain datagrams from now on. The lost burst is what NACKs recover.
            gso = false;
            LOG.log(System.Logger.Level.WARNING, "media socket " + index + ": UDP GSO send refused (" + cause.getMessage()
                    + "); sending datagrams one by one from now on");
        }
    }
}
