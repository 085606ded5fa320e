package dev.junction.transport.srtp;

/**
 * The outcome of one protect or unprotect call. Anything but {@link #OK} means: drop the packet (its
 * bytes are unspecified after a failed call). Each outcome has its own counter in {@link SrtpSession}.
 */
public enum SrtpStatus {
    /** The packet was transformed in place. */
    OK,
    /** The authentication tag did not verify (RFC 3711 §3.3 step 5, RFC 7714 §9.2): tampered, or keyed differently. */
    AUTH_FAILED,
    /** The index was already seen or is older than the replay window (RFC 3711 §3.3.2); on protect: already used. */
    REPLAYED,
    /** Too short or inconsistent to be an SRTP/SRTCP packet of this profile (header, CSRC, extension or tag do not fit). */
    MALFORMED,
    /** A new SSRC beyond the per-session limit: the context was not created. */
    SSRC_LIMIT,
    /** The packet cannot take the tag: its buffer has no room up to its max capacity. */
    NO_TAIL_ROOM,
    /** The crypto backend failed (a {@code GeneralSecurityException}); logged once per session. */
    FAILED
}
