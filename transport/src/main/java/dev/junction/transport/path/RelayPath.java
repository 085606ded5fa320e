package dev.junction.transport.path;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A TURN allocation seen from one of our own media sockets (issue 10, the short-circuit): the session's peer is
 * the allocation's relayed address, and datagrams between them never touch the kernel. What the client relays to
 * the media address is handed by the TURN server to the media loop's demux as arriving on this path; what the
 * session sends here goes to the TURN server as if the relay socket had received it from the media address
 * ({@code TurnServer.handlePeerPacket}), which wraps it for the client.
 *
 * <p>Like an ICE-TCP connection, the path is its own 5-tuple: one instance per (relayed address, media socket),
 * made by the TURN server, bound by the demux after an authenticated check over it, and closed
 * ({@link PathTable#closed}) when the allocation goes.
 *
 * <p>Threading: created on the TURN loop, then bound and used on the media socket's loop only; {@link #send}
 * hands over to the TURN loop through its {@link Sender}. Buffers: as {@link Path}.
 */
public final class RelayPath extends Path {

    /** Where a relay path's datagrams go: the TURN server. Takes ownership of the datagram; any media loop. */
    public interface Sender {
        void sendFromMedia(RelayPath path, ByteBuf datagram);
    }

    private final InetSocketAddress relayAddress;
    private final InetSocketAddress mediaAddress;
    private final int loopIndex;
    private final Sender sender;

    public RelayPath(InetSocketAddress relayAddress, InetSocketAddress mediaAddress, int loopIndex, Sender sender) {
        this.relayAddress = Objects.requireNonNull(relayAddress, "relayAddress");
        this.mediaAddress = Objects.requireNonNull(mediaAddress, "mediaAddress");
        this.loopIndex = loopIndex;
        this.sender = Objects.requireNonNull(sender, "sender");
    }

    /** The allocation's relayed address: the peer as the session sees it. */
    @Override
    public InetSocketAddress remoteAddress() {
        return relayAddress;
    }

    /** Our media socket's announced address: the peer as the allocation sees it. */
    public InetSocketAddress mediaAddress() {
        return mediaAddress;
    }

    /** The media loop whose demux and sessions this path belongs to. */
    public int loopIndex() {
        return loopIndex;
    }

    @Override
    public void send(ByteBuf datagram) {
        sender.sendFromMedia(this, datagram);
    }

    @Override
    public void sendMedia(ByteBuf datagram) {
        sender.sendFromMedia(this, datagram);
    }

    @Override
    public String toString() {
        return "turn:" + relayAddress + (authorized ? "" : "?");
    }
}
