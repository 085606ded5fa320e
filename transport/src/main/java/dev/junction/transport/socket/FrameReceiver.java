package dev.junction.transport.socket;

import io.netty.buffer.ByteBuf;

/**
 * What an {@link IceTcpConnection} hands its whole RFC 4571 frames to: the loop's demux, as a UDP socket hands
 * its datagrams to a {@link DatagramReceiver}.
 *
 * <p>Threading: the connection's loop. Buffers: {@code frame} (its readable bytes are exactly the frame) is
 * borrowed for the call; retain a slice to keep it.
 */
public interface FrameReceiver {

    /** One whole frame from {@code connection}. */
    void onFrame(IceTcpConnection connection, ByteBuf frame, long nowNs);

    /** {@code connection} closed (by either side); nothing more comes from it and writes to it are dropped. */
    void onClosed(IceTcpConnection connection);
}
