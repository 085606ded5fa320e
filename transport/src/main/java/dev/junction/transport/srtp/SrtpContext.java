package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;
import java.security.GeneralSecurityException;

/**
 * One SSRC's SRTP or SRTCP cryptographic context in one direction (RFC 3711 §3.2.3): its rollover counter,
 * replay window or SRTCP index, and the cipher it uses. Protects (sender) or unprotects (receiver) in place.
 *
 * <p><b>Threading:</b> owned by the {@link SrtpSession}'s event loop; not thread-safe.
 * <b>Buffers:</b> borrows the packet for the call, with {@link SrtpSession}'s rules for indexes and tail room.
 */
interface SrtpContext {

    /**
     * Transforms the readable region of {@code packet} in place.
     *
     * @param headerLength the RTP header length (fixed header, CSRCs and extension, RFC 3550 §5.1), already
     *                     checked against the packet; 8 for RTCP
     */
    SrtpStatus transform(ByteBuf packet, int headerLength) throws GeneralSecurityException;
}
