package dev.junction.transport.socket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One media UDP socket of a {@link MediaLoop} (DESIGN §3.2): a thin Netty handler. Reads go to a
 * {@link DatagramReceiver} inside the loop's burst; writes are queued and flushed when the burst ends (sendmmsg
 * on epoll), or at the end of the loop's current turn for writes made outside a burst.
 *
 * <p><b>UDP GSO</b> (Linux UDP_SEGMENT, where the epoll transport supports it): media written during a burst
 * through {@link #write(ByteBuf, InetSocketAddress, GsoBatcher.Batch)} is coalesced per peer by a
 * {@link GsoBatcher} (see there). A kernel that refuses a segmented send (EIO or EINVAL: no checksum offload,
 * IPsec, a segment over the MTU) turns GSO off on this socket; {@code -Djunction.media.gso=false} turns it off
 * by hand.
 *
 * <p>Every write leaves as one Netty {@code DatagramPacket} envelope around a direct buffer: a heap datagram is
 * copied into a pooled direct buffer here, which is the copy the epoll channel would make anyway (and it would
 * then allocate a second envelope). Netty's sendmmsg path accepts no other, reusable envelope type, so one
 * envelope per send (per batch, with GSO) is the floor on this API.
 *
 * <p>Threading: {@link #write} and {@link #flush} on the loop only. Buffers: every inbound datagram is released
 * here after the receiver returns; {@link #write} takes ownership of the buffer it is given.
 */
public final class MediaSocket extends ChannelInboundHandlerAdapter implements MediaLoop.Flushable {

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
    private static final boolean GSO_ENABLED = Boolean.parseBoolean(System.getProperty("junction.media.gso", "true"));

    private final int index;
    private final MediaLoop loop;
    private final DatagramReceiver receiver;
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    private final Runnable flushTask = this::flushNow;
    private DatagramChannel channel;
    private GsoBatcher batcher;
    private boolean flushScheduled;
    private int pendingWrites;
    private boolean gso;
    private long inode;

    MediaSocket(int index, MediaLoop loop, DatagramReceiver receiver) {
        this.index = index;
        this.loop = loop;
        this.receiver = receiver;
    }

    /** The index of this socket's loop in its {@link MediaPlane}. */
    public int index() {
        return index;
    }

    /** The loop that owns this socket. */
    public MediaLoop loop() {
        return loop;
    }

    public EventLoop eventLoop() {
        return loop.eventLoop();
    }

    public InetSocketAddress localAddress() {
        return channel.localAddress();
    }

    /** The receive buffer the kernel gave this socket (SO_RCVBUF as read back: Linux doubles what was asked). */
    public int receiveBufferBytes() {
        return channel.config().getReceiveBufferSize();
    }

    /** The kernel's inode of this socket (Linux, epoll), 0 where unknown; finds it in {@link KernelUdpTable}. */
    public long inode() {
        return inode;
    }

    /** True on the socket's own event loop, the only thread allowed to write. */
    public boolean inEventLoop() {
        return loop.inLoop();
    }

    /**
     * Queues {@code content} for {@code recipient}, taking ownership of the buffer. The bytes leave at the end of
     * the current burst, or at the end of the current loop turn when called outside one.
     */
    public void write(ByteBuf content, InetSocketAddress recipient) {
        assert inEventLoop() : "MediaSocket.write off its event loop";
        int length = content.readableBytes();
        add(DATAGRAMS_OUT, 1);
        add(BYTES_OUT, length);
        ByteBuf direct = content;
        if (!content.isDirect()) {
            direct = channel.alloc().directBuffer(Math.max(length, 1)).writeBytes(content, content.readerIndex(), length);
            content.release();
        }
        enqueue(new DatagramPacket(direct, recipient));
    }

    /**
     * As {@link #write(ByteBuf, InetSocketAddress)}, coalesced with the datagrams already written to the same
     * peer through {@code batch} in this burst when UDP GSO is available. Outside a burst, or without GSO, it is
     * a plain write.
     */
    public void write(ByteBuf content, InetSocketAddress recipient, GsoBatcher.Batch batch) {
        if (!gso || !loop.inBurst()) {
            write(content, recipient);
            return;
        }
        assert inEventLoop() : "MediaSocket.write off its event loop";
        add(DATAGRAMS_OUT, 1);
        add(BYTES_OUT, content.readableBytes());
        batcher.add(batch, content, recipient);
        loop.markDirty(this);
    }

    /** The batcher's sink: one envelope per send, segmented when it carries several datagrams. */
    private void send(ByteBuf buffer, int segmentSize, int segments, InetSocketAddress recipient) {
        if (segments == 1) {
            enqueue(new DatagramPacket(buffer, recipient));
        } else {
            add(SEGMENTED_SENDS, 1);
            enqueue(new SegmentedDatagramPacket(buffer, segmentSize, recipient));
        }
    }

    private void enqueue(DatagramPacket packet) {
        channel.write(packet, channel.voidPromise());
        pendingWrites++;
        if (loop.inBurst()) {
            loop.markDirty(this);
        } else if (!flushScheduled) {
            flushScheduled = true;
            loop.eventLoop().execute(flushTask);
        }
    }

    /** Whether media writes during bursts are coalesced into UDP GSO sends on this socket. */
    public boolean gso() {
        return gso;
    }

    /** Sends everything queued so far. */
    public void flush() {
        assert inEventLoop() : "MediaSocket.flush off its event loop";
        batcher.flush();
        flushNow();
    }

    /** The burst ended: its coalesced batches, then everything queued, leave now. */
    @Override
    public void flushBurst() {
        batcher.flush();
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

    /** Completes once the socket is closed and its port free again; any thread. */
    public io.netty.util.concurrent.Future<Void> closeFuture() {
        return channel.closeFuture();
    }

    void bind(DatagramChannel channel, boolean gsoSupported) {
        this.channel = channel;
        this.gso = gsoSupported && GSO_ENABLED;
        this.batcher = new GsoBatcher(channel.alloc(), this::send);
        this.inode = inodeOf(channel);
    }

    /** The inode behind the channel's descriptor: /proc/self/fd/N links to "socket:[INODE]". */
    private static long inodeOf(DatagramChannel channel) {
        if (!(channel instanceof EpollDatagramChannel epoll)) return 0;
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + epoll.fd().intValue())).toString();
            if (link.startsWith("socket:[") && link.endsWith("]")) return Long.parseLong(link, 8, link.length() - 1, 10);
        } catch (IOException | RuntimeException e) {
            // no /proc: the table falls back to the local port
        }
        return 0;
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
            ReferenceCountUtil.release(msg);
            return;
        }
        long nowNs = System.nanoTime();
        loop.beginBurst(nowNs);
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
        loop.endBurst();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Closed inside a burst: nothing will send the open batches, so free them.
        batcher.discard();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // UDP errors (ICMP port unreachable surfaced as PortUnreachableException, a refused send) must not close
        // the socket; they are counted.
        add(SOCKET_ERRORS, 1);
        if (gso && cause instanceof Errors.NativeIoException e
                && (e.expectedErr() == -ERRNO_EIO || e.expectedErr() == -ERRNO_EINVAL)) {
            // A kernel or NIC that refuses segmented sends fails the whole send: plain datagrams from now on. The
            // lost burst is what NACKs recover.
            gso = false;
            LOG.log(System.Logger.Level.WARNING, "media socket " + index + ": UDP GSO send refused (" + cause.getMessage()
                    + "); sending datagrams one by one from now on");
        }
    }
}
