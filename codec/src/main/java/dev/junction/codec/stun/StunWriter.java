package dev.junction.codec.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;

/**
 * Writes one STUN message at a time at the writer index of a caller-supplied {@link ByteBuf}
 * (RFC 8489 §5, §14). The header's length field is kept current after every attribute, so
 * MESSAGE-INTEGRITY and FINGERPRINT, which must come last and in that order, are computed over
 * exactly the bytes RFC 8489 §14.5 and §14.7 prescribe.
 *
 * <pre>{@code
 * // ICE-lite Binding success response (RFC 8445 §7.3.1.5)
 * writer.beginResponse(out, StunMessageType.BINDING_SUCCESS_RESPONSE, request)
 *       .xorMappedAddress(remoteAddressBytes, remotePort)
 *       .messageIntegrity(sessionIntegrity)
 *       .fingerprint()
 *       .finish();
 * }</pre>
 *
 * <p>Attribute values are padded to four bytes with {@link #paddingByte} (zero by default; the RFC 5769
 * vectors use 0x20 in places). Misuse (an attribute after FINGERPRINT, a 13-byte transaction ID, a value
 * too long for its length field) throws, since it is a programming error rather than bad input.
 *
 * <p>Not thread-safe: one instance per owner, reused for every message. The writer does not own the output
 * buffer: the caller allocates it, and releases it or passes it on; the writer only appends to it.
 * Nothing is allocated per message except by the {@link InetSocketAddress} overloads, which copy the address.
 */
public final class StunWriter {

    private static final int IDLE = 0;
    private static final int ATTRIBUTES = 1;
    private static final int AFTER_INTEGRITY = 2;
    private static final int AFTER_FINGERPRINT = 3;
    private static final int MAX_VALUE_LENGTH = 0xFFFF - 3 - StunMessage.HEADER_LENGTH;

    // Allocated by this.
    private final StunFingerprint fingerprintCalculator = new StunFingerprint();

    // The message being written.
    private ByteBuf out;
    private int start;
    private int stage = IDLE;
    private int paddingByte;

    /** Starts a message with a fresh transaction ID (12 bytes, from a CSPRNG for requests, RFC 8489 §6). */
    public StunWriter begin(ByteBuf out, int messageType, byte[] transactionId) {
        if (transactionId.length != StunMessage.TRANSACTION_ID_LENGTH) {
            throw new IllegalArgumentException("transaction ID must be 12 bytes, not " + transactionId.length);
        }
        writeHeader(out, messageType);
        BufferBytes.write(out, transactionId, 0, StunMessage.TRANSACTION_ID_LENGTH);
        return this;
    }

    /** Starts a message whose transaction ID is copied from {@code source} at absolute index {@code transactionIdOffset}. */
    public StunWriter begin(ByteBuf out, int messageType, ByteBuf source, int transactionIdOffset) {
        writeHeader(out, messageType);
        // Two reads instead of writeBytes(ByteBuf, ...), which may allocate a view of a direct source.
        out.writeLong(source.getLong(transactionIdOffset));
        out.writeInt(source.getInt(transactionIdOffset + 8));
        return this;
    }

    /** Starts a response (or error response) to {@code request}, reusing its transaction ID (RFC 8489 §6.3.1). */
    public StunWriter beginResponse(ByteBuf out, int messageType, StunMessage request) {
        return begin(out, messageType, request.buffer(), request.transactionIdOffset());
    }

    private void writeHeader(ByteBuf out, int messageType) {
        if ((messageType & ~0x3FFF) != 0) {
            throw new IllegalArgumentException("message type is 14 bits: 0x" + Integer.toHexString(messageType));
        }
        this.out = out;
        this.start = out.writerIndex();
        this.stage = ATTRIBUTES;
        this.paddingByte = 0;
        out.writeShort(messageType);
        out.writeShort(0);
        out.writeInt(StunMessage.MAGIC_COOKIE);
    }

    /** The byte used to pad the following attribute values to a multiple of four (RFC 8489 §14: any value). */
    public StunWriter paddingByte(int value) {
        this.paddingByte = value & 0xFF;
        return this;
    }

    // ---- attributes ----

    /** USERNAME; in ICE "receiverUfrag:senderUfrag" (RFC 8445 §7.2.2). Encoded as UTF-8 without allocating. */
    public StunWriter username(CharSequence username) {
        return text(StunAttribute.USERNAME, username);
    }

    /** USERNAME from bytes already encoded. */
    public StunWriter username(byte[] username) {
        return attribute(StunAttribute.USERNAME, username, 0, username.length);
    }

    public StunWriter software(CharSequence software) {
        return text(StunAttribute.SOFTWARE, software);
    }

    public StunWriter realm(CharSequence realm) {
        return text(StunAttribute.REALM, realm);
    }

    public StunWriter nonce(CharSequence nonce) {
        return text(StunAttribute.NONCE, nonce);
    }

    /** PRIORITY, an unsigned 32-bit value (RFC 8445 §5.1.2). */
    public StunWriter priority(long priority) {
        if (priority < 0 || priority > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("priority is unsigned 32-bit: " + priority);
        }
        header(StunAttribute.PRIORITY, 4);
        out.writeInt((int) priority);
        return attributeWritten();
    }

    /** USE-CANDIDATE, a flag with an empty value (RFC 8445 §7.1.2). */
    public StunWriter useCandidate() {
        header(StunAttribute.USE_CANDIDATE, 0);
        return attributeWritten();
    }

    /** ICE-CONTROLLING with its 64-bit tie-breaker (RFC 8445 §7.1.3). */
    public StunWriter iceControlling(long tieBreaker) {
        header(StunAttribute.ICE_CONTROLLING, 8);
        out.writeLong(tieBreaker);
        return attributeWritten();
    }

    /** ICE-CONTROLLED with its 64-bit tie-breaker (RFC 8445 §7.1.3). */
    public StunWriter iceControlled(long tieBreaker) {
        header(StunAttribute.ICE_CONTROLLED, 8);
        out.writeLong(tieBreaker);
        return attributeWritten();
    }

    /**
     * XOR-MAPPED-ADDRESS (RFC 8489 §14.2) for a 4-byte (IPv4) or 16-byte (IPv6) address.
     *
     * <pre>
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |                X-Address (Variable)
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * </pre>
     *
     * X-Port is the port XOR the cookie's top 16 bits; X-Address is the address XOR the cookie (IPv4) or
     * XOR the cookie followed by the transaction ID (IPv6).
     */
    public StunWriter xorMappedAddress(byte[] address, int port) {
        return xorAddress(StunAttribute.XOR_MAPPED_ADDRESS, address, port);
    }

    /** XOR-PEER-ADDRESS (RFC 8656 §18.3), encoded like XOR-MAPPED-ADDRESS. */
    public StunWriter xorPeerAddress(byte[] address, int port) {
        return xorAddress(StunAttribute.XOR_PEER_ADDRESS, address, port);
    }

    /** XOR-PEER-ADDRESS for a resolved socket address; copies the address bytes (one small array). */
    public StunWriter xorPeerAddress(InetSocketAddress address) {
        return xorAddress(StunAttribute.XOR_PEER_ADDRESS, address);
    }

    /** XOR-RELAYED-ADDRESS (RFC 8656 §18.5), encoded like XOR-MAPPED-ADDRESS. */
    public StunWriter xorRelayedAddress(byte[] address, int port) {
        return xorAddress(StunAttribute.XOR_RELAYED_ADDRESS, address, port);
    }

    /** XOR-RELAYED-ADDRESS for a resolved socket address; copies the address bytes (one small array). */
    public StunWriter xorRelayedAddress(InetSocketAddress address) {
        return xorAddress(StunAttribute.XOR_RELAYED_ADDRESS, address);
    }

    /**
     * Any XOR'ed transport address attribute ({@code type} is XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS or
     * XOR-RELAYED-ADDRESS) for a 4-byte (IPv4) or 16-byte (IPv6) address. Allocation-free.
     */
    public StunWriter xorAddress(int type, byte[] address, int port) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, not " + address.length);
        }
        checkPort(port);
        header(type, 4 + address.length);
        out.writeByte(0);
        out.writeByte(address.length == 4 ? StunMessage.FAMILY_IPV4 : StunMessage.FAMILY_IPV6);
        out.writeShort(port ^ (StunMessage.MAGIC_COOKIE >>> 16));
        for (int i = 0; i < address.length; i++) {
            out.writeByte(address[i] ^ out.getByte(start + 4 + i));
        }
        return attributeWritten();
    }

    private StunWriter xorAddress(int type, InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        return xorAddress(type, address.getAddress().getAddress(), address.getPort());
    }

    /** XOR-MAPPED-ADDRESS for an IPv4 address given as a big-endian int. */
    public StunWriter xorMappedAddressIpv4(int address, int port) {
        checkPort(port);
        header(StunAttribute.XOR_MAPPED_ADDRESS, 8);
        out.writeByte(0);
        out.writeByte(StunMessage.FAMILY_IPV4);
        out.writeShort(port ^ (StunMessage.MAGIC_COOKIE >>> 16));
        out.writeInt(address ^ StunMessage.MAGIC_COOKIE);
        return attributeWritten();
    }

    /**
     * XOR-MAPPED-ADDRESS for a resolved socket address. Copies the address bytes (one small array); the
     * allocation-free overloads take cached bytes.
     */
    public StunWriter xorMappedAddress(InetSocketAddress address) {
        return xorAddress(StunAttribute.XOR_MAPPED_ADDRESS, address);
    }

    // ---- TURN attributes (RFC 8656 §18) ----

    /**
     * CHANNEL-NUMBER (RFC 8656 §18.1): the 16-bit number, then 16 RFFU bits of zero. The range is checked
     * by whoever chose the number; the writer takes any 16-bit value so tests can write bad ones.
     */
    public StunWriter channelNumber(int channel) {
        if ((channel & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("channel number is 16 bits: " + channel);
        }
        header(StunAttribute.CHANNEL_NUMBER, 4);
        out.writeShort(channel);
        out.writeShort(0);
        return attributeWritten();
    }

    /** LIFETIME in seconds (RFC 8656 §18.2), unsigned 32-bit. */
    public StunWriter lifetime(long seconds) {
        if (seconds < 0 || seconds > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("lifetime is unsigned 32-bit: " + seconds);
        }
        header(StunAttribute.LIFETIME, 4);
        out.writeInt((int) seconds);
        return attributeWritten();
    }

    /**
     * DATA (RFC 8656 §18.4) copied from {@code src} at absolute {@code index}; the source's indexes do not
     * move. Allocation-free for heap and direct buffers alike.
     */
    public StunWriter data(ByteBuf src, int index, int length) {
        if (length < 0 || length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("DATA too long: " + length);
        }
        header(StunAttribute.DATA, length);
        BufferBytes.copy(src, index, out, length);
        pad(length);
        return attributeWritten();
    }

    /** DATA from an array. */
    public StunWriter data(byte[] value, int valueOffset, int valueLength) {
        return attribute(StunAttribute.DATA, value, valueOffset, valueLength);
    }

    /** REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): the family byte, then 24 RFFU bits. */
    public StunWriter requestedAddressFamily(int family) {
        return familyAttribute(StunAttribute.REQUESTED_ADDRESS_FAMILY, family);
    }

    /** ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11), same layout; only IPv6 is legal. */
    public StunWriter additionalAddressFamily(int family) {
        return familyAttribute(StunAttribute.ADDITIONAL_ADDRESS_FAMILY, family);
    }

    private StunWriter familyAttribute(int type, int family) {
        header(type, 4);
        out.writeByte(family);
        out.writeMedium(0);
        return attributeWritten();
    }

    /** EVEN-PORT (RFC 8656 §18.7): one byte whose top bit (R) asks to reserve the next port; padded to four. */
    public StunWriter evenPort(boolean reserveNext) {
        header(StunAttribute.EVEN_PORT, 1);
        out.writeByte(reserveNext ? 0x80 : 0);
        pad(1);
        return attributeWritten();
    }

    /** REQUESTED-TRANSPORT (RFC 8656 §18.8): the IANA protocol number (17 for UDP), then 24 RFFU bits. */
    public StunWriter requestedTransport(int protocol) {
        if ((protocol & ~0xFF) != 0) {
            throw new IllegalArgumentException("protocol is 8 bits: " + protocol);
        }
        header(StunAttribute.REQUESTED_TRANSPORT, 4);
        out.writeByte(protocol);
        out.writeMedium(0);
        return attributeWritten();
    }

    /** DONT-FRAGMENT (RFC 8656 §18.9), a flag with an empty value. */
    public StunWriter dontFragment() {
        header(StunAttribute.DONT_FRAGMENT, 0);
        return attributeWritten();
    }

    /** RESERVATION-TOKEN (RFC 8656 §18.10), 8 opaque bytes. */
    public StunWriter reservationToken(long token) {
        header(StunAttribute.RESERVATION_TOKEN, 8);
        out.writeLong(token);
        return attributeWritten();
    }

    /**
     * ADDRESS-ERROR-CODE (RFC 8656 §18.12): why the relayed address of {@code family} was not allocated
     * in a dual allocation. ERROR-CODE's layout with the family in the first byte.
     */
    public StunWriter addressErrorCode(int family, int code, CharSequence reason) {
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("error code must be 300..699: " + code);
        }
        int reasonLength = ByteBufUtil.utf8Bytes(reason);
        if (reasonLength > 763) {
            throw new IllegalArgumentException("reason phrase over 763 bytes");
        }
        header(StunAttribute.ADDRESS_ERROR_CODE, 4 + reasonLength);
        out.writeByte(family);
        out.writeByte(0);
        out.writeByte(code / 100);
        out.writeByte(code % 100);
        ByteBufUtil.writeUtf8(out, reason);
        pad(4 + reasonLength);
        return attributeWritten();
    }

    /**
     * ERROR-CODE (RFC 8489 §14.8).
     *
     * <pre>
     *  0                   1                   2                   3
     *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |           Reserved, should be 0         |Class|     Number    |
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * |      Reason Phrase (variable)                                ..
     * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
     * </pre>
     */
    public StunWriter errorCode(int code, CharSequence reason) {
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("error code must be 300..699: " + code);
        }
        int reasonLength = ByteBufUtil.utf8Bytes(reason);
        if (reasonLength > 763) {
            throw new IllegalArgumentException("reason phrase over 763 bytes");
        }
        header(StunAttribute.ERROR_CODE, 4 + reasonLength);
        out.writeShort(0);
        out.writeByte(code / 100);
        out.writeByte(code % 100);
        ByteBufUtil.writeUtf8(out, reason);
        pad(4 + reasonLength);
        return attributeWritten();
    }

    /** ERROR-CODE with the RFC's reason phrase ({@link StunErrorCode#reason}). */
    public StunWriter errorCode(int code) {
        return errorCode(code, StunErrorCode.reason(code));
    }

    /** UNKNOWN-ATTRIBUTES (RFC 8489 §14.9) listing the first {@code count} of {@code types}. */
    public StunWriter unknownAttributes(int[] types, int count) {
        if (count < 0 || count > types.length || count * 2 > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("bad count " + count);
        }
        header(StunAttribute.UNKNOWN_ATTRIBUTES, count * 2);
        for (int i = 0; i < count; i++) {
            out.writeShort(types[i]);
        }
        pad(count * 2);
        return attributeWritten();
    }

    /** UNKNOWN-ATTRIBUTES listing the comprehension-required attributes {@code request} carried and we do not understand (for 420). */
    public StunWriter unknownAttributes(StunMessage request) {
        int count = request.unknownComprehensionRequiredCount();
        header(StunAttribute.UNKNOWN_ATTRIBUTES, count * 2);
        for (int i = 0; i < count; i++) {
            out.writeShort(request.unknownComprehensionRequired(i));
        }
        pad(count * 2);
        return attributeWritten();
    }

    /** Any attribute from raw value bytes; the value is padded with {@link #paddingByte}. */
    public StunWriter attribute(int type, byte[] value, int valueOffset, int valueLength) {
        if (valueLength > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("attribute value too long: " + valueLength);
        }
        header(type, valueLength);
        BufferBytes.write(out, value, valueOffset, valueLength);
        pad(valueLength);
        return attributeWritten();
    }

    /**
     * MESSAGE-INTEGRITY signed with {@code integrity} (RFC 8489 §14.5). After it only FINGERPRINT may follow.
     */
    public StunWriter messageIntegrity(StunIntegrity integrity) {
        header(StunAttribute.MESSAGE_INTEGRITY, StunIntegrity.HMAC_LENGTH);
        int attributeOffset = out.writerIndex() - StunAttribute.HEADER_LENGTH;
        out.writeZero(StunIntegrity.HMAC_LENGTH);
        updateLength();
        integrity.sign(out, start, attributeOffset);
        stage = AFTER_INTEGRITY;
        return this;
    }

    /** FINGERPRINT (RFC 8489 §14.7); always the last attribute. */
    public StunWriter fingerprint() {
        header(StunAttribute.FINGERPRINT, StunFingerprint.VALUE_LENGTH);
        int attributeOffset = out.writerIndex() - StunAttribute.HEADER_LENGTH;
        out.writeZero(StunFingerprint.VALUE_LENGTH);
        updateLength();
        out.setInt(attributeOffset + StunAttribute.HEADER_LENGTH,
                fingerprintCalculator.compute(out, start, attributeOffset - start));
        stage = AFTER_FINGERPRINT;
        return this;
    }

    /** Ends the message and returns its length in bytes, header included. The writer can then begin another. */
    public int finish() {
        if (stage == IDLE) {
            throw new IllegalStateException("no message begun");
        }
        int length = out.writerIndex() - start;
        out = null;
        stage = IDLE;
        return length;
    }

    private StunWriter text(int type, CharSequence value) {
        int length = ByteBufUtil.utf8Bytes(value);
        if (length > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("attribute value too long: " + length);
        }
        header(type, length);
        ByteBufUtil.writeUtf8(out, value);
        pad(length);
        return attributeWritten();
    }

    private void header(int type, int valueLength) {
        switch (stage) {
            case IDLE -> throw new IllegalStateException("no message begun");
            case AFTER_FINGERPRINT -> throw new IllegalStateException("FINGERPRINT must be the last attribute");
            case AFTER_INTEGRITY -> {
                if (type != StunAttribute.FINGERPRINT) {
                    throw new IllegalStateException("only FINGERPRINT may follow MESSAGE-INTEGRITY, not "
                            + StunAttribute.name(type));
                }
            }
            default -> {
            }
        }
        if ((type & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("attribute type is 16 bits: " + type);
        }
        out.writeShort(type);
        out.writeShort(valueLength);
    }

    private void pad(int valueLength) {
        for (int i = valueLength; (i & 3) != 0; i++) {
            out.writeByte(paddingByte);
        }
    }

    private StunWriter attributeWritten() {
        updateLength();
        return this;
    }

    private void updateLength() {
        int length = out.writerIndex() - start - StunMessage.HEADER_LENGTH;
        if (length > 0xFFFF) {
            throw new IllegalStateException("STUN message longer than 65535 bytes after the header");
        }
        out.setShort(start + 2, length);
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
