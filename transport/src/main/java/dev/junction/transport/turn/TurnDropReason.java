package dev.junction.transport.turn;

/**
 * Why the TURN server discarded a packet or refused a request; each has a counter in {@link TurnServer} (and
 * /metrics), but for {@link #HANDOVER_FULL}, which its socket shell counts. The {@code REJECTED_*} reasons were
 * answered with the error code they name; the others were dropped without an answer (indications, data and
 * malformed input get none, RFC 8489 §6.3).
 */
public enum TurnDropReason {
    /** Not STUN and not ChannelData by its first two bits (RFC 8656 §12, RFC 7983). */
    NOT_TURN,
    /** STUN that failed to parse (length, cookie, attributes, fingerprint). */
    MALFORMED_STUN,
    /** ChannelData that is short, truncated, badly padded on a stream, or outside 0x4000-0x4FFF. */
    MALFORMED_CHANNEL_DATA,
    /** A STUN response, or an indication other than Send, or an indication with unknown required attributes. */
    UNEXPECTED_STUN,
    /** A Send indication without XOR-PEER-ADDRESS or DATA, or with DONT-FRAGMENT, which the relay cannot honour. */
    BAD_SEND_INDICATION,
    /** Data on a 5-tuple or relayed address that has no (live) allocation. */
    NO_ALLOCATION,
    /** Data to or from a peer IP without a live permission (RFC 8656 §9). */
    NO_PERMISSION,
    /** ChannelData on a channel that is not bound (or is expired). */
    NO_CHANNEL,
    /** A Send indication to a peer of the other address family than the relay (RFC 8656 §10.2). */
    PEER_FAMILY_MISMATCH,
    /** Data to or from a port of one of our media IPs that is not a media socket: not an open relay. */
    FORBIDDEN_PEER,
    /** Over the allocation's bandwidth budget (token bucket). */
    BANDWIDTH_EXCEEDED,
    /** A peer datagram too big to fit in a Data indication. */
    OVERSIZED,
    /**
     * Relayed between the TURN server's loop and a session on another media loop, and that hand-over ring was full
     * (the other loop stalled). Counted by the socket shell ({@code EmbeddedTurnServer.drops}), not the core.
     */
    HANDOVER_FULL,
    /** 400: malformed or contradictory request (missing attribute, bad channel, channel conflict). */
    REJECTED_BAD_REQUEST,
    /** 401 without credentials: the normal first round trip, answered with REALM and NONCE. */
    CHALLENGED,
    /** 401: unknown or expired REST username, or MESSAGE-INTEGRITY that does not verify. */
    REJECTED_UNAUTHENTICATED,
    /** 403: a permission or channel for a peer address the policy forbids. */
    REJECTED_FORBIDDEN,
    /** 420: comprehension-required attributes not understood (or DONT-FRAGMENT on Allocate). */
    REJECTED_UNKNOWN_ATTRIBUTE,
    /** 437: no allocation for the request, or an Allocate on a 5-tuple that has one. */
    REJECTED_ALLOCATION_MISMATCH,
    /** 438: the NONCE expired or was not ours; answered with a fresh one. */
    REJECTED_STALE_NONCE,
    /** 440: a relayed address family the server does not relay. */
    REJECTED_ADDRESS_FAMILY,
    /** 441: a request on an allocation with another username than the one that made it. */
    REJECTED_WRONG_CREDENTIALS,
    /** 442: REQUESTED-TRANSPORT other than UDP. */
    REJECTED_UNSUPPORTED_TRANSPORT,
    /** 443: a peer (or refresh) address family the allocation does not have. */
    REJECTED_PEER_FAMILY_MISMATCH,
    /** 486: the user already has as many allocations as allowed. */
    REJECTED_QUOTA,
    /** 508: the server's allocation total is reached, no relay port is free, or per-allocation tables are full. */
    REJECTED_CAPACITY
}
