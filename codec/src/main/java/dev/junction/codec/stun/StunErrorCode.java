package dev.junction.codec.stun;

/** The ERROR-CODE values an ICE agent sends or meets (RFC 8489 §14.8, RFC 8445 §7.3.1.1) and their reason phrases. */
public final class StunErrorCode {

    public static final int TRY_ALTERNATE = 300;
    /** Malformed request, or one lacking USERNAME or MESSAGE-INTEGRITY (RFC 8489 §9.1.3). */
    public static final int BAD_REQUEST = 400;
    /** Unknown USERNAME or wrong MESSAGE-INTEGRITY (RFC 8489 §9.1.3). */
    public static final int UNAUTHENTICATED = 401;
    /** Comprehension-required attributes not understood; the response lists them in UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1.1). */
    public static final int UNKNOWN_ATTRIBUTE = 420;
    public static final int STALE_NONCE = 438;
    /** ICE role conflict (RFC 8445 §7.3.1.1). */
    public static final int ROLE_CONFLICT = 487;
    public static final int SERVER_ERROR = 500;

    private StunErrorCode() {
    }

    /** The RFC's suggested reason phrase, or an empty string for codes it does not name. */
    public static String reason(int code) {
        return switch (code) {
            case TRY_ALTERNATE -> "Try Alternate";
            case BAD_REQUEST -> "Bad Request";
            case UNAUTHENTICATED -> "Unauthenticated";
            case UNKNOWN_ATTRIBUTE -> "Unknown Attribute";
            case STALE_NONCE -> "Stale Nonce";
            case ROLE_CONFLICT -> "Role Conflict";
            case SERVER_ERROR -> "Server Error";
            default -> "";
        };
    }
}
