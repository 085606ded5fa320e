package dev.junction.transport.socket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One media UDP socket, owned by one event loop (DESIGN §3.2). Reads are handed to a
 * {@link DatagramReceiver}; writes are queued and flushed once per read burst (sendmmsg on epoll), or
 * once per loop turn for writes made outside a read burst (timers, tasks from other loops).
 *
 * <p>Threading: {@link #write} and {@link #flush} are called on {@link #eventLoop()} only.
 * Buffers: every inbound datagram is released here, after the receiver returns; {@link #write} takes
 * ownership of the buffer it is given (Netty releases it once written or failed).
 */
public final class MediaSocket extends ChannelInboundHandlerAdapter {

    /** Counter indexes; read with {@link #counter(int)} from any thread (values may lag by a packet). */
    public static final int DATAGRAMS_IN = 0;
    public static final int BYTES_IN = 1;
    public static final int DATAGRAMS_OUT = 2;
    public static final int BYTES_OUT = 3;
    public static final int RECEIVER_ERRORS = 4;
    private static final int COUNTERS = 5;

    private final int index;
    private final DatagramReceiver receiver;
    private final AtomicLongArray counters = new AtomicLongArray(COUNTERS);
    private final Runnable flushTask = this::flushNow;
    private DatagramChannel channel;
    private boolean inReadBurst;
    private boolean flushScheduled;
    private int pendingWrites;

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
        counters.setRelease(DATAGRAMS_OUT, counters.getPlain(DATAGRAMS_OUT) + 1);
        counters.setRelease(BYTES_OUT, counters.getPlain(BYTES_OUT) + content.readableBytes());
        channel.write(new DatagramPacket(content, recipient), channel.voidPromise());
        pendingWrites++;
        if (!inReadBurst && !flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    /** Sends everything queued so far. */
    public void flush() {
        assert inEventLoop() : "MediaSocket.flush off its event loop";
        flushNow();
    }

    public long counter(int which) {
        return counters.getAcquire(which);
    }

    /** Closes this socket (for sockets opened with {@link MediaPlane#open}); any thread. */
    public void close() {
        channel.close();
    }

    void bind(DatagramChannel channel) {
        this.channel = channel;
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
        inReadBurst = true;
        ByteBuf content = packet.content();
        try {
            counters.setRelease(DATAGRAMS_IN, counters.getPlain(DATAGRAMS_IN) + 1);
            counters.setRelease(BYTES_IN, counters.getPlain(BYTES_IN) + content.readableBytes());
            receiver.onDatagram(this, content, packet.sender(), System.nanoTime());
        } catch (RuntimeException e) {
            // A receiver bug must not kill the socket; count it so /metrics shows it.
            counters.setRelease(RECEIVER_ERRORS, counters.getPlain(RECEIVER_ERRORS) + 1);
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadBurst = false;
        flushNow();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // UDP errors (ICMP port unreachable surfaced as PortUnreachableException) must not close the socket.
    }
}
