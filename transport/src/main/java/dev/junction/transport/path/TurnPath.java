package dev.junction.transport.path;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The client role's path through a TURN allocation (issue 10, RFC 8656): datagrams to {@link #remoteAddress()} (the
 * peer) leave wrapped for the TURN server (ChannelData once the peer's channel is bound, a Send indication before),
 * and what the server relays from the peer arrives on this path. The session sees the peer's own address; the peer
 * sees our relayed address.
 *
 * <p>Like an ICE-TCP connection, the path is its own 5-tuple: one instance per (allocation, peer), made by the
 * allocation's connection, and closed ({@link PathTable#closed}) when the allocation goes.
 *
 * <p>Threading: the allocation's loop only. Buffers: as {@link Path}.
 */
public final class TurnPath extends Path {

    /** Where a TURN path's datagrams go: its allocation. Takes ownership of the datagram; the path's loop. */
    public interface Relay {
        void sendThrough(TurnPath path, ByteBuf datagram, boolean media);
    }

    private final InetSocketAddress peer;
    private final Relay relay;

    public TurnPath(InetSocketAddress peer, Relay relay) {
        this.peer = Objects.requireNonNull(peer, "peer");
        this.relay = Objects.requireNonNull(relay, "relay");
    }

    /** The peer, as the session addresses it. */
    @Override
    public InetSocketAddress remoteAddress() {
        return peer;
    }

    @Override
    public void send(ByteBuf datagram) {
        relay.sendThrough(this, datagram, false);
    }

    @Override
    public void sendMedia(ByteBuf datagram) {
        relay.sendThrough(this, datagram, true);
    }

    @Override
    public String toString() {
        return "turn-client:" + peer + (authorized ? "" : "?");
    }
}
