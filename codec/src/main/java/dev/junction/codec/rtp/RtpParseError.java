package dev.junction.codec.rtp;

/**
 * Why {@link RtpPacket#wrap} refused a datagram. The media path counts drops by this reason; none of
 * them is ever thrown.
 */
public enum RtpParseError {
    /** The packet was accepted. */
    NONE,
    /** The offset/length pair does not lie within the buffer's written bytes (a caller bug, not input). */
    OUT_OF_BOUNDS,
    /** Shorter than the 12-byte fixed header or than its own CSRC list (RFC 3550 §5.1). */
    TRUNCATED,
    /** Version field is not 2 (RFC 3550 §5.1). */
    BAD_VERSION,
    /** X bit set but the header extension's length runs past the packet (RFC 3550 §5.3.1). */
    BAD_EXTENSION_LENGTH,
    /** P bit set but the padding count is 0 or larger than what follows the header (RFC 3550 §5.1). */
    BAD_PADDING
}
