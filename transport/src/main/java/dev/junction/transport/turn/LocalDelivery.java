package dev.junction.transport.turn;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * The short-circuit (issue 10): data a client relays to one of Junction's own media addresses is handed
 * over in process instead of being sent through the kernel to ourselves. The I/O layer gives it to the
 * media demux of {@code mediaAddress}'s socket as if it had arrived from {@code relayAddress}, so the
 * WebRtcTransport sees the allocation as a normal remote address. Traffic the other way (a media socket
 * sending to a relayed address) the I/O layer gives to {@link TurnServer#handlePeerPacket} with the media
 * address as the peer.
 */
public interface LocalDelivery {

    /**
     * One datagram from the allocation at {@code relayAddress} to our media socket at {@code mediaAddress}.
     * Ownership of {@code payload} passes to the callee, which releases it (or passes it on).
     */
    void deliverLocally(InetSocketAddress relayAddress, InetSocketAddress mediaAddress, ByteBuf payload);
}
