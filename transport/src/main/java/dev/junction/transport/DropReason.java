package dev.junction.transport;

/** Why the media path dropped a datagram; each has a counter in {@link MediaDemux} (and /metrics). */
public enum DropReason {
    /** First byte in no RFC 7983 range we serve (ZRTP, TURN channel data, empty). */
    NOT_WEBRTC,
    /** Malformed STUN: bad length, cookie, fingerprint or attributes. */
    MALFORMED_STUN,
    /** A STUN request whose USERNAME names no session on this socket, from an unbound address. */
    STUN_NO_SESSION,
    /** A STUN request the session's ICE agent rejected (it was answered with an error). */
    STUN_REJECTED,
    /**
     * STUN from no authorized path, over its session's budget ({@link StunRateLimiter}): dropped unanswered,
     * before any HMAC.
     */
    STUN_OVER_SESSION_LIMIT,
    /** STUN from no authorized path, over its source address's budget: dropped unanswered, before any HMAC. */
    STUN_OVER_SOURCE_LIMIT,
    /** STUN from no authorized path, over the loop's budget: dropped unanswered, before any HMAC. */
    STUN_OVER_LOOP_LIMIT,
    /** A STUN response or indication nobody waits for. */
    STUN_UNEXPECTED,
    /** DTLS from a 5-tuple no authenticated check has bound (DESIGN §3.5). */
    DTLS_UNBOUND,
    /** DTLS the session's endpoint refused (closed, queue full, oversized). */
    DTLS_REFUSED,
    /** SRTP or SRTCP from a 5-tuple no authenticated check has bound, dropped before any crypto. */
    SRTP_UNBOUND,
    /** SRTP or SRTCP before the session has keys. */
    SRTP_NOT_READY,
    /** SRTP or SRTCP that failed to unprotect: bad tag, replay, malformed (the session counts which). */
    SRTP_UNPROTECT_FAILED
}
