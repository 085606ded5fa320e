package dev.junction.transport.socket;

import dev.junction.transport.path.Path;
import io.netty.buffer.ByteBuf;

/**
 * What a TURN relay hands the datagrams it carries to, in process: the loop's demux, as a socket hands it datagrams
 * ({@link DatagramReceiver}). Two relays use it (issue 10): the embedded TURN server's short-circuit to our own media
 * sockets ({@code RelayPath}: the allocation as the session's peer), and the client role's allocation on a TURN
 * server ({@code TurnPath}: the peer as seen through the relay).
 *
 * <p>Threading: the loop of the path. Buffers: {@code datagram} is borrowed for the call.
 */
public interface RelayedReceiver {

    /** One datagram that came through the relay behind {@code path}. */
    void onRelayed(Path path, ByteBuf datagram, long nowNs);

    /** The relay behind {@code path} is gone (its allocation expired or was deleted): the path leaves its session. */
    void onRelayClosed(Path path);
}
