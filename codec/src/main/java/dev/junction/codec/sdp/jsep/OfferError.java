package dev.junction.codec.sdp.jsep;

/**
 * Why Junction cannot answer an offer: a reason for code (counters, tests) and a one-line message for the
 * HTTP 400 body (DESIGN §4).
 *
 * @param reason  the kind of problem
 * @param message what exactly is wrong, one line, naming the line or m-section where that helps
 */
public record OfferError(Reason reason, String message) {

    public OfferError {
        if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("an offer error message is one line");
        }
    }

    /** The reasons an offer cannot be answered, in the order the answerer checks them. */
    public enum Reason {
        /** The SDP does not parse; the message carries the line number. */
        MALFORMED_SDP,
        /** The offer is ICE-lite too; two lite agents cannot connect (RFC 8445 §2.5). */
        ICE_LITE_OFFER,
        /** No m-section at all, or none of audio/video that Junction can serve. */
        NO_SUPPORTED_MEDIA,
        /** An m-section lacks {@code a=mid}, which BUNDLE needs (RFC 8843 §7.1). */
        MISSING_MID,
        /** Two m-sections carry the same mid (RFC 5888 §4). */
        DUPLICATE_MID,
        /** No {@code a=group:BUNDLE}, or an empty one: Junction serves max-bundle offers only (RFC 8843). */
        NO_BUNDLE,
        /** The BUNDLE group names a mid no m-section has, or a mid twice. */
        INVALID_BUNDLE,
        /** No {@code a=ice-ufrag}/{@code a=ice-pwd} for the BUNDLE transport. */
        NO_ICE_CREDENTIALS,
        /** ICE credentials of the wrong length or characters (RFC 8839 §5.4). */
        INVALID_ICE_CREDENTIALS,
        /** No {@code a=fingerprint} for the BUNDLE transport (RFC 5763 §5). */
        NO_FINGERPRINT,
        /** Only fingerprints with hash functions Junction does not verify (sha-1, md5, ...). */
        UNSUPPORTED_FINGERPRINT_HASH,
        /** A fingerprint whose length does not fit its hash function. */
        INVALID_FINGERPRINT,
        /** {@code a=setup:passive} or {@code holdconn}: Junction is always the DTLS server (passive). */
        UNSUPPORTED_SETUP_ROLE,
        /** A bundled RTP m-section without {@code a=rtcp-mux} (RFC 8843 §9.3, RFC 5761). */
        NO_RTCP_MUX,
        /** No audio or video m-section shares a codec with Junction's capabilities. */
        NO_COMMON_CODEC
    }

    @Override
    public String toString() {
        return reason + ": " + message;
    }
}
