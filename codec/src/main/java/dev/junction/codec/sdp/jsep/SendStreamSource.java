package dev.junction.codec.sdp.jsep;

import java.util.Optional;

/**
 * Supplies what Junction sends in each m-section it would send in, called once per such m-section, in offer
 * order, on the thread that builds the answer. The gateway allocates the SSRCs of a subscriber slot here;
 * Producers are bound to slots later, without renegotiation (DESIGN §4).
 *
 * <p>Returning empty leaves the m-section without a sender: an offered recvonly section is then answered
 * inactive, a sendrecv one recvonly. SSRCs must be unique within the answer.
 */
@FunctionalInterface
public interface SendStreamSource {

    /** Sends nothing: every section that would send is answered without a sender. */
    SendStreamSource NONE = slot -> Optional.empty();

    Optional<SendStream> allocate(SendSlot slot);
}
