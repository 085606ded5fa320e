package dev.junction.transport;

import io.netty.buffer.ByteBuf;

/**
 * Where a room sends one session's outgoing media: protect and send. {@link WebRtcTransport} is the real
 * one; tests of room logic can use an in-memory one.
 *
 * <p>Threading: called on the session's event loop only. Buffers: both methods take ownership of the
 * packet (released when sent or refused); the packet needs tail room for the SRTP tag.
 */
public interface MediaSender {

    /** Protects and sends one RTP packet; false (packet released) when the session cannot send yet. */
    boolean sendRtp(ByteBuf packet);

    /** Protects and sends one compound RTCP packet; false (packet released) when the session cannot send yet. */
    boolean sendRtcp(ByteBuf packet);
}
