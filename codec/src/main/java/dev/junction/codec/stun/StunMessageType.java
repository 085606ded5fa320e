package dev.junction.codec.stun;

/**
 * The 14-bit STUN message type: a 12-bit method interleaved with a 2-bit class (RFC 8489 §5).
 *
 * <pre>
 *  0                 1
 *  2  3  4 5 6 7 8 9 0 1 2 3 4 5
 * +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
 * |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
 * |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
 * +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class StunMessageType {

    public static final int CLASS_REQUEST = 0b00;
    public static final int CLASS_INDICATION = 0b01;
    public static final int CLASS_SUCCESS_RESPONSE = 0b10;
    public static final int CLASS_ERROR_RESPONSE = 0b11;

    public static final int METHOD_BINDING = 0x001;

    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_INDICATION = 0x0011;
    public static final int BINDING_SUCCESS_RESPONSE = 0x0101;
    public static final int BINDING_ERROR_RESPONSE = 0x0111;

    private StunMessageType() {
    }

    /** The class (C1 C0) of a message type. */
    public static int messageClass(int messageType) {
        return ((messageType >> 7) & 0b10) | ((messageType >> 4) & 0b01);
    }

    /** The 12-bit method of a message type. */
    public static int method(int messageType) {
        return (messageType & 0x000F) | ((messageType >> 1) & 0x0070) | ((messageType >> 2) & 0x0F80);
    }

    /** The message type for a method and class; the inverse of {@link #method} and {@link #messageClass}. */
    public static int of(int method, int messageClass) {
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
                | ((messageClass & 0b01) << 4) | ((messageClass & 0b10) << 7);
    }
}
