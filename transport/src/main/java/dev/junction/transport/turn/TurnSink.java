package dev.junction.transport.turn;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Everything the {@link TurnServer} core sends, as calls the I/O layer implements (and tests capture).
 * Every buffer passed here is owned by the callee from then on: it writes it (Netty's write releases) or
 * releases it. Calls happen on the core's thread, inside the {@code handle…} call that caused them.
 */
public interface TurnSink extends LocalDelivery {

    /** A STUN response, Data indication or ChannelData message to the client on {@code tuple}. Owned by the callee. */
    void sendToClient(TurnFiveTuple tuple, ByteBuf message);

    /** One UDP datagram from the relay socket at {@code relayAddress} to {@code peer}, through the kernel. Owned by the callee. */
    void sendToPeer(InetSocketAddress relayAddress, InetSocketAddress peer, ByteBuf payload);
}
