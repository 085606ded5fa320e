package dev.junction.transport.socket;

import dev.junction.codec.demux.StreamClassifier;
import dev.junction.codec.demux.StreamKind;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.tls.TlsClientHello;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The first handler of every connection to the {@link PublicPort}: gathers its first bytes, classifies them
 * ({@link StreamClassifier}, then the ClientHello's server name and ALPN, or the first ICE-TCP frame's USERNAME),
 * and hands the connection, with the bytes read so far, to the protocol that serves it, removing itself. A thin
 * shell over the codec's pure classifiers.
 *
 * <p>Bounded: it reads at most {@link PublicPort.Limits#maxPreambleBytes} and waits at most
 * {@link PublicPort.Limits#preambleTimeoutMs}; then the connection is closed and counted.
 *
 * <p>Threading: the public port's loop (media loop 0). Buffers: reads are copied into one pooled buffer,
 * {@link #preamble}, and released at once; the preamble goes whole to the protocol it is handed to (which releases
 * it), or is released here when the connection is refused or closes first.
 */
final class PreambleClassifier extends ChannelInboundHandlerAdapter {

    private final PublicPort port;
    private final InetAddress source;
    private ByteBuf preamble;
    private ScheduledFuture<?> timeout;
    /** Set once the connection was handed on or refused: nothing more happens here. */
    private boolean decided;

    PreambleClassifier(PublicPort port, Channel child) {
        this.port = port;
        this.source = ((InetSocketAddress) child.remoteAddress()).getAddress();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> refuse(ctx, PublicPort.Refusal.TIMEOUT), port.limits().preambleTimeoutMs(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided || !(msg instanceof ByteBuf in)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            int have = preamble == null ? 0 : preamble.readableBytes();
            if (have + in.readableBytes() > port.limits().maxPreambleBytes()) {
                refuse(ctx, PublicPort.Refusal.PREAMBLE_TOO_LONG);
                return;
            }
            if (preamble == null) preamble = ctx.alloc().buffer(Math.max(in.readableBytes(), 256));
            preamble.writeBytes(in);
        } finally {
            in.release();
        }
        classify(ctx);
    }

    private void classify(ChannelHandlerContext ctx) {
        int offset = preamble.readerIndex();
        int length = preamble.readableBytes();
        switch (StreamClassifier.classify(preamble, offset, length)) {
            case NEED_MORE -> {
            }
            case UNKNOWN -> refuse(ctx, PublicPort.Refusal.UNKNOWN_PROTOCOL);
            case HTTP -> splice(ctx, PublicPort.Protocol.HTTP);
            case TURN -> toTurn(ctx, null);
            case TLS -> {
                switch (TlsClientHello.parse(preamble, offset, length)) {
                    case TlsClientHello.NeedMore more -> {
                    }
                    case TlsClientHello.Malformed bad -> refuse(ctx, PublicPort.Refusal.BAD_TLS);
                    case TlsClientHello.Hello hello -> {
                        if (isTurn(hello)) toTurn(ctx, port.turnTls());
                        else splice(ctx, PublicPort.Protocol.HTTPS);
                    }
                }
            }
            case ICE_TCP -> iceTcp(ctx, offset, length);
        }
    }

    /**
     * TURN when the server name is the configured TURN name, or the client offers {@code stun.turn} (RFC 7443), or
     * it offers no ALPN and the port is told that means TURN: libwebrtc's TURN client offers none (it has no ALPN
     * setting a page can reach), while every browser's HTTPS offers {@code h2}/{@code http/1.1}.
     */
    private boolean isTurn(TlsClientHello.Hello hello) {
        if (!port.turnName().isEmpty() && hello.serverName().filter(port.turnName()::equals).isPresent()) return true;
        if (hello.offers(PublicPort.ALPN_TURN)) return true;
        return hello.alpn().isEmpty() && port.noAlpnToTurn();
    }

    /** The first frame must be whole: its USERNAME names the session, whose loop takes the connection. */
    private void iceTcp(ChannelHandlerContext ctx, int offset, int length) {
        int frame = 2 + preamble.getUnsignedShort(offset);
        if (frame > port.limits().maxPreambleBytes()) {
            refuse(ctx, PublicPort.Refusal.PREAMBLE_TOO_LONG);
            return;
        }
        if (length < frame) return;
        StunMessage stun = new StunMessage();
        if (stun.wrap(preamble, offset + 2, frame - 2) != StunParseResult.OK || !stun.hasUsername()) {
            refuse(ctx, PublicPort.Refusal.UNKNOWN_UFRAG);
            return;
        }
        int loopIndex = port.routes().loopOf(stun.usernameLocalPart());
        if (loopIndex < 0) {
            refuse(ctx, PublicPort.Refusal.UNKNOWN_UFRAG);
            return;
        }
        ByteBuf bytes = handOver(ctx, PublicPort.Protocol.ICE_TCP);
        Channel channel = ctx.channel();
        IceTcpListener adopter = port.adopter(loopIndex);
        MediaLoop target = adopter.loop();
        if (target.eventLoop() == channel.eventLoop()) {
            adopter.adopt(channel, bytes);
            return;
        }
        // NOTE: reading stops while the channel moves; what arrives meanwhile waits in the socket buffer, and the
        // adopted connection sees the preamble first, then the rest, in order.
        channel.config().setAutoRead(false);
        channel.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                bytes.release();
                port.count(PublicPort.Refusal.LOOP_REFUSED);
                channel.close();
                return;
            }
            try {
                target.eventLoop().register(channel).addListener(registered -> {
                    if (!registered.isSuccess()) {
                        bytes.release();
                        port.count(PublicPort.Refusal.LOOP_REFUSED);
                        channel.unsafe().closeForcibly();
                        return;
                    }
                    if (adopter.adopt(channel, bytes)) channel.config().setAutoRead(true);
                });
            } catch (RuntimeException e) { // the target loop is shutting down
                bytes.release();
                port.count(PublicPort.Refusal.LOOP_REFUSED);
                channel.unsafe().closeForcibly();
            }
        });
    }

    private void toTurn(ChannelHandlerContext ctx, io.netty.handler.ssl.SslContext tls) {
        EmbeddedTurnServer turn = port.turn();
        if (turn == null) {
            refuse(ctx, PublicPort.Refusal.TURN_OFF);
            return;
        }
        ByteBuf bytes = handOver(ctx, tls == null ? PublicPort.Protocol.TURN_TCP : PublicPort.Protocol.TURN_TLS);
        turn.adopt(ctx.channel(), tls, bytes);
    }

    private void splice(ChannelHandlerContext ctx, PublicPort.Protocol protocol) {
        PublicPort.Backends backends = port.currentBackends();
        InetSocketAddress backend = backends == null ? null : protocol == PublicPort.Protocol.HTTPS ? backends.https() : backends.http();
        if (backend == null) {
            refuse(ctx, PublicPort.Refusal.BACKEND_UNAVAILABLE);
            return;
        }
        Channel channel = ctx.channel();
        ByteBuf bytes = handOver(ctx, protocol);
        Splice.start(port, channel, backend, bytes);
    }

    /**
     * Ends classification: counts {@code protocol}, gives the connection's place back, removes this handler, and
     * returns the preamble for the new owner.
     */
    private ByteBuf handOver(ChannelHandlerContext ctx, PublicPort.Protocol protocol) {
        finish();
        port.count(protocol);
        ByteBuf bytes = preamble;
        preamble = null;
        ctx.pipeline().remove(this);
        return bytes;
    }

    private void refuse(ChannelHandlerContext ctx, PublicPort.Refusal reason) {
        if (decided) return;
        finish();
        port.count(reason);
        release();
        ctx.close();
    }

    private void finish() {
        decided = true;
        if (timeout != null) timeout.cancel(false);
        port.onDecided(source);
    }

    private void release() {
        if (preamble != null) {
            preamble.release();
            preamble = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!decided) {
            finish();
            port.count(PublicPort.Refusal.PEER_CLOSED);
        }
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset before classification: channelInactive follows and counts it.
        ctx.close();
    }
}
