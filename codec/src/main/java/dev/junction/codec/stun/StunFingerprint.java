package dev.junction.codec.stun;

import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32;

/**
 * The FINGERPRINT value (RFC 8489 §14.7): CRC-32 of the message up to, not including, the FINGERPRINT
 * attribute, XOR'ed with 0x5354554E. The header's length field must already count the FINGERPRINT
 * attribute, which is always last, so no length adjustment is needed (unlike MESSAGE-INTEGRITY).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Type = 0x8028          |          Length = 4           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  CRC-32 XOR 0x5354554E                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Holds a reusable {@link CRC32} and scratch array, so it is not thread-safe: one instance per
 * owner (each {@link StunMessage} and {@link StunWriter} has its own), used on the owner's thread.
 * It only reads the buffer it is given and never retains or releases it.
 */
public final class StunFingerprint {

    /** "STUN" in ASCII; keeps the CRC of a STUN message from matching that of an embedded protocol. */
    public static final int XOR = 0x5354554E;
    /** Length of the FINGERPRINT attribute value. */
    public static final int VALUE_LENGTH = 4;

    // Allocated by this.
    private final CRC32 crc = new CRC32();
    private final byte[] scratch = new byte[256];

    /**
     * FINGERPRINT value for the message bytes {@code [messageOffset, messageOffset + lengthBeforeFingerprint)}.
     */
    public int compute(ByteBuf buf, int messageOffset, int lengthBeforeFingerprint) {
        crc.reset();
        BufferBytes.update(crc, buf, messageOffset, lengthBeforeFingerprint, scratch);
        return (int) crc.getValue() ^ XOR;
    }
}
