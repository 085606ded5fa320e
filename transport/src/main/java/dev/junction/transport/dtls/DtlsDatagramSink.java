package dev.junction.transport.dtls;

import io.netty.buffer.ByteBuf;

/**
 * Where a {@link DtlsEndpoint} puts the datagrams it sends (one DTLS flight may be several).
 *
 * <p>Threading: called on the endpoint's DTLS thread, one call at a time, never on an event loop. The
 * socket layer's implementation hops onto the socket's event loop to write, e.g.
 * {@code loop.execute(() -> socket.write(datagram, peer))}.
 *
 * <p>Buffers: the sink takes ownership of {@code datagram} (a fresh buffer holding exactly one datagram)
 * and must release it or pass it on to something that does, also when it cannot send.
 */
@FunctionalInterface
public interface DtlsDatagramSink {
    void send(ByteBuf datagram);
}
