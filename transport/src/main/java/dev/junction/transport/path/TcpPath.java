package dev.junction.transport.path;

import dev.junction.transport.socket.IceTcpConnection;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * An ICE-TCP path (RFC 6544): one {@link IceTcpConnection}, so one 5-tuple whose identity is the connection
 * itself. Unlike a UDP address it is never taken over by another session: a connection carries one session's
 * checks, and closes when that session lets it go ({@link #onUnbound}).
 *
 * <p>Threading: the connection's loop only. Buffers: as {@link Path}.
 */
public final class TcpPath extends Path {

    private final IceTcpConnection connection;

    public TcpPath(IceTcpConnection connection) {
        this.connection = connection;
    }

    public IceTcpConnection connection() {
        return connection;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public void send(ByteBuf datagram) {
        connection.write(datagram, false);
    }

    @Override
    public void sendMedia(ByteBuf datagram) {
        connection.write(datagram, true);
    }

    /**
     * Its session let it go (ended, or evicted it): the connection has no other use. It closes after the session's
     * last writes (a close_notify follows this call).
     */
    @Override
    protected void onUnbound() {
        connection.closeAfterWrites();
    }

    @Override
    public String toString() {
        return "tcp:" + connection.remoteAddress() + (authorized ? "" : "?");
    }
}
