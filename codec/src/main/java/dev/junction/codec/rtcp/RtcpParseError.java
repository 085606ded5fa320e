package dev.junction.codec.rtcp;

/**
 * Why {@link RtcpCompound} stopped walking a compound packet before its end. Packets before the fault
 * were delivered normally; the rest of the datagram is dropped. Never thrown.
 */
public enum RtcpParseError {
    /** No fault (so far). */
    NONE,
    /** The offset/length pair does not lie within the buffer's written bytes (a caller bug, not input). */
    OUT_OF_BOUNDS,
    /** Fewer than 4 bytes where a packet header must start (also an empty datagram). */
    TRUNCATED,
    /** Version field is not 2 (RFC 3550 §6.4.1). */
    BAD_VERSION,
    /** The length field runs past the end of the compound packet. */
    BAD_LENGTH,
    /** P bit set but the padding count is 0 or covers the header (RFC 3550 §6.4.1). */
    BAD_PADDING
}
