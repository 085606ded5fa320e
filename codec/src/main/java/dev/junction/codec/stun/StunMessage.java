package dev.junction.codec.stun;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reusable flyweight over one STUN message in a {@link ByteBuf} (RFC 8489, RFC 5389, ICE attributes of
 * RFC 8445 §16.1, TURN attributes of RFC 8656 §18).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Magic Cookie                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * |                     Transaction ID (96 bits)                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Attributes (TLV, RFC 8489 §14)               ...
 * </pre>
 *
 * <p>{@link #wrap} validates the header and walks the attributes once, recording each processed
 * attribute's type, value offset and value length in primitive arrays; the getters then read at absolute
 * indexes. It never moves the buffer's reader or writer index, never throws on malformed input, and
 * allocates nothing (only the {@code String}/{@code InetSocketAddress} convenience getters allocate).
 *
 * <p>Attribute rules applied while walking (RFC 8489 §14):
 * <ul>
 *   <li>Only the first occurrence of an attribute type is used by the getters; later ones stay in the
 *       attribute list.</li>
 *   <li>After MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are processed (and after
 *       MESSAGE-INTEGRITY-SHA256 only MESSAGE-INTEGRITY and FINGERPRINT); anything else is skipped and
 *       does not appear in the attribute list (§14.5, §14.6).</li>
 *   <li>FINGERPRINT must be last and is verified during {@code wrap} (§14.7).</li>
 *   <li>Comprehension-required types (0x0000-0x7FFF) this class does not understand are collected so the
 *       caller can answer a request with 420 and UNKNOWN-ATTRIBUTES (§6.3.1.1).</li>
 * </ul>
 * MESSAGE-INTEGRITY is not verified here because that needs the session's key: see {@link StunIntegrity}.
 *
 * <p>Threading and buffers: one instance per owner (for example per session, or per event loop), used on
 * that owner's thread only. The message borrows the buffer for as long as the caller keeps it wrapped; it
 * never retains or releases it, and getters must not be called after the buffer is released.
 */
public final class StunMessage {

    public static final int HEADER_LENGTH = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int TRANSACTION_ID_LENGTH = 12;
    /** Attributes a message may carry before it is rejected; ICE checks carry about seven. */
    public static final int MAX_ATTRIBUTES = 32;

    /** IPv4 in XOR-MAPPED-ADDRESS (RFC 8489 §14.2). */
    public static final int FAMILY_IPV4 = 0x01;
    /** IPv6 in XOR-MAPPED-ADDRESS (RFC 8489 §14.2). */
    public static final int FAMILY_IPV6 = 0x02;

    private static final int TRANSACTION_ID_OFFSET = 8;

    // Slots of the attributes this class understands, indexing `firstIndex`.
    private static final int SLOT_USERNAME = 0;
    private static final int SLOT_MESSAGE_INTEGRITY = 1;
    private static final int SLOT_MESSAGE_INTEGRITY_SHA256 = 2;
    private static final int SLOT_FINGERPRINT = 3;
    private static final int SLOT_XOR_MAPPED_ADDRESS = 4;
    private static final int SLOT_PRIORITY = 5;
    private static final int SLOT_USE_CANDIDATE = 6;
    private static final int SLOT_ICE_CONTROLLING = 7;
    private static final int SLOT_ICE_CONTROLLED = 8;
    private static final int SLOT_ERROR_CODE = 9;
    private static final int SLOT_UNKNOWN_ATTRIBUTES = 10;
    private static final int SLOT_SOFTWARE = 11;
    private static final int SLOT_REALM = 12;
    private static final int SLOT_NONCE = 13;
    // TURN (RFC 8656 §18).
    private static final int SLOT_CHANNEL_NUMBER = 14;
    private static final int SLOT_LIFETIME = 15;
    private static final int SLOT_XOR_PEER_ADDRESS = 16;
    private static final int SLOT_DATA = 17;
    private static final int SLOT_XOR_RELAYED_ADDRESS = 18;
    private static final int SLOT_REQUESTED_ADDRESS_FAMILY = 19;
    private static final int SLOT_EVEN_PORT = 20;
    private static final int SLOT_REQUESTED_TRANSPORT = 21;
    private static final int SLOT_DONT_FRAGMENT = 22;
    private static final int SLOT_RESERVATION_TOKEN = 23;
    private static final int SLOT_ADDITIONAL_ADDRESS_FAMILY = 24;
    private static final int SLOT_ADDRESS_ERROR_CODE = 25;
    private static final int SLOT_ICMP = 26;
    private static final int SLOT_COUNT = 27;
    /** Returned by {@link #validate} for a type this class does not understand. */
    private static final int NOT_UNDERSTOOD = -1;
    /** Returned by {@link #validate} for an understood type whose value is invalid. */
    private static final int INVALID = -2;

    // Passed by argument to wrap(): the borrowed message.
    private ByteBuf buf;
    private int offset;
    private int length;

    // Recorded by wrap(), valid while `valid` is true.
    private boolean valid;
    private int messageType = -1;
    private int attributeCount;
    private final int[] attributeTypes = new int[MAX_ATTRIBUTES];
    private final int[] valueOffsets = new int[MAX_ATTRIBUTES];
    private final int[] valueLengths = new int[MAX_ATTRIBUTES];
    private final int[] firstIndex = new int[SLOT_COUNT];
    private int unknownRequiredCount;
    private final int[] unknownRequiredTypes = new int[MAX_ATTRIBUTES];

    // Allocated by this.
    private final StunFingerprint fingerprint = new StunFingerprint();

    public StunMessage() {
        Arrays.fill(firstIndex, -1);
    }

    /**
     * Parses the STUN message occupying exactly {@code [offset, offset + length)} of {@code buf} (one UDP
     * datagram). On anything but {@link StunParseResult#OK} the flyweight holds no message and the caller
     * drops the datagram.
     */
    public StunParseResult wrap(ByteBuf buf, int offset, int length) {
        reset();
        if (buf == null || offset < 0 || length < 0 || length > buf.writerIndex() - offset) {
            return StunParseResult.OUT_OF_BOUNDS;
        }
        if (length < HEADER_LENGTH) {
            return StunParseResult.TOO_SHORT;
        }
        int type = buf.getUnsignedShort(offset);
        if ((type & 0xC000) != 0) {
            return StunParseResult.NOT_STUN;
        }
        if (buf.getInt(offset + 4) != MAGIC_COOKIE) {
            return StunParseResult.BAD_MAGIC_COOKIE;
        }
        int messageLength = buf.getUnsignedShort(offset + 2);
        if ((messageLength & 3) != 0) {
            return StunParseResult.UNALIGNED_LENGTH;
        }
        if (messageLength != length - HEADER_LENGTH) {
            return StunParseResult.LENGTH_MISMATCH;
        }
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        StunParseResult result = walkAttributes(offset + HEADER_LENGTH, offset + length);
        if (result != StunParseResult.OK) {
            reset();
            return result;
        }
        this.messageType = type;
        this.valid = true;
        return StunParseResult.OK;
    }

    private StunParseResult walkAttributes(int start, int end) {
        boolean afterIntegrity = false;
        boolean afterIntegritySha256 = false;
        for (int pos = start; pos < end; ) {
            // The message length is a multiple of four, so a full attribute header always fits here.
            int type = buf.getUnsignedShort(pos);
            int valueLength = buf.getUnsignedShort(pos + 2);
            int valueOffset = pos + StunAttribute.HEADER_LENGTH;
            int paddedLength = (valueLength + 3) & ~3;
            if (paddedLength > end - valueOffset) {
                return StunParseResult.TRUNCATED_ATTRIBUTE;
            }
            if (firstIndex[SLOT_FINGERPRINT] >= 0) {
                return StunParseResult.FINGERPRINT_NOT_LAST;
            }
            pos = valueOffset + paddedLength;
            if ((afterIntegrity || afterIntegritySha256)
                    && type != StunAttribute.FINGERPRINT
                    && !(type == StunAttribute.MESSAGE_INTEGRITY && !afterIntegrity)
                    && !(type == StunAttribute.MESSAGE_INTEGRITY_SHA256 && !afterIntegritySha256)) {
                continue; // RFC 8489 §14.5/§14.6: ignored, and not covered by the integrity check.
            }
            if (attributeCount == MAX_ATTRIBUTES) {
                return StunParseResult.TOO_MANY_ATTRIBUTES;
            }
            int slot = validate(type, valueOffset, valueLength);
            if (slot == INVALID) {
                return StunParseResult.MALFORMED_ATTRIBUTE;
            }
            int index = attributeCount++;
            attributeTypes[index] = type;
            valueOffsets[index] = valueOffset;
            valueLengths[index] = valueLength;
            if (slot >= 0) {
                if (firstIndex[slot] < 0) {
                    firstIndex[slot] = index;
                }
            } else if (StunAttribute.isComprehensionRequired(type)) {
                addUnknownRequired(type);
            }
            if (type == StunAttribute.MESSAGE_INTEGRITY) {
                afterIntegrity = true;
            } else if (type == StunAttribute.MESSAGE_INTEGRITY_SHA256) {
                afterIntegritySha256 = true;
            }
        }
        int fingerprintIndex = firstIndex[SLOT_FINGERPRINT];
        if (fingerprintIndex >= 0) {
            int attributeOffset = valueOffsets[fingerprintIndex] - StunAttribute.HEADER_LENGTH;
            int expected = fingerprint.compute(buf, offset, attributeOffset - offset);
            if (buf.getInt(valueOffsets[fingerprintIndex]) != expected) {
                return StunParseResult.BAD_FINGERPRINT;
            }
        }
        return StunParseResult.OK;
    }

    /** The slot of an understood attribute after checking its value, {@link #NOT_UNDERSTOOD} or {@link #INVALID}. */
    private int validate(int type, int valueOffset, int valueLength) {
        return switch (type) {
            case StunAttribute.USERNAME -> SLOT_USERNAME;
            case StunAttribute.SOFTWARE -> SLOT_SOFTWARE;
            case StunAttribute.REALM -> SLOT_REALM;
            case StunAttribute.NONCE -> SLOT_NONCE;
            case StunAttribute.MESSAGE_INTEGRITY ->
                    valueLength == StunIntegrity.HMAC_LENGTH ? SLOT_MESSAGE_INTEGRITY : INVALID;
            // RFC 8489 §14.6: 16 to 32 bytes, a multiple of four. Understood so it is not reported as
            // unknown; its value is not verified.
            case StunAttribute.MESSAGE_INTEGRITY_SHA256 ->
                    valueLength >= 16 && valueLength <= 32 && (valueLength & 3) == 0 ? SLOT_MESSAGE_INTEGRITY_SHA256 : INVALID;
            case StunAttribute.FINGERPRINT -> valueLength == StunFingerprint.VALUE_LENGTH ? SLOT_FINGERPRINT : INVALID;
            case StunAttribute.PRIORITY -> valueLength == 4 ? SLOT_PRIORITY : INVALID;
            case StunAttribute.USE_CANDIDATE -> valueLength == 0 ? SLOT_USE_CANDIDATE : INVALID;
            case StunAttribute.ICE_CONTROLLING -> valueLength == 8 ? SLOT_ICE_CONTROLLING : INVALID;
            case StunAttribute.ICE_CONTROLLED -> valueLength == 8 ? SLOT_ICE_CONTROLLED : INVALID;
            case StunAttribute.XOR_MAPPED_ADDRESS -> validAddress(valueOffset, valueLength) ? SLOT_XOR_MAPPED_ADDRESS : INVALID;
            case StunAttribute.ERROR_CODE -> validErrorCode(valueOffset, valueLength) ? SLOT_ERROR_CODE : INVALID;
            case StunAttribute.UNKNOWN_ATTRIBUTES -> (valueLength & 1) == 0 ? SLOT_UNKNOWN_ATTRIBUTES : INVALID;
            // TURN, RFC 8656 §18: fixed lengths. Values a server judges (a family, a protocol, a channel
            // number's range) are left to it, since each has its own error code.
            case StunAttribute.CHANNEL_NUMBER -> valueLength == 4 ? SLOT_CHANNEL_NUMBER : INVALID;
            case StunAttribute.LIFETIME -> valueLength == 4 ? SLOT_LIFETIME : INVALID;
            case StunAttribute.XOR_PEER_ADDRESS -> validAddress(valueOffset, valueLength) ? SLOT_XOR_PEER_ADDRESS : INVALID;
            case StunAttribute.DATA -> SLOT_DATA;
            case StunAttribute.XOR_RELAYED_ADDRESS -> validAddress(valueOffset, valueLength) ? SLOT_XOR_RELAYED_ADDRESS : INVALID;
            case StunAttribute.REQUESTED_ADDRESS_FAMILY -> valueLength == 4 ? SLOT_REQUESTED_ADDRESS_FAMILY : INVALID;
            case StunAttribute.EVEN_PORT -> valueLength == 1 ? SLOT_EVEN_PORT : INVALID;
            case StunAttribute.REQUESTED_TRANSPORT -> valueLength == 4 ? SLOT_REQUESTED_TRANSPORT : INVALID;
            case StunAttribute.DONT_FRAGMENT -> valueLength == 0 ? SLOT_DONT_FRAGMENT : INVALID;
            case StunAttribute.RESERVATION_TOKEN -> valueLength == 8 ? SLOT_RESERVATION_TOKEN : INVALID;
            case StunAttribute.ADDITIONAL_ADDRESS_FAMILY -> valueLength == 4 ? SLOT_ADDITIONAL_ADDRESS_FAMILY : INVALID;
            case StunAttribute.ADDRESS_ERROR_CODE -> validErrorCode(valueOffset, valueLength) ? SLOT_ADDRESS_ERROR_CODE : INVALID;
            case StunAttribute.ICMP -> valueLength == 8 ? SLOT_ICMP : INVALID;
            default -> NOT_UNDERSTOOD;
        };
    }

    private boolean validAddress(int valueOffset, int valueLength) {
        if (valueLength < 4) {
            return false;
        }
        int family = buf.getUnsignedByte(valueOffset + 1);
        return (family == FAMILY_IPV4 && valueLength == 8) || (family == FAMILY_IPV6 && valueLength == 20);
    }

    /**
     * RFC 8489 §14.8: class 3 to 6, number 0 to 99, reason phrase at most 763 bytes. ADDRESS-ERROR-CODE
     * (RFC 8656 §18.12) has the same layout with the family in the first byte.
     */
    private boolean validErrorCode(int valueOffset, int valueLength) {
        if (valueLength < 4 || valueLength > 4 + 763) {
            return false;
        }
        int errorClass = buf.getUnsignedByte(valueOffset + 2) & 0x07;
        int number = buf.getUnsignedByte(valueOffset + 3);
        return errorClass >= 3 && errorClass <= 6 && number <= 99;
    }

    private void addUnknownRequired(int type) {
        for (int i = 0; i < unknownRequiredCount; i++) {
            if (unknownRequiredTypes[i] == type) {
                return;
            }
        }
        unknownRequiredTypes[unknownRequiredCount++] = type;
    }

    private void reset() {
        valid = false;
        buf = null;
        offset = 0;
        length = 0;
        messageType = -1;
        attributeCount = 0;
        unknownRequiredCount = 0;
        Arrays.fill(firstIndex, -1);
    }

    private void checkValid() {
        if (!valid) {
            throw new IllegalStateException("no STUN message wrapped (wrap() did not return OK)");
        }
    }

    // ---- header ----

    /** Whether the last {@link #wrap} returned {@link StunParseResult#OK}. */
    public boolean isValid() {
        return valid;
    }

    /** The wrapped buffer; only while {@link #isValid()}. */
    public ByteBuf buffer() {
        checkValid();
        return buf;
    }

    /** Absolute index of the first header byte. */
    public int offset() {
        checkValid();
        return offset;
    }

    /** Length of the whole message, header included. */
    public int length() {
        checkValid();
        return length;
    }

    /** The 14-bit message type, or -1 when no message is wrapped. */
    public int messageType() {
        return messageType;
    }

    public int method() {
        return valid ? StunMessageType.method(messageType) : -1;
    }

    public int messageClass() {
        return valid ? StunMessageType.messageClass(messageType) : -1;
    }

    public boolean isBindingRequest() {
        return messageType == StunMessageType.BINDING_REQUEST;
    }

    public boolean isBindingIndication() {
        return messageType == StunMessageType.BINDING_INDICATION;
    }

    public boolean isBindingSuccessResponse() {
        return messageType == StunMessageType.BINDING_SUCCESS_RESPONSE;
    }

    public boolean isBindingErrorResponse() {
        return messageType == StunMessageType.BINDING_ERROR_RESPONSE;
    }

    /** Absolute index of the 12-byte transaction ID. */
    public int transactionIdOffset() {
        checkValid();
        return offset + TRANSACTION_ID_OFFSET;
    }

    /** Whether the transaction ID equals {@code id} (12 bytes); how a client matches a response to its request. */
    public boolean transactionIdEquals(byte[] id) {
        checkValid();
        if (id.length != TRANSACTION_ID_LENGTH) {
            return false;
        }
        int base = offset + TRANSACTION_ID_OFFSET;
        for (int i = 0; i < TRANSACTION_ID_LENGTH; i++) {
            if (buf.getByte(base + i) != id[i]) {
                return false;
            }
        }
        return true;
    }

    /** Copies the transaction ID into {@code dst} at {@code dstOffset}. */
    public void copyTransactionId(byte[] dst, int dstOffset) {
        checkValid();
        BufferBytes.get(buf, offset + TRANSACTION_ID_OFFSET, dst, dstOffset, TRANSACTION_ID_LENGTH);
    }

    // ---- generic attribute access ----

    /** Number of processed attributes (those after MESSAGE-INTEGRITY that RFC 8489 says to ignore are not counted). */
    public int attributeCount() {
        return attributeCount;
    }

    public int attributeType(int index) {
        checkIndex(index);
        return attributeTypes[index];
    }

    /** Absolute index of the value of attribute {@code index} (just after its 4-byte header). */
    public int attributeValueOffset(int index) {
        checkIndex(index);
        return valueOffsets[index];
    }

    /** Value length of attribute {@code index}, before padding. */
    public int attributeValueLength(int index) {
        checkIndex(index);
        return valueLengths[index];
    }

    /** Index of the first processed attribute of {@code type}, or -1. */
    public int indexOf(int type) {
        for (int i = 0; i < attributeCount; i++) {
            if (attributeTypes[i] == type) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the next processed attribute of {@code type} at or after {@code fromIndex}, or -1 (for repeated ones such as XOR-PEER-ADDRESS). */
    public int nextIndexOf(int type, int fromIndex) {
        for (int i = Math.max(fromIndex, 0); i < attributeCount; i++) {
            if (attributeTypes[i] == type) {
                return i;
            }
        }
        return -1;
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= attributeCount) {
            throw new IndexOutOfBoundsException("attribute " + index + " of " + attributeCount);
        }
    }

    // ---- unknown comprehension-required attributes (to answer 420) ----

    /** Distinct comprehension-required attribute types in this message that this class does not understand. */
    public int unknownComprehensionRequiredCount() {
        return unknownRequiredCount;
    }

    public int unknownComprehensionRequired(int index) {
        if (index < 0 || index >= unknownRequiredCount) {
            throw new IndexOutOfBoundsException("unknown attribute " + index + " of " + unknownRequiredCount);
        }
        return unknownRequiredTypes[index];
    }

    // ---- USERNAME (RFC 8489 §14.3; ICE: "receiverUfrag:senderUfrag", RFC 8445 §7.2.2) ----

    public boolean hasUsername() {
        return firstIndex[SLOT_USERNAME] >= 0;
    }

    /** Absolute index of the USERNAME value, or -1. */
    public int usernameOffset() {
        int i = firstIndex[SLOT_USERNAME];
        return i < 0 ? -1 : valueOffsets[i];
    }

    /** Length of the USERNAME value in bytes, or -1. */
    public int usernameLength() {
        int i = firstIndex[SLOT_USERNAME];
        return i < 0 ? -1 : valueLengths[i];
    }

    /** Bytes before the first ':' of USERNAME (in ICE the receiver's, i.e. our, ufrag), or -1 if there is no USERNAME or no ':'. */
    public int usernameLocalPartLength() {
        int i = firstIndex[SLOT_USERNAME];
        if (i < 0) {
            return -1;
        }
        int colon = buf.indexOf(valueOffsets[i], valueOffsets[i] + valueLengths[i], (byte) ':');
        return colon < 0 ? -1 : colon - valueOffsets[i];
    }

    /** Whether USERNAME is exactly {@code expected} (UTF-8 bytes). */
    public boolean usernameEquals(byte[] expected) {
        int i = firstIndex[SLOT_USERNAME];
        return i >= 0 && valueLengths[i] == expected.length && regionEquals(valueOffsets[i], expected);
    }

    /** Whether the part of USERNAME before the first ':' is exactly {@code localUfrag} (UTF-8 bytes). */
    public boolean usernameLocalPartEquals(byte[] localUfrag) {
        int localLength = usernameLocalPartLength();
        return localLength == localUfrag.length && regionEquals(valueOffsets[firstIndex[SLOT_USERNAME]], localUfrag);
    }

    /** USERNAME decoded as UTF-8, or null. Allocates. */
    public String username() {
        return string(SLOT_USERNAME);
    }

    /** The part of USERNAME before the first ':', or null if there is none. Allocates; for the session lookup. */
    public String usernameLocalPart() {
        int localLength = usernameLocalPartLength();
        return localLength < 0 ? null : buf.toString(usernameOffset(), localLength, StandardCharsets.UTF_8);
    }

    private boolean regionEquals(int index, byte[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if (buf.getByte(index + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    // ---- ICE attributes (RFC 8445 §7.1.1, §16.1) ----

    public boolean hasPriority() {
        return firstIndex[SLOT_PRIORITY] >= 0;
    }

    /** PRIORITY as an unsigned 32-bit value, or -1 when absent. */
    public long priority() {
        int i = firstIndex[SLOT_PRIORITY];
        return i < 0 ? -1 : buf.getUnsignedInt(valueOffsets[i]);
    }

    public boolean useCandidate() {
        return firstIndex[SLOT_USE_CANDIDATE] >= 0;
    }

    public boolean hasIceControlling() {
        return firstIndex[SLOT_ICE_CONTROLLING] >= 0;
    }

    /** ICE-CONTROLLING tie-breaker (an unsigned 64-bit number in a long); 0 when absent, so check {@link #hasIceControlling()}. */
    public long iceControlling() {
        int i = firstIndex[SLOT_ICE_CONTROLLING];
        return i < 0 ? 0 : buf.getLong(valueOffsets[i]);
    }

    public boolean hasIceControlled() {
        return firstIndex[SLOT_ICE_CONTROLLED] >= 0;
    }

    /** ICE-CONTROLLED tie-breaker; 0 when absent, so check {@link #hasIceControlled()}. */
    public long iceControlled() {
        int i = firstIndex[SLOT_ICE_CONTROLLED];
        return i < 0 ? 0 : buf.getLong(valueOffsets[i]);
    }

    // ---- XOR-MAPPED-ADDRESS (RFC 8489 §14.2), XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS (RFC 8656 §18.3, §18.5) ----

    /** {@link #FAMILY_IPV4}, {@link #FAMILY_IPV6}, or 0 when absent. */
    public int xorMappedAddressFamily() {
        int i = firstIndex[SLOT_XOR_MAPPED_ADDRESS];
        return i < 0 ? 0 : xorAddressFamily(i);
    }

    /** The mapped port, un-XOR'ed, or -1 when absent. */
    public int xorMappedPort() {
        int i = firstIndex[SLOT_XOR_MAPPED_ADDRESS];
        return i < 0 ? -1 : xorAddressPort(i);
    }

    /**
     * Writes the mapped address, un-XOR'ed, into {@code dst} at {@code dstOffset} (4 bytes for IPv4, 16 for
     * IPv6) and returns how many bytes were written, or 0 when absent.
     */
    public int xorMappedAddress(byte[] dst, int dstOffset) {
        int i = firstIndex[SLOT_XOR_MAPPED_ADDRESS];
        return i < 0 ? 0 : xorAddress(i, dst, dstOffset);
    }

    /** The mapped transport address, or null when absent. Allocates; for the client role. */
    public InetSocketAddress xorMappedSocketAddress() {
        int i = firstIndex[SLOT_XOR_MAPPED_ADDRESS];
        return i < 0 ? null : xorSocketAddress(i);
    }

    /** Index of the first XOR-PEER-ADDRESS, or -1; later ones follow with {@link #nextIndexOf}. */
    public int xorPeerAddressIndex() {
        return firstIndex[SLOT_XOR_PEER_ADDRESS];
    }

    /** Index of the first XOR-RELAYED-ADDRESS, or -1 (a dual allocation answer carries two). */
    public int xorRelayedAddressIndex() {
        return firstIndex[SLOT_XOR_RELAYED_ADDRESS];
    }

    /** {@link #FAMILY_IPV4} or {@link #FAMILY_IPV6} of the XOR address attribute at {@code index}. */
    public int xorAddressFamily(int index) {
        checkXorAddress(index);
        return buf.getUnsignedByte(valueOffsets[index] + 1);
    }

    /** The port of the XOR address attribute at {@code index}, un-XOR'ed. */
    public int xorAddressPort(int index) {
        checkXorAddress(index);
        return buf.getUnsignedShort(valueOffsets[index] + 2) ^ (MAGIC_COOKIE >>> 16);
    }

    /** The IPv4 address of the XOR address attribute at {@code index}, un-XOR'ed, as a big-endian int; 0 for IPv6. */
    public int xorAddressIpv4(int index) {
        checkXorAddress(index);
        return valueLengths[index] == 8 ? buf.getInt(valueOffsets[index] + 4) ^ MAGIC_COOKIE : 0;
    }

    /**
     * Writes the address of the XOR address attribute at {@code index}, un-XOR'ed, into {@code dst} at
     * {@code dstOffset} (4 bytes for IPv4, 16 for IPv6) and returns how many bytes were written.
     */
    public int xorAddress(int index, byte[] dst, int dstOffset) {
        checkXorAddress(index);
        int addressOffset = valueOffsets[index] + 4;
        int addressLength = valueLengths[index] - 4;
        // The address is XOR'ed with the magic cookie followed, for IPv6, by the transaction ID, which
        // are exactly the 16 header bytes starting at offset 4.
        for (int b = 0; b < addressLength; b++) {
            dst[dstOffset + b] = (byte) (buf.getByte(addressOffset + b) ^ buf.getByte(offset + 4 + b));
        }
        return addressLength;
    }

    /** The transport address of the XOR address attribute at {@code index}. Allocates. */
    public InetSocketAddress xorSocketAddress(int index) {
        byte[] address = new byte[xorAddressFamily(index) == FAMILY_IPV4 ? 4 : 16];
        xorAddress(index, address, 0);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), xorAddressPort(index));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always a valid address", e);
        }
    }

    private void checkXorAddress(int index) {
        checkIndex(index);
        int type = attributeTypes[index];
        if (type != StunAttribute.XOR_MAPPED_ADDRESS && type != StunAttribute.XOR_PEER_ADDRESS
                && type != StunAttribute.XOR_RELAYED_ADDRESS) {
            throw new IllegalArgumentException("attribute " + index + " is " + StunAttribute.name(type) + ", not an XOR address");
        }
    }

    // ---- TURN attributes (RFC 8656 §18) ----

    /** CHANNEL-NUMBER's 16-bit number (RFFU ignored), or -1 when absent. The range is the server's to judge. */
    public int channelNumber() {
        int i = firstIndex[SLOT_CHANNEL_NUMBER];
        return i < 0 ? -1 : buf.getUnsignedShort(valueOffsets[i]);
    }

    /** LIFETIME in seconds (unsigned 32-bit), or -1 when absent. */
    public long lifetimeSeconds() {
        int i = firstIndex[SLOT_LIFETIME];
        return i < 0 ? -1 : buf.getUnsignedInt(valueOffsets[i]);
    }

    public boolean hasData() {
        return firstIndex[SLOT_DATA] >= 0;
    }

    /** Absolute index of the DATA value, or -1. */
    public int dataOffset() {
        int i = firstIndex[SLOT_DATA];
        return i < 0 ? -1 : valueOffsets[i];
    }

    /** Length of the DATA value (before padding), or -1. */
    public int dataLength() {
        int i = firstIndex[SLOT_DATA];
        return i < 0 ? -1 : valueLengths[i];
    }

    /** REQUESTED-TRANSPORT's protocol number (17 is UDP), or -1 when absent. */
    public int requestedTransport() {
        int i = firstIndex[SLOT_REQUESTED_TRANSPORT];
        return i < 0 ? -1 : buf.getUnsignedByte(valueOffsets[i]);
    }

    /** REQUESTED-ADDRESS-FAMILY's family byte as sent (not checked against 1 and 2), or -1 when absent. */
    public int requestedAddressFamily() {
        int i = firstIndex[SLOT_REQUESTED_ADDRESS_FAMILY];
        return i < 0 ? -1 : buf.getUnsignedByte(valueOffsets[i]);
    }

    /** ADDITIONAL-ADDRESS-FAMILY's family byte as sent (only IPv6 is legal), or -1 when absent. */
    public int additionalAddressFamily() {
        int i = firstIndex[SLOT_ADDITIONAL_ADDRESS_FAMILY];
        return i < 0 ? -1 : buf.getUnsignedByte(valueOffsets[i]);
    }

    public boolean hasEvenPort() {
        return firstIndex[SLOT_EVEN_PORT] >= 0;
    }

    /** EVEN-PORT's R bit: reserve the next higher port too. False when absent. */
    public boolean evenPortReserve() {
        int i = firstIndex[SLOT_EVEN_PORT];
        return i >= 0 && (buf.getUnsignedByte(valueOffsets[i]) & 0x80) != 0;
    }

    /** Whether DONT-FRAGMENT is present. */
    public boolean dontFragment() {
        return firstIndex[SLOT_DONT_FRAGMENT] >= 0;
    }

    public boolean hasReservationToken() {
        return firstIndex[SLOT_RESERVATION_TOKEN] >= 0;
    }

    /** RESERVATION-TOKEN's 8 bytes; 0 when absent, so check {@link #hasReservationToken()}. */
    public long reservationToken() {
        int i = firstIndex[SLOT_RESERVATION_TOKEN];
        return i < 0 ? 0 : buf.getLong(valueOffsets[i]);
    }

    /** ADDRESS-ERROR-CODE's family byte, or -1 when absent. */
    public int addressErrorFamily() {
        int i = firstIndex[SLOT_ADDRESS_ERROR_CODE];
        return i < 0 ? -1 : buf.getUnsignedByte(valueOffsets[i]);
    }

    /** ADDRESS-ERROR-CODE's code (class * 100 + number), or -1 when absent. */
    public int addressErrorCode() {
        int i = firstIndex[SLOT_ADDRESS_ERROR_CODE];
        if (i < 0) {
            return -1;
        }
        return (buf.getUnsignedByte(valueOffsets[i] + 2) & 0x07) * 100 + buf.getUnsignedByte(valueOffsets[i] + 3);
    }

    /** Whether ICMP is present (a relay's report in a Data indication; its fields are not read here). */
    public boolean hasIcmp() {
        return firstIndex[SLOT_ICMP] >= 0;
    }

    // ---- ERROR-CODE (RFC 8489 §14.8) and UNKNOWN-ATTRIBUTES (§14.9) of received responses ----

    /** The error code (class * 100 + number), or -1 when absent. */
    public int errorCode() {
        int i = firstIndex[SLOT_ERROR_CODE];
        if (i < 0) {
            return -1;
        }
        return (buf.getUnsignedByte(valueOffsets[i] + 2) & 0x07) * 100 + buf.getUnsignedByte(valueOffsets[i] + 3);
    }

    /** The ERROR-CODE reason phrase, or null. Allocates. */
    public String errorReason() {
        int i = firstIndex[SLOT_ERROR_CODE];
        return i < 0 ? null : buf.toString(valueOffsets[i] + 4, valueLengths[i] - 4, StandardCharsets.UTF_8);
    }

    /** Number of attribute types listed in a received UNKNOWN-ATTRIBUTES, or 0. */
    public int reportedUnknownAttributeCount() {
        int i = firstIndex[SLOT_UNKNOWN_ATTRIBUTES];
        return i < 0 ? 0 : valueLengths[i] / 2;
    }

    public int reportedUnknownAttribute(int index) {
        if (index < 0 || index >= reportedUnknownAttributeCount()) {
            throw new IndexOutOfBoundsException("reported unknown attribute " + index);
        }
        return buf.getUnsignedShort(valueOffsets[firstIndex[SLOT_UNKNOWN_ATTRIBUTES]] + 2 * index);
    }

    // ---- MESSAGE-INTEGRITY and FINGERPRINT ----

    public boolean hasMessageIntegrity() {
        return firstIndex[SLOT_MESSAGE_INTEGRITY] >= 0;
    }

    /** Absolute index of the MESSAGE-INTEGRITY attribute header (not its value), or -1. */
    public int messageIntegrityOffset() {
        int i = firstIndex[SLOT_MESSAGE_INTEGRITY];
        return i < 0 ? -1 : valueOffsets[i] - StunAttribute.HEADER_LENGTH;
    }

    /** Whether MESSAGE-INTEGRITY-SHA256 is present; it is recognised but not verified. */
    public boolean hasMessageIntegritySha256() {
        return firstIndex[SLOT_MESSAGE_INTEGRITY_SHA256] >= 0;
    }

    /** Whether a FINGERPRINT is present; if so, {@link #wrap} has verified it. */
    public boolean hasFingerprint() {
        return firstIndex[SLOT_FINGERPRINT] >= 0;
    }

    // ---- text attributes ----

    /** SOFTWARE, or null. Allocates. */
    public String software() {
        return string(SLOT_SOFTWARE);
    }

    /** REALM, or null. Allocates. */
    public String realm() {
        return string(SLOT_REALM);
    }

    /** NONCE, or null. Allocates. */
    public String nonce() {
        return string(SLOT_NONCE);
    }

    private String string(int slot) {
        int i = firstIndex[slot];
        return i < 0 ? null : buf.toString(valueOffsets[i], valueLengths[i], StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        if (!valid) {
            return "StunMessage[none]";
        }
        StringBuilder s = new StringBuilder("StunMessage[type=0x")
                .append(Integer.toHexString(messageType)).append(", length=").append(length);
        for (int i = 0; i < attributeCount; i++) {
            s.append(", ").append(StunAttribute.name(attributeTypes[i])).append('(').append(valueLengths[i]).append(')');
        }
        return s.append(']').toString();
    }
}
