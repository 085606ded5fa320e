package dev.junction.transport.socket;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A byte splice between a public-port connection and a backend on loopback (the HTTP API's listeners), both on the
 * client's event loop. The backend first gets a PROXY protocol v1 line naming the client's address and the address
 * it reached (HAProxy's proxy-protocol.txt §2.1), then the bytes read while classifying, then everything else.
 *
 * <p>Each read buffer is written to the other side as it is (no copy). Back-pressure: a side whose peer's outbound
 * buffer is past its high water mark stops reading until the peer drains below the low mark. Either side closing
 * closes the other once what it queued has been written.
 *
 * <p>Threading: the client's event loop (both channels). Buffers: each read is owned by the write to the other
 * side (Netty releases it, also on failure); the preamble likewise.
 */
final class Splice extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    private Splice(Channel peer) {
        this.peer = peer;
    }

    /** Connects {@code client} to {@code backend}; takes ownership of {@code preamble}. On the client's loop. */
    static void start(PublicPort port, Channel client, InetSocketAddress backend, ByteBuf preamble) {
        client.config().setAutoRead(false);
        Bootstrap bootstrap = new Bootstrap().group(client.eventLoop())
                .channel(port.plane().usesEpoll() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, client.alloc())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(port.limits().writeHighWaterBytes() / 2, port.limits().writeHighWaterBytes()))
                .handler(new ChannelInboundHandlerAdapter());
        ChannelFuture connecting = bootstrap.connect(backend);
        Channel server = connecting.channel();
        // Until connected the client reads nothing; if it goes meanwhile, so does the attempt.
        client.pipeline().addLast(new Splice(server));
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                preamble.release();
                port.count(PublicPort.Refusal.BACKEND_UNAVAILABLE);
                client.close();
                return;
            }
            server.pipeline().addLast(new Splice(client));
            server.write(Unpooled.copiedBuffer(proxyLine(client), StandardCharsets.US_ASCII));
            server.writeAndFlush(preamble);
            client.config().setAutoRead(true);
            server.config().setAutoRead(true);
        });
    }

    /** {@code PROXY TCP4|TCP6 <client ip> <reached ip> <client port> <reached port>\r\n}. */
    static String proxyLine(Channel client) {
        InetSocketAddress from = (InetSocketAddress) client.remoteAddress();
        InetSocketAddress to = (InetSocketAddress) client.localAddress();
        boolean v4 = from.getAddress() instanceof Inet4Address && to.getAddress() instanceof Inet4Address;
        String family = v4 ? "TCP4" : "TCP6";
        return "PROXY " + family + " " + ip(from, v4) + " " + ip(to, v4) + " " + from.getPort() + " " + to.getPort() + "\r\n";
    }

    private static String ip(InetSocketAddress a, boolean v4) {
        String text = a.getAddress().getHostAddress();
        // A TCP6 line names IPv4 addresses in their mapped form.
        return v4 || text.indexOf(':') >= 0 ? text : "::ffff:" + text;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (!peer.isWritable()) ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // Our side drained: the peer, which stopped reading for our sake, may go on.
        if (ctx.channel().isWritable() && peer.isActive()) peer.config().setAutoRead(true);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        else peer.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a failed write: both sides go (channelInactive closes the peer).
        ctx.close();
    }
}
