package dev.junction.transport.socket;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * What a {@link MediaSocket} hands its datagrams to. Called on the socket's event loop only.
 *
 * <p>Buffer rule: {@code content} is borrowed for the duration of the call. The socket releases it when
 * the call returns (DESIGN §3.4: inbound datagrams are released in exactly one place), so a receiver
 * that keeps bytes copies them or calls {@code retain()} and says so.
 */
public interface DatagramReceiver {

    /** One datagram from {@code sender}. Must not throw for any content: bad input is dropped and counted. */
    void onDatagram(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs);
}
