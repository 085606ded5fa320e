package dev.junction.transport.socket;

import dev.junction.codec.stun.ChannelData;
import dev.junction.codec.stun.StunMessage;
import dev.junction.transport.turn.TurnFiveTuple;
import dev.junction.transport.turn.TurnTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * One TURN client over TCP or TLS (RFC 8656 §3.1): a byte stream of STUN messages and ChannelData messages, each
 * cut by its own header, no other framing (RFC 8656 §12.5):
 *
 * <pre>
 *   STUN:        |0 0| type (14 bits) | length (16) | ... 16 more header bytes ... | length bytes |
 *   ChannelData: |0 1| channel (14 bits)| length (16) | data, padded to a multiple of 4 on a stream |
 * </pre>
 *
 * A first byte that is neither (10 or 11 in its top bits) cannot be resynchronised: the connection is closed
 * and counted. Whole frames go to the {@link EmbeddedTurnServer} in place; only a frame split across reads is
 * copied, into one pooled buffer of at most a frame (20 + 65,535 bytes) and a read, freed as soon as it empties.
 * Over TLS this handler sits behind Netty's {@code SslHandler} and sees plaintext. The framing is the same in both
 * roles, so one class serves both: its {@link Owner} is the {@link EmbeddedTurnServer} for an accepted connection
 * and a {@link TurnClientConnection} for one we opened to a TURN server.
 *
 * <p>Writes: each message is written as it is (already framed by the core) and flushed at the burst's end.
 * Data towards the client is dropped and counted while the channel's outbound buffer is past its high water
 * mark (a slow reader cannot make the loop buffer without bound); responses may use twice that.
 *
 * <p>Threading: the TURN loop only. Buffers: frames are borrowed by the server for the call; {@link #write}
 * takes ownership.
 */
final class TurnStreamConnection extends ChannelInboundHandlerAdapter implements MediaLoop.Flushable {

    /** Who the frames are for: the server role or the client role. Called on the connection's loop. */
    interface Owner {
        /** The connection is up (its 5-tuple is known). */
        void onStreamOpened(TurnStreamConnection connection);

        /** Whether an allocation exists on the connection now (it then counts as authenticated). */
        boolean hasAllocation(TurnFiveTuple tuple, long nowNs);

        /** The first time {@link #hasAllocation} was true. */
        void onStreamAuthenticated(TurnStreamConnection connection);

        /** One whole frame, borrowed for the call; its readable bytes are exactly the frame. */
        void onStreamFrame(TurnStreamConnection connection, ByteBuf frame, long nowNs);

        /** Bytes that are neither STUN nor ChannelData: the connection is being closed. */
        void onStreamGarbage(TurnStreamConnection connection);

        /** A reset, a refused write or a failed TLS handshake: the connection is being closed. */
        void onStreamError(TurnStreamConnection connection);

        /** The connection closed; nothing more comes from it. */
        void onStreamClosed(TurnStreamConnection connection);
    }

    /** The largest frame: a STUN header and the largest length its 16 bits can announce. */
    static final int MAX_FRAME = StunMessage.HEADER_LENGTH + 0xFFFF;

    private final Owner server;
    private final MediaLoop loop;
    private final TurnTransport transport;
    private final Runnable flushTask = this::flushNow;
    private Channel channel;
    private TurnFiveTuple tuple;
    private ByteBuf partial;
    private boolean closed;
    private boolean authenticated;
    private boolean flushScheduled;
    private int pendingWrites;

    TurnStreamConnection(Owner server, MediaLoop loop, TurnTransport transport) {
        this.server = server;
        this.loop = loop;
        this.transport = transport;
    }

    TurnFiveTuple tuple() {
        return tuple;
    }

    boolean authenticated() {
        return authenticated;
    }

    /** Queues one message to the client; takes ownership. False, having released it, when it was dropped. */
    boolean write(ByteBuf message, boolean data) {
        if (closed || channel == null || overHighWater(data)) {
            message.release();
            return false;
        }
        channel.write(message, channel.voidPromise());
        pendingWrites++;
        if (loop.inBurst()) {
            loop.markDirty(this);
        } else if (!flushScheduled) {
            flushScheduled = true;
            loop.eventLoop().execute(flushTask);
        }
        return true;
    }

    private boolean overHighWater(boolean data) {
        if (data) return !channel.isWritable();
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null || out.totalPendingWriteBytes() > 2L * channel.config().getWriteBufferHighWaterMark();
    }

    void close() {
        if (channel != null) channel.close();
    }

    @Override
    public void flushBurst() {
        flushNow();
    }

    private void flushNow() {
        flushScheduled = false;
        if (pendingWrites > 0 && !closed) {
            pendingWrites = 0;
            channel.flush();
        }
    }

    // ---- Netty -----------------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Added to an active child channel by the initializer: channelActive has already passed before us.
        if (ctx.channel().isActive()) activate(ctx.channel());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activate(ctx.channel());
        ctx.fireChannelActive();
    }

    private void activate(Channel ch) {
        if (tuple != null) return;
        channel = ch;
        tuple = new TurnFiveTuple(transport, (InetSocketAddress) ch.remoteAddress(), (InetSocketAddress) ch.localAddress());
        server.onStreamOpened(this);
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
                    int need = frameLength(in);
                    partial = channel.alloc().directBuffer(Math.max(need < 0 ? 64 : need, in.readableBytes()));
                    partial.writeBytes(in);
                }
            }
        } finally {
            in.release();
        }
        if (!authenticated && !closed && server.hasAllocation(tuple, nowNs)) {
            authenticated = true;
            server.onStreamAuthenticated(this);
        }
    }

    /**
     * The length of the frame at the reader index, -1 when its 4-byte header is not all there yet, or -2 when the
     * first byte is neither STUN nor ChannelData.
     */
    private static int frameLength(ByteBuf buf) {
        if (buf.readableBytes() < 4) return -1;
        int start = buf.readerIndex();
        int first = buf.getUnsignedByte(start);
        int length = buf.getUnsignedShort(start + 2);
        if ((first & 0xC0) == 0) return StunMessage.HEADER_LENGTH + length;
        if (ChannelData.isChannelData(first)) return ChannelData.streamFrameLength(length);
        return -2;
    }

    /** Hands every whole frame of {@code buf} to the server; leaves {@code buf} at the first incomplete one. */
    private void deliverFrames(ByteBuf buf, long nowNs) {
        while (!closed) {
            int length = frameLength(buf);
            if (length == -2) {
                server.onStreamGarbage(this);
                buf.skipBytes(buf.readableBytes());
                closed = true;
                channel.close();
                return;
            }
            if (length < 0 || buf.readableBytes() < length) return;
            int start = buf.readerIndex();
            int end = buf.writerIndex();
            buf.setIndex(start, start + length);
            try {
                server.onStreamFrame(this, buf, nowNs);
            } finally {
                buf.setIndex(start + length, end);
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
        server.onStreamClosed(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset, a refused write or a failed TLS handshake: the connection is over. NOTE: closing it ourselves
        // (garbage) fails the writes still queued, each through this method; that is no second error to report.
        if (!closed) server.onStreamError(this);
        ctx.close();
    }

    @Override
    public String toString() {
        return transport.name().toLowerCase(java.util.Locale.ROOT) + ":" + (tuple == null ? "?" : tuple.client());
    }
}
