package dev.junction.transport.path;

import dev.junction.codec.stun.StunMessage;
import dev.junction.transport.DropReason;
import io.netty.buffer.ByteBuf;

/**
 * What a {@link PathTable} binds paths to: one session ({@code WebRtcTransport}). The demux classifies each
 * datagram (RFC 7983), finds its path, and calls the path's owner; the owner answers with the reason it dropped
 * the datagram, or null when it took it.
 *
 * <p>Threading: every method is called on the owner's loop. Buffers: datagrams are borrowed for the call.
 */
public interface PathOwner {

    /** A parsed STUN message that arrived on {@code from} (bound to this owner, or a candidate for it). */
    DropReason handleStun(StunMessage message, Path from, long nowNs);

    /** A DTLS record from {@code from}, an authorized path of this owner. */
    DropReason handleDtls(Path from, ByteBuf datagram);

    /** An SRTP or SRTCP packet from {@code from}, an authorized path of this owner. */
    DropReason handleSrtp(Path from, ByteBuf datagram, boolean rtcp, long nowNs);

    /**
     * Whether {@code request}'s USERNAME names this owner's current credentials: a check on a bound path goes
     * straight to its owner without a table lookup by ufrag.
     */
    boolean acceptsUsername(StunMessage request);

    /**
     * {@code path} is no longer bound to this owner: another session's authenticated check took its address
     * over, or it was the oldest of this owner's paths beyond {@link PathTable#MAX_PATHS_PER_OWNER}.
     */
    void onPathRevoked(Path path);
}
