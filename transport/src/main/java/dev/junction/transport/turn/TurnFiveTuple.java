package dev.junction.transport.turn;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The client's 5-tuple (RFC 8656 §2): the client's transport address as the server sees it, the server's
 * transport address it reached, and the protocol. One allocation per 5-tuple.
 *
 * <p>Over TCP and TLS the client address names the connection. The I/O layer should keep one instance per
 * client (per connection, or in its UDP path table) and pass that same instance for every packet, so the
 * per-packet path creates no key; equal instances work too.
 */
public record TurnFiveTuple(TurnTransport transport, InetSocketAddress client, InetSocketAddress server) {

    public TurnFiveTuple {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
        if (client.isUnresolved() || server.isUnresolved()) {
            throw new IllegalArgumentException("5-tuple addresses must be resolved: " + client + ", " + server);
        }
    }
}
