package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.SessionDescription;

/** The outcome of {@link SdpNegotiator#answer}: an answer with what it negotiated, or why there is none. */
public sealed interface AnswerResult {

    /**
     * @param sdp        the answer text for the HTTP response, CRLF line endings
     * @param answer     the same answer as a model
     * @param negotiated what the transport and the room act on
     */
    record Answered(String sdp, SessionDescription answer, NegotiatedSession negotiated) implements AnswerResult {
    }

    /** The offer cannot be answered; the error's message is the HTTP 400 body. */
    record Rejected(OfferError error) implements AnswerResult {
    }
}
