package dev.junction.codec.stun;

/**
 * The ERROR-CODE values an ICE agent or a TURN server sends or meets (RFC 8489 §14.8, RFC 8445 §7.3.1.1,
 * RFC 8656 §19) and their reason phrases.
 */
public final class StunErrorCode {

    public static final int TRY_ALTERNATE = 300;
    /** Malformed request, or one lacking USERNAME or MESSAGE-INTEGRITY (RFC 8489 §9.1.3). */
    public static final int BAD_REQUEST = 400;
    /** Unknown USERNAME or wrong MESSAGE-INTEGRITY (RFC 8489 §9.1.3). */
    public static final int UNAUTHENTICATED = 401;
    /** Comprehension-required attributes not understood; the response lists them in UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1.1). */
    public static final int UNKNOWN_ATTRIBUTE = 420;
    /** TURN: the peer address is forbidden by policy, or the request is not allowed (RFC 8656 §19). */
    public static final int FORBIDDEN = 403;
    /** TURN: a request needing an allocation without one, or an Allocate for a 5-tuple that has one (RFC 8656 §19). */
    public static final int ALLOCATION_MISMATCH = 437;
    /** The NONCE is no longer valid; the response carries a fresh one (RFC 8489 §9.2.4). */
    public static final int STALE_NONCE = 438;
    /** TURN: the requested relay address family is not supported (RFC 8656 §19). */
    public static final int ADDRESS_FAMILY_NOT_SUPPORTED = 440;
    /** TURN: a request on an allocation with credentials other than those that created it (RFC 8656 §19). */
    public static final int WRONG_CREDENTIALS = 441;
    /** TURN: REQUESTED-TRANSPORT names a protocol the server cannot relay (RFC 8656 §19). */
    public static final int UNSUPPORTED_TRANSPORT_PROTOCOL = 442;
    /** TURN: the peer address family differs from the relayed address family (RFC 8656 §19). */
    public static final int PEER_ADDRESS_FAMILY_MISMATCH = 443;
    /** TURN: the user has as many allocations as they may have (RFC 8656 §19). */
    public static final int ALLOCATION_QUOTA_REACHED = 486;
    /** ICE role conflict (RFC 8445 §7.3.1.1). */
    public static final int ROLE_CONFLICT = 487;
    public static final int SERVER_ERROR = 500;
    /** TURN: no resources for the request, e.g. no relay port free or the server's total is reached (RFC 8656 §19). */
    public static final int INSUFFICIENT_CAPACITY = 508;

    private StunErrorCode() {
    }

    /** The RFC's suggested reason phrase, or an empty string for codes it does not name. */
    public static String reason(int code) {
        return switch (code) {
            case TRY_ALTERNATE -> "Try Alternate";
            case BAD_REQUEST -> "Bad Request";
            case UNAUTHENTICATED -> "Unauthenticated";
            case UNKNOWN_ATTRIBUTE -> "Unknown Attribute";
            case FORBIDDEN -> "Forbidden";
            case ALLOCATION_MISMATCH -> "Allocation Mismatch";
            case STALE_NONCE -> "Stale Nonce";
            case ADDRESS_FAMILY_NOT_SUPPORTED -> "Address Family not Supported";
            case WRONG_CREDENTIALS -> "Wrong Credentials";
            case UNSUPPORTED_TRANSPORT_PROTOCOL -> "Unsupported Transport Protocol";
            case PEER_ADDRESS_FAMILY_MISMATCH -> "Peer Address Family Mismatch";
            case ALLOCATION_QUOTA_REACHED -> "Allocation Quota Reached";
            case ROLE_CONFLICT -> "Role Conflict";
            case SERVER_ERROR -> "Server Error";
            case INSUFFICIENT_CAPACITY -> "Insufficient Capacity";
            default -> "";
        };
    }
}
