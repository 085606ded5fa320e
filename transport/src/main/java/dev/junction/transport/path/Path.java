package dev.junction.transport.path;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Where one session's datagrams come from and go to: one 5-tuple. A {@code WebRtcTransport} sends to a path,
 * never to a socket (str0m's {@code Transmit}), and its ICE agent picks which one; the demux finds the path a
 * datagram arrived on and hands both to the path's owner. UDP is {@link UdpPath}; a framed TCP connection
 * (RFC 4571) or a TURN allocation are paths too, so the layers above do not change when they arrive.
 *
 * <p>Binding (DESIGN §3.5): a path reaches its owner's DTLS and SRTP only once a {@link PathTable} has
 * {@linkplain PathTable.PathSet#authorize authorized} it, after an authenticated STUN check. Until then it is a
 * candidate: STUN from it may be answered, nothing else gets through.
 *
 * <p>Threading: created, bound and used on its loop only. Buffers: {@link #send} and {@link #sendMedia} take
 * ownership of the datagram (released when sent or refused).
 */
public abstract class Path {

    // Written by PathTable, on the loop.
    PathOwner owner;
    PathTable.PathSet set;
    boolean authorized;

    protected Path() {
    }

    /** The peer's address on this path (for TURN: the peer's relayed address as the session sees it). */
    public abstract InetSocketAddress remoteAddress();

    /** Sends one datagram now or at the end of the current burst (STUN, DTLS, RTCP); takes ownership. */
    public abstract void send(ByteBuf datagram);

    /**
     * Sends one media datagram; where the path can, it is coalesced with the others written to the same peer in
     * this burst (UDP GSO). Takes ownership.
     */
    public abstract void sendMedia(ByteBuf datagram);

    /**
     * Called when the path leaves its session (the session ended, evicted it, or another session took its address
     * over); a connection-backed path closes its connection. Nothing by default.
     */
    protected void onUnbound() {
    }

    /** The session this path is bound to, or null while it is a candidate. */
    public final PathOwner owner() {
        return owner;
    }

    /** Whether DTLS and SRTP from this path reach its owner: an authenticated check came over it. */
    public final boolean isAuthorized() {
        return authorized;
    }
}
