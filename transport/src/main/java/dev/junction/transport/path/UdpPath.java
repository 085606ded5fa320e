package dev.junction.transport.path;

import dev.junction.transport.socket.GsoBatcher;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A UDP 5-tuple: one of our media sockets and one remote address. Media written to it during a burst leaves
 * through its own {@link GsoBatcher.Batch}, so a frame's packets to this peer go out as one segmented send.
 *
 * <p>Threading: the socket's loop only. Buffers: as {@link Path}.
 */
public final class UdpPath extends Path {

    private final MediaSocket socket;
    private final InetSocketAddress remote;
    private final GsoBatcher.Batch batch = new GsoBatcher.Batch();

    public UdpPath(MediaSocket socket, InetSocketAddress remote) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    public MediaSocket socket() {
        return socket;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void send(ByteBuf datagram) {
        socket.write(datagram, remote);
    }

    @Override
    public void sendMedia(ByteBuf datagram) {
        socket.write(datagram, remote, batch);
    }

    @Override
    public String toString() {
        return "udp:" + remote + (authorized ? "" : "?");
    }
}
