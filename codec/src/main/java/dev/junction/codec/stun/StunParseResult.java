package dev.junction.codec.stun;

/**
 * Outcome of {@link StunMessage#wrap}. Anything but {@link #OK} means the datagram is dropped
 * (RFC 8489 §6.3: malformed messages are discarded silently); the names are the drop reasons for counters.
 */
public enum StunParseResult {
    /** Well formed; a FINGERPRINT, if present, is correct. */
    OK,
    /** The offset and length do not lie inside the buffer's written bytes. */
    OUT_OF_BOUNDS,
    /** Shorter than the 20-byte header. */
    TOO_SHORT,
    /** The two most significant bits are not zero (RFC 8489 §5), so this is not STUN at all. */
    NOT_STUN,
    /** The magic cookie is not 0x2112A442 (an RFC 3489 message or not STUN). */
    BAD_MAGIC_COOKIE,
    /** The message length field is not a multiple of four (RFC 8489 §5). */
    UNALIGNED_LENGTH,
    /** Header plus message length differs from the datagram length: truncated or trailing bytes. */
    LENGTH_MISMATCH,
    /** An attribute's value and padding run past the end of the message. */
    TRUNCATED_ATTRIBUTE,
    /** A known attribute has a length or value its RFC forbids (for example a 19-byte MESSAGE-INTEGRITY). */
    MALFORMED_ATTRIBUTE,
    /** More attributes than {@link StunMessage#MAX_ATTRIBUTES}. */
    TOO_MANY_ATTRIBUTES,
    /** Something follows FINGERPRINT, which must be the last attribute (RFC 8489 §14.7). */
    FINGERPRINT_NOT_LAST,
    /** FINGERPRINT does not match the CRC-32 of the message (RFC 8489 §7.3). */
    BAD_FINGERPRINT
}
