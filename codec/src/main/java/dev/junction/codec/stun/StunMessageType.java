package dev.junction.codec.stun;

/**
 * The 14-bit STUN message type: a 12-bit method interleaved with a 2-bit class.
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

    // TURN methods (RFC 8656 §17). Send and Data are only ever indications (§10).
    public static final int METHOD_ALLOCATE = 0x003;
    public static final int METHOD_REFRESH = 0x004;
    public static final int METHOD_SEND = 0x006;
    public static final int METHOD_DATA = 0x007;
    public static final int METHOD_CREATE_PERMISSION = 0x008;
    public static final int METHOD_CHANNEL_BIND = 0x009;

    public static final int ALLOCATE_REQUEST = 0x0003;
    public static final int ALLOCATE_SUCCESS_RESPONSE = 0x0103;
    public static final int ALLOCATE_ERROR_RESPONSE = 0x0113;
    public static final int REFRESH_REQUEST = 0x0004;
    public static final int REFRESH_SUCCESS_RESPONSE = 0x0104;
    public static final int REFRESH_ERROR_RESPONSE = 0x0114;
    public static final int SEND_INDICATION = 0x0016;
    public static final int DATA_INDICATION = 0x0017;
    public static final int CREATE_PERMISSION_REQUEST = 0x0008;
    public static final int CREATE_PERMISSION_SUCCESS_RESPONSE = 0x0108;
    public static final int CREATE_PERMISSION_ERROR_RESPONSE = 0x0118;
    public static final int CHANNEL_BIND_REQUEST = 0x0009;
    public static final int CHANNEL_BIND_SUCCESS_RESPONSE = 0x0109;
    public static final int CHANNEL_BIND_ERROR_RESPONSE = 0x0119;

    private StunMessageType() {
    }

    /** The success response type for a request type (same method). */
    public static int successResponseOf(int requestType) {
        return of(method(requestType), CLASS_SUCCESS_RESPONSE);
    }

    /** The error response type for a request type (same method). */
    public static int errorResponseOf(int requestType) {
        return of(method(requestType), CLASS_ERROR_RESPONSE);
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
