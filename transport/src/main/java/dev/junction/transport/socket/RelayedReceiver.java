package dev.junction.transport.socket;

import dev.junction.transport.path.RelayPath;
import io.netty.buffer.ByteBuf;

/**
 * What the embedded TURN server hands datagrams relayed to one of our media sockets to, in process (issue 10's
 * short-circuit): the media loop's demux, as a socket hands it datagrams ({@link DatagramReceiver}).
 *
 * <p>Threading: the media loop of the path. Buffers: {@code datagram} is borrowed for the call.
 */
public interface RelayedReceiver {

    /** One datagram from the allocation behind {@code path}, addressed to {@code path.mediaAddress()}. */
    void onRelayed(RelayPath path, ByteBuf datagram, long nowNs);

    /** The allocation behind {@code path} is gone: the path leaves its session. */
    void onRelayClosed(RelayPath path);
}
