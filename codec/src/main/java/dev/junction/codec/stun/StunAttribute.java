package dev.junction.codec.stun;

/**
 * STUN attribute types (IANA "STUN Attributes" registry) and the rules that depend only on the type.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Type                  |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Value (variable)                ....
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * RFC 8489 §14: Length is the value length before padding; every value is padded to a multiple of
 * four bytes, and the padding bytes are ignored by receivers.
 */
public final class StunAttribute {

    /** Size of the type and length fields that precede every value. */
    public static final int HEADER_LENGTH = 4;

    // Comprehension-required range 0x0000-0x7FFF (RFC 8489 §14, §18.3).
    public static final int MAPPED_ADDRESS = 0x0001;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int UNKNOWN_ATTRIBUTES = 0x000A;
    /** TURN channel number (RFC 8656 §18.1). */
    public static final int CHANNEL_NUMBER = 0x000C;
    /** TURN allocation or refresh lifetime in seconds (RFC 8656 §18.2). */
    public static final int LIFETIME = 0x000D;
    /** TURN peer transport address, XOR'ed like XOR-MAPPED-ADDRESS (RFC 8656 §18.3). */
    public static final int XOR_PEER_ADDRESS = 0x0012;
    /** TURN application data of Send and Data indications (RFC 8656 §18.4). */
    public static final int DATA = 0x0013;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    /** TURN relayed transport address (RFC 8656 §18.5). */
    public static final int XOR_RELAYED_ADDRESS = 0x0016;
    /** TURN: the relayed address family the client asks for (RFC 8656 §18.6). */
    public static final int REQUESTED_ADDRESS_FAMILY = 0x0017;
    /** TURN: ask for an even relay port, optionally reserving the next one (RFC 8656 §18.7). */
    public static final int EVEN_PORT = 0x0018;
    /** TURN: the relay's transport protocol, 17 (UDP) (RFC 8656 §18.8). */
    public static final int REQUESTED_TRANSPORT = 0x0019;
    /** TURN: send to the peer with the DF bit set (RFC 8656 §18.9). */
    public static final int DONT_FRAGMENT = 0x001A;
    public static final int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    public static final int PASSWORD_ALGORITHM = 0x001D;
    public static final int USERHASH = 0x001E;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** TURN: token of a reserved relay port (RFC 8656 §18.10). */
    public static final int RESERVATION_TOKEN = 0x0022;
    /** RFC 8445 §16.1. */
    public static final int PRIORITY = 0x0024;
    /** RFC 8445 §16.1. */
    public static final int USE_CANDIDATE = 0x0025;

    // Comprehension-optional range 0x8000-0xFFFF.
    /** TURN dual allocation: the second (IPv6) relayed address family (RFC 8656 §18.11). */
    public static final int ADDITIONAL_ADDRESS_FAMILY = 0x8000;
    /** TURN dual allocation: why one address family could not be allocated (RFC 8656 §18.12). */
    public static final int ADDRESS_ERROR_CODE = 0x8001;
    public static final int PASSWORD_ALGORITHMS = 0x8002;
    public static final int ALTERNATE_DOMAIN = 0x8003;
    /** TURN: an ICMP packet the relay received from the peer, in a Data indication (RFC 8656 §18.13). */
    public static final int ICMP = 0x8004;
    public static final int SOFTWARE = 0x8022;
    public static final int ALTERNATE_SERVER = 0x8023;
    public static final int FINGERPRINT = 0x8028;
    /** RFC 8445 §16.1. */
    public static final int ICE_CONTROLLED = 0x8029;
    /** RFC 8445 §16.1. */
    public static final int ICE_CONTROLLING = 0x802A;
    /** Chromium's GOOG-NETWORK-INFO (network id and cost), present in its connectivity checks. */
    public static final int GOOG_NETWORK_INFO = 0xC057;

    private StunAttribute() {
    }

    /** RFC 8489 §14: a receiver that does not understand an attribute in 0x0000-0x7FFF must reject the request with 420. */
    public static boolean isComprehensionRequired(int type) {
        return (type & 0x8000) == 0;
    }

    /** Bytes an attribute with a value of {@code valueLength} bytes occupies on the wire, header and padding included. */
    public static int encodedLength(int valueLength) {
        return HEADER_LENGTH + ((valueLength + 3) & ~3);
    }

    /** A readable name for logs and test messages; the hexadecimal type for unregistered ones. */
    public static String name(int type) {
        return switch (type) {
            case MAPPED_ADDRESS -> "MAPPED-ADDRESS";
            case USERNAME -> "USERNAME";
            case MESSAGE_INTEGRITY -> "MESSAGE-INTEGRITY";
            case ERROR_CODE -> "ERROR-CODE";
            case UNKNOWN_ATTRIBUTES -> "UNKNOWN-ATTRIBUTES";
            case CHANNEL_NUMBER -> "CHANNEL-NUMBER";
            case LIFETIME -> "LIFETIME";
            case XOR_PEER_ADDRESS -> "XOR-PEER-ADDRESS";
            case DATA -> "DATA";
            case XOR_RELAYED_ADDRESS -> "XOR-RELAYED-ADDRESS";
            case REQUESTED_ADDRESS_FAMILY -> "REQUESTED-ADDRESS-FAMILY";
            case EVEN_PORT -> "EVEN-PORT";
            case REQUESTED_TRANSPORT -> "REQUESTED-TRANSPORT";
            case DONT_FRAGMENT -> "DONT-FRAGMENT";
            case RESERVATION_TOKEN -> "RESERVATION-TOKEN";
            case ADDITIONAL_ADDRESS_FAMILY -> "ADDITIONAL-ADDRESS-FAMILY";
            case ADDRESS_ERROR_CODE -> "ADDRESS-ERROR-CODE";
            case ICMP -> "ICMP";
            case REALM -> "REALM";
            case NONCE -> "NONCE";
            case MESSAGE_INTEGRITY_SHA256 -> "MESSAGE-INTEGRITY-SHA256";
            case PASSWORD_ALGORITHM -> "PASSWORD-ALGORITHM";
            case USERHASH -> "USERHASH";
            case XOR_MAPPED_ADDRESS -> "XOR-MAPPED-ADDRESS";
            case PRIORITY -> "PRIORITY";
            case USE_CANDIDATE -> "USE-CANDIDATE";
            case PASSWORD_ALGORITHMS -> "PASSWORD-ALGORITHMS";
            case ALTERNATE_DOMAIN -> "ALTERNATE-DOMAIN";
            case SOFTWARE -> "SOFTWARE";
            case ALTERNATE_SERVER -> "ALTERNATE-SERVER";
            case FINGERPRINT -> "FINGERPRINT";
            case ICE_CONTROLLED -> "ICE-CONTROLLED";
            case ICE_CONTROLLING -> "ICE-CONTROLLING";
            case GOOG_NETWORK_INFO -> "GOOG-NETWORK-INFO";
            default -> String.format("0x%04X", type);
        };
    }
}
