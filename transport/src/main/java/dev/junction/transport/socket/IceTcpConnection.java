package dev.junction.transport.socket;

import dev.junction.transport.path.TcpPath;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * One ICE-TCP connection (RFC 6544) of a media loop: STUN, DTLS and SRTP framed as RFC 4571 specifies, each
 * packet behind a 16-bit length, over a Netty TCP channel registered on the loop's own event loop. Whole frames go
 * to the {@link FrameReceiver} (the loop's demux) inside a burst, as a UDP socket's datagrams do; its
 * {@link TcpPath} is what the session sends to.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |             LENGTH            |  STUN, DTLS or (S)RTP ...     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p><b>Bounded.</b> Reading: frames that arrive whole in one read are handed over in place; only a frame split
 * across reads is copied, into one pooled buffer of at most a frame and a read, freed as soon as it is empty.
 * Writing: each packet is copied once into a pooled direct frame. Media ({@link #write} with {@code media}) is
 * dropped and counted while the channel's outbound buffer is above its high water mark (a peer that reads slowly
 * cannot make the loop buffer without bound); STUN, DTLS and RTCP may use up to twice that, then are dropped too.
 *
 * <p>Threading: the loop only. Buffers: frames are borrowed by the receiver for the call; {@link #write} takes
 * ownership of its buffer.
 */
public final class IceTcpConnection extends ChannelInboundHandlerAdapter implements MediaLoop.Flushable {

    /** The largest frame RFC 4571's 16-bit length can announce. */
    public static final int MAX_FRAME = 65_535;
    /** How long a connection whose session let it go stays open for that session's last words (close_notify). */
    public static final long LINGER_MS = 500;

    private final MediaLoop loop;
    private final FrameReceiver receiver;
    /** The listener that accepted it, or null for an outbound connection (the client role). */
    private final IceTcpListener listener;
    private final TcpPath path = new TcpPath(this);
    private final Runnable flushTask = this::flushNow;
    private Channel channel;
    private InetSocketAddress remote;
    /** The start of a frame that did not arrive whole; null while none is pending. */
    private ByteBuf partial;
    private boolean closed;
    private boolean authenticated;
    private boolean flushScheduled;
    private int pendingWrites;
    private long sendDrops;

    IceTcpConnection(MediaLoop loop, FrameReceiver receiver, IceTcpListener listener) {
        this.loop = loop;
        this.receiver = receiver;
        this.listener = listener;
    }

    /** The path the session sends to and the demux keys on. */
    public TcpPath path() {
        return path;
    }

    public InetSocketAddress remoteAddress() {
        return remote;
    }

    public MediaLoop loop() {
        return loop;
    }

    /** Whether its path was authorized (an authenticated STUN check came over it); on the loop. */
    public boolean authenticated() {
        return authenticated;
    }

    /** Packets dropped on the way out by back-pressure or a closed channel; on the loop. */
    public long sendDrops() {
        return sendDrops;
    }

    /**
     * Frames {@code packet} and queues it; it leaves at the end of the current burst, or of the loop's current
     * turn outside one. Takes ownership. Returns false, having released it and counted the drop, when the peer
     * is not keeping up (see the class comment) or the connection is closed.
     */
    public boolean write(ByteBuf packet, boolean media) {
        assert loop.inLoop() : "IceTcpConnection.write off its loop";
        int length = packet.readableBytes();
        if (closed || channel == null || length > MAX_FRAME || overHighWater(media)) {
            packet.release();
            sendDrops++;
            if (listener != null) listener.count(IceTcpListener.SEND_DROPPED);
            return false;
        }
        ByteBuf frame = channel.alloc().directBuffer(2 + length);
        frame.writeShort(length).writeBytes(packet, packet.readerIndex(), length);
        packet.release();
        channel.write(frame, channel.voidPromise());
        if (listener != null) listener.countFrame(IceTcpListener.FRAMES_OUT, IceTcpListener.BYTES_OUT, length);
        pendingWrites++;
        if (loop.inBurst()) {
            loop.markDirty(this);
        } else if (!flushScheduled) {
            flushScheduled = true;
            loop.eventLoop().execute(flushTask);
        }
        return true;
    }

    private boolean overHighWater(boolean media) {
        if (media) return !channel.isWritable();
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null || out.totalPendingWriteBytes() > 2L * channel.config().getWriteBufferHighWaterMark();
    }

    /** Closes the connection (its session ended or dropped the path); any loop code may call it. */
    public void close() {
        if (channel != null) channel.close();
    }

    /**
     * Closes the connection {@link #LINGER_MS} from now, once what is queued then has been sent: a session that ends
     * lets its paths go first, and its DTLS close_notify comes back from the DTLS thread a moment later. On the loop.
     */
    public void closeAfterWrites() {
        if (channel == null || closed) return;
        loop.eventLoop().schedule(() -> {
            if (!channel.isActive()) return;
            pendingWrites = 0;
            channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }, LINGER_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void flushBurst() {
        flushNow();
    }

    private void flushNow() {
        flushScheduled = false;
        if (pendingWrites > 0) {
            pendingWrites = 0;
            channel.flush();
        }
    }

    // ---- Netty -----------------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Adopted by a listener after its connection was classified elsewhere: channelActive has already passed.
        if (ctx.channel().isActive()) {
            channel = ctx.channel();
            remote = channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        long nowNs = System.nanoTime();
        loop.beginBurst(nowNs);
        try {
            if (partial != null) {
                partial.writeBytes(in);
                deliverFrames(partial, nowNs);
                if (!partial.isReadable()) {
                    partial.release();
                    partial = null;
                } else {
                    partial.discardReadBytes();
                }
            } else {
                deliverFrames(in, nowNs);
                if (in.isReadable() && !closed) {
                    // A frame split across reads: keep its start, with room for the whole frame where its length
                    // is known (the buffer grows when the rest comes in larger reads).
                    int need = in.readableBytes() >= 2 ? 2 + in.getUnsignedShort(in.readerIndex()) : 256;
                    partial = channel.alloc().directBuffer(Math.max(need, in.readableBytes()));
                    partial.writeBytes(in);
                }
            }
        } finally {
            in.release();
        }
        if (!authenticated && path.isAuthorized()) {
            authenticated = true;
            if (listener != null) listener.onAuthenticated(this);
        }
    }

    /** Hands every whole frame of {@code buf} to the receiver; leaves {@code buf} at the first incomplete one. */
    private void deliverFrames(ByteBuf buf, long nowNs) {
        while (!closed && buf.readableBytes() >= 2) {
            int start = buf.readerIndex();
            int length = buf.getUnsignedShort(start);
            if (buf.readableBytes() < 2 + length) return;
            int end = buf.writerIndex();
            // The frame in place: the receiver sees exactly its bytes, then the indexes move past it.
            buf.setIndex(start + 2, start + 2 + length);
            try {
                if (listener != null) listener.countFrame(IceTcpListener.FRAMES_IN, IceTcpListener.BYTES_IN, length);
                receiver.onFrame(this, buf, nowNs);
            } catch (RuntimeException e) {
                if (listener != null) listener.count(IceTcpListener.RECEIVER_ERRORS);
            } finally {
                buf.setIndex(start + 2 + length, end);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        loop.endBurst();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (partial != null) {
            partial.release();
            partial = null;
        }
        try {
            receiver.onClosed(this);
        } finally {
            if (listener != null) listener.onClosed(this);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a refused write: the connection is over; its path leaves its session in channelInactive.
        if (listener != null) listener.count(IceTcpListener.CONNECTION_ERRORS);
        ctx.close();
    }

    @Override
    public String toString() {
        return "tcp:" + remote + (authenticated ? "" : "?");
    }
}
