package dev.junction.codec.stun;

import static dev.junction.codec.stun.StunFixtures.LOCAL_PASSWORD;
import static dev.junction.codec.stun.StunFixtures.SAMPLE_REQUEST;
import static dev.junction.codec.stun.StunFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flyweight on malformed, hostile and unusual input: every case returns a result, none throws. */
class StunMessageTest {

    private static final byte[] NO_VALUE = new byte[0];

    private final StunMessage message = new StunMessage();
    private ByteBuf current;

    @Test
    void shouldRejectEveryLengthShorterThanTheHeader() {
        for (int length = 0; length < StunMessage.HEADER_LENGTH; length++) {
            assertEquals(StunParseResult.TOO_SHORT, parse(Arrays.copyOf(SAMPLE_REQUEST, length)), "length " + length);
            assertFalse(message.isValid());
        }
    }

    @Test
    void shouldRejectEveryTruncationOfAValidMessage() {
        for (int length = StunMessage.HEADER_LENGTH; length < SAMPLE_REQUEST.length; length++) {
            assertEquals(StunParseResult.LENGTH_MISMATCH, parse(Arrays.copyOf(SAMPLE_REQUEST, length)), "length " + length);
        }
    }

    @Test
    void shouldRejectTrailingBytesAfterTheMessage() {
        assertEquals(StunParseResult.LENGTH_MISMATCH, parse(Arrays.copyOf(SAMPLE_REQUEST, SAMPLE_REQUEST.length + 4)));
    }

    @Test
    void shouldRejectNonZeroTopBits() {
        for (int top : new int[] {0x40, 0x80, 0xC0}) {
            byte[] b = SAMPLE_REQUEST.clone();
            b[0] |= (byte) top;
            assertEquals(StunParseResult.NOT_STUN, parse(b));
        }
    }

    @Test
    void shouldRejectWrongMagicCookie() {
        byte[] b = SAMPLE_REQUEST.clone();
        b[7] ^= 1;
        assertEquals(StunParseResult.BAD_MAGIC_COOKIE, parse(b));
    }

    @Test
    void shouldRejectLengthFieldThatIsNotAMultipleOfFour() {
        byte[] b = message(StunMessageType.BINDING_REQUEST, attribute(StunAttribute.SOFTWARE, "abcd".getBytes()));
        b[3] = 6;
        assertEquals(StunParseResult.UNALIGNED_LENGTH, parse(Arrays.copyOf(b, 26)));
    }

    @Test
    void shouldRejectZeroAndMaximumAndSelfReferencingLengthFields() {
        byte[] b = SAMPLE_REQUEST.clone();
        for (int length : new int[] {0, 0xFFFC, b.length, b.length - 16}) {
            b[2] = (byte) (length >>> 8);
            b[3] = (byte) length;
            assertEquals(StunParseResult.LENGTH_MISMATCH, parse(b), "length field " + length);
        }
    }

    @Test
    void shouldAcceptHeaderOnlyMessage() {
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST)));
        assertEquals(0, message.attributeCount());
        assertFalse(message.hasUsername());
        assertEquals(-1, message.priority());
        assertEquals(-1, message.errorCode());
        assertEquals(0, message.xorMappedAddressFamily());
        assertNull(message.xorMappedSocketAddress());
        assertFalse(StunIntegrity.shortTerm("x").verify(message));
    }

    @Test
    void shouldRejectAttributeValueRunningPastTheMessage() {
        byte[] b = message(StunMessageType.BINDING_REQUEST, attribute(StunAttribute.SOFTWARE, "abcd".getBytes()));
        for (int length : new int[] {5, 8, 0xFFFF}) {
            b[22] = (byte) (length >>> 8);
            b[23] = (byte) length;
            assertEquals(StunParseResult.TRUNCATED_ATTRIBUTE, parse(b), "attribute length " + length);
        }
    }

    @Test
    void shouldRejectAttributeWhosePaddingRunsPastTheMessage() {
        // A 5-byte value needs 3 padding bytes; the message ends after the value's first 8 bytes.
        byte[] b = hex("""
                00 01 00 08   # Binding request, length 8
                21 12 a4 42   # Magic cookie
                00 00 00 00 00 00 00 00 00 00 00 00
                80 22 00 05   # SOFTWARE, length 5
                61 62 63 64   # only 4 of the 5 bytes (and none of the padding) fit
                """);
        assertEquals(StunParseResult.TRUNCATED_ATTRIBUTE, parse(b));
    }

    @Test
    void shouldRejectKnownAttributesWithForbiddenLengthsOrValues() {
        byte[][] malformed = {
            attribute(StunAttribute.MESSAGE_INTEGRITY, new byte[19]),
            attribute(StunAttribute.MESSAGE_INTEGRITY, new byte[32]),
            attribute(StunAttribute.MESSAGE_INTEGRITY_SHA256, new byte[12]),
            attribute(StunAttribute.MESSAGE_INTEGRITY_SHA256, new byte[18]),
            attribute(StunAttribute.FINGERPRINT, new byte[8]),
            attribute(StunAttribute.PRIORITY, new byte[3]),
            attribute(StunAttribute.USE_CANDIDATE, new byte[4]),
            attribute(StunAttribute.ICE_CONTROLLING, new byte[4]),
            attribute(StunAttribute.ICE_CONTROLLED, new byte[12]),
            attribute(StunAttribute.XOR_MAPPED_ADDRESS, hex("00 03 00 00 00 00 00 00")), // family 3
            attribute(StunAttribute.XOR_MAPPED_ADDRESS, hex("00 01 00 00")),             // IPv4 without address
            attribute(StunAttribute.XOR_MAPPED_ADDRESS, new byte[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), // IPv4, 12 bytes
            attribute(StunAttribute.XOR_MAPPED_ADDRESS, hex("00 02 00 00 00 00 00 00")), // IPv6 with 4 address bytes
            attribute(StunAttribute.ERROR_CODE, hex("00 00 07 00")),                     // class 7
            attribute(StunAttribute.ERROR_CODE, hex("00 00 04 64")),                     // number 100
            attribute(StunAttribute.ERROR_CODE, hex("00 00 04")),                        // too short
            attribute(StunAttribute.UNKNOWN_ATTRIBUTES, hex("00 1a 00")),                // odd length
        };
        for (byte[] attribute : malformed) {
            assertEquals(StunParseResult.MALFORMED_ATTRIBUTE, parse(message(StunMessageType.BINDING_REQUEST, attribute)),
                    () -> "attribute " + Arrays.toString(attribute));
        }
    }

    @Test
    void shouldRejectAttributeAfterFingerprint() {
        byte[] b = signed(writer -> writer.fingerprint());
        byte[] extended = Arrays.copyOf(b, b.length + 4);
        extended[b.length] = (byte) 0x80; // SOFTWARE, empty
        extended[b.length + 1] = 0x22;
        extended[3] += 4;
        assertEquals(StunParseResult.FINGERPRINT_NOT_LAST, parse(extended));
    }

    @Test
    void shouldRejectDuplicateFingerprint() {
        byte[] once = signed(writer -> writer.fingerprint());
        byte[] twice = Arrays.copyOf(once, once.length + 8);
        System.arraycopy(once, once.length - 8, twice, once.length, 8);
        twice[3] += 8;
        assertEquals(StunParseResult.FINGERPRINT_NOT_LAST, parse(twice));
    }

    @Test
    void shouldRejectWrongFingerprint() {
        byte[] b = signed(writer -> writer.fingerprint());
        b[b.length - 1] ^= 1;
        assertEquals(StunParseResult.BAD_FINGERPRINT, parse(b));
    }

    @Test
    void shouldRejectFingerprintComputedWithoutItsOwnLengthInTheHeader() {
        byte[] b = message(StunMessageType.BINDING_REQUEST, attribute(StunAttribute.FINGERPRINT, new byte[4]));
        // CRC over a header whose length is 0 (as if FINGERPRINT were not counted): RFC 8489 §14.7 says it is.
        byte[] header = Arrays.copyOf(b, 20);
        header[2] = 0;
        header[3] = 0;
        CRC32 crc = new CRC32();
        crc.update(header);
        int wrong = (int) crc.getValue() ^ StunFingerprint.XOR;
        b[24] = (byte) (wrong >>> 24);
        b[25] = (byte) (wrong >>> 16);
        b[26] = (byte) (wrong >>> 8);
        b[27] = (byte) wrong;
        assertEquals(StunParseResult.BAD_FINGERPRINT, parse(b));
    }

    @Test
    void shouldRejectMoreAttributesThanTheLimit() {
        byte[][] attributes = new byte[StunMessage.MAX_ATTRIBUTES + 1][];
        Arrays.fill(attributes, attribute(StunAttribute.SOFTWARE, NO_VALUE));
        assertEquals(StunParseResult.TOO_MANY_ATTRIBUTES, parse(message(StunMessageType.BINDING_REQUEST, attributes)));
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST,
                Arrays.copyOf(attributes, StunMessage.MAX_ATTRIBUTES))));
        assertEquals(StunMessage.MAX_ATTRIBUTES, message.attributeCount());
    }

    @Test
    void shouldUseTheFirstOccurrenceOfADuplicatedAttribute() {
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST,
                attribute(StunAttribute.PRIORITY, hex("00 00 00 07")),
                attribute(StunAttribute.USERNAME, "a:b".getBytes()),
                attribute(StunAttribute.PRIORITY, hex("00 00 00 09")),
                attribute(StunAttribute.USERNAME, "c:d".getBytes()))));
        assertEquals(7, message.priority());
        assertEquals("a:b", message.username());
        assertEquals(4, message.attributeCount());
        assertEquals(0, message.indexOf(StunAttribute.PRIORITY));
        assertEquals(9, message.buffer().getInt(message.attributeValueOffset(2)));
    }

    @Test
    void shouldIgnoreAttributesBetweenMessageIntegrityAndFingerprint() {
        StunIntegrity integrity = StunIntegrity.shortTerm(LOCAL_PASSWORD);
        byte[] signed = signed(writer -> writer);
        // Splice an unknown comprehension-required attribute and a PRIORITY after MESSAGE-INTEGRITY,
        // then add a correct FINGERPRINT; a receiver must ignore both (RFC 8489 §14.5).
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(signed);
        b.writeBytes(attribute(0x0033, hex("01 02 03 04")));
        b.writeBytes(attribute(StunAttribute.PRIORITY, hex("00 00 00 05")));
        byte[] withFingerprint = appendFingerprint(b.toByteArray());

        assertEquals(StunParseResult.OK, parse(withFingerprint));
        assertEquals(0, message.unknownComprehensionRequiredCount());
        assertEquals(1, message.priority(), "the PRIORITY before MESSAGE-INTEGRITY, not the one after");
        assertEquals(4, message.attributeCount(), message::toString);
        assertEquals(-1, message.indexOf(0x0033));
        assertTrue(message.hasFingerprint());
        assertTrue(integrity.verify(message));
    }

    @Test
    void shouldReportUnknownComprehensionRequiredAttributesOnce() {
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST,
                attribute(0x0033, NO_VALUE),
                attribute(StunAttribute.GOOG_NETWORK_INFO, hex("00 01 00 0a")), // optional: not reported
                attribute(0x7FFF, hex("01")),
                attribute(0x0033, hex("02")),
                attribute(StunAttribute.MAPPED_ADDRESS, hex("00 01 00 01 01 02 03 04")))));
        assertEquals(3, message.unknownComprehensionRequiredCount());
        assertEquals(0x0033, message.unknownComprehensionRequired(0));
        assertEquals(0x7FFF, message.unknownComprehensionRequired(1));
        assertEquals(StunAttribute.MAPPED_ADDRESS, message.unknownComprehensionRequired(2));
        assertThrows(IndexOutOfBoundsException.class, () -> message.unknownComprehensionRequired(3));
    }

    @Test
    void shouldUnderstandMessageIntegritySha256WithoutReportingIt() {
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST,
                attribute(StunAttribute.MESSAGE_INTEGRITY_SHA256, new byte[32]))));
        assertTrue(message.hasMessageIntegritySha256());
        assertFalse(message.hasMessageIntegrity());
        assertEquals(0, message.unknownComprehensionRequiredCount());
    }

    @Test
    void shouldProcessMessageIntegrityAfterMessageIntegritySha256() {
        // RFC 8489 §14.6: after MESSAGE-INTEGRITY-SHA256 only MESSAGE-INTEGRITY and FINGERPRINT count.
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST,
                attribute(StunAttribute.MESSAGE_INTEGRITY_SHA256, new byte[32]),
                attribute(StunAttribute.USERNAME, "x:y".getBytes()),
                attribute(StunAttribute.MESSAGE_INTEGRITY, new byte[20]),
                attribute(StunAttribute.MESSAGE_INTEGRITY_SHA256, new byte[16]))));
        assertFalse(message.hasUsername());
        assertTrue(message.hasMessageIntegrity());
        assertEquals(2, message.attributeCount());
    }

    @Test
    void shouldSplitUsernameAtTheFirstColon() {
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST,
                attribute(StunAttribute.USERNAME, "local:re:mote".getBytes()))));
        assertEquals(5, message.usernameLocalPartLength());
        assertEquals("local", message.usernameLocalPart());
        assertTrue(message.usernameLocalPartEquals("local".getBytes()));
        assertFalse(message.usernameLocalPartEquals("loca".getBytes()));
        assertFalse(message.usernameLocalPartEquals("local:".getBytes()));
        assertTrue(message.usernameEquals("local:re:mote".getBytes()));
        assertFalse(message.usernameEquals("local:re:mot".getBytes()));

        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST,
                attribute(StunAttribute.USERNAME, "nocolon".getBytes()))));
        assertEquals(-1, message.usernameLocalPartLength());
        assertNull(message.usernameLocalPart());
        assertFalse(message.usernameLocalPartEquals("nocolon".getBytes()));
    }

    @Test
    void shouldReadUnsignedPriorityAndTieBreakers() {
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_REQUEST,
                attribute(StunAttribute.PRIORITY, hex("ff ff ff fe")),
                attribute(StunAttribute.ICE_CONTROLLING, hex("ff 00 00 00 00 00 00 01")))));
        assertEquals(0xFFFFFFFEL, message.priority());
        assertEquals(0xFF00000000000001L, message.iceControlling());
        assertFalse(message.hasIceControlled());
        assertEquals(0, message.iceControlled());
    }

    @Test
    void shouldReadErrorCodeAndReportedUnknownAttributes() {
        assertEquals(StunParseResult.OK, parse(message(StunMessageType.BINDING_ERROR_RESPONSE,
                attribute(StunAttribute.ERROR_CODE, hex("00 00 04 14 55 6e 6b")), // 420 "Unk"
                attribute(StunAttribute.UNKNOWN_ATTRIBUTES, hex("00 1a 80 2c")))));
        assertTrue(message.isBindingErrorResponse());
        assertEquals(StunMessageType.CLASS_ERROR_RESPONSE, message.messageClass());
        assertEquals(StunMessageType.METHOD_BINDING, message.method());
        assertEquals(420, message.errorCode());
        assertEquals("Unk", message.errorReason());
        assertEquals(2, message.reportedUnknownAttributeCount());
        assertEquals(0x001A, message.reportedUnknownAttribute(0));
        assertEquals(0x802C, message.reportedUnknownAttribute(1));
    }

    @Test
    void shouldReturnOutOfBoundsForRangesOutsideTheWrittenBytes() {
        ByteBuf buf = Unpooled.buffer(200).writeBytes(SAMPLE_REQUEST);
        try {
            assertEquals(StunParseResult.OUT_OF_BOUNDS, message.wrap(buf, -1, SAMPLE_REQUEST.length));
            assertEquals(StunParseResult.OUT_OF_BOUNDS, message.wrap(buf, 0, SAMPLE_REQUEST.length + 1));
            assertEquals(StunParseResult.OUT_OF_BOUNDS, message.wrap(buf, 1, SAMPLE_REQUEST.length));
            assertEquals(StunParseResult.OUT_OF_BOUNDS, message.wrap(buf, 0, -5));
            assertEquals(StunParseResult.OUT_OF_BOUNDS, message.wrap(buf, Integer.MAX_VALUE, 20));
            assertEquals(StunParseResult.OUT_OF_BOUNDS, message.wrap(null, 0, 20));
            assertEquals(StunParseResult.OK, message.wrap(buf, 0, SAMPLE_REQUEST.length));
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldLeaveBufferIndexesAlone() {
        ByteBuf buf = Unpooled.buffer(200).writeBytes(new byte[5]).writeBytes(SAMPLE_REQUEST);
        try {
            buf.readerIndex(5);
            assertEquals(StunParseResult.OK, message.wrap(buf, 5, SAMPLE_REQUEST.length));
            StunIntegrity.shortTerm(StunFixtures.PASSWORD).verify(message);
            message.username();
            assertEquals(5, buf.readerIndex());
            assertEquals(5 + SAMPLE_REQUEST.length, buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldForgetThePreviousMessageWhenAWrapFails() {
        assertEquals(StunParseResult.OK, parse(SAMPLE_REQUEST));
        assertTrue(message.hasUsername());
        byte[] bad = SAMPLE_REQUEST.clone();
        bad[bad.length - 1] ^= 1;
        assertEquals(StunParseResult.BAD_FINGERPRINT, parse(bad));
        assertFalse(message.isValid());
        assertEquals(-1, message.messageType());
        assertEquals(0, message.attributeCount());
        assertFalse(message.hasUsername());
        assertFalse(message.hasMessageIntegrity());
        assertFalse(message.isBindingRequest());
        assertNull(message.username());
        assertThrows(IllegalStateException.class, message::buffer);
        assertThrows(IllegalStateException.class, () -> message.transactionIdEquals(new byte[12]));
    }

    @Test
    void shouldDecodeAndEncodeMessageTypes() {
        for (int method = 0; method < 0x1000; method += 0x0FF) {
            for (int c = 0; c < 4; c++) {
                int type = StunMessageType.of(method, c);
                assertEquals(method, StunMessageType.method(type));
                assertEquals(c, StunMessageType.messageClass(type));
            }
        }
        assertEquals(StunMessageType.BINDING_SUCCESS_RESPONSE,
                StunMessageType.of(StunMessageType.METHOD_BINDING, StunMessageType.CLASS_SUCCESS_RESPONSE));
        assertEquals(StunMessageType.BINDING_ERROR_RESPONSE,
                StunMessageType.of(StunMessageType.METHOD_BINDING, StunMessageType.CLASS_ERROR_RESPONSE));
        assertEquals(StunMessageType.BINDING_INDICATION,
                StunMessageType.of(StunMessageType.METHOD_BINDING, StunMessageType.CLASS_INDICATION));
    }

    // ---- fixtures ----

    /** Wraps a copy in a pooled direct buffer that stays alive until the next parse or the end of the test. */
    private StunParseResult parse(byte[] bytes) {
        releaseCurrent();
        current = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, bytes.length)).writeBytes(bytes);
        return message.wrap(current, 0, bytes.length);
    }

    @AfterEach
    void releaseCurrent() {
        if (current != null) {
            current.release();
            current = null;
        }
    }

    /** A chrome-shaped request up to MESSAGE-INTEGRITY, then whatever {@code tail} adds. */
    private static byte[] signed(UnaryOperator<StunWriter> tail) {
        ByteBuf out = Unpooled.buffer();
        try {
            StunWriter writer = new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, StunFixtures.CHROME_TRANSACTION_ID)
                    .username("a:b")
                    .priority(1)
                    .messageIntegrity(StunIntegrity.shortTerm(LOCAL_PASSWORD));
            tail.apply(writer).finish();
            return StunFixtures.bytes(out);
        } finally {
            out.release();
        }
    }

    /** Appends a FINGERPRINT to a complete message, fixing up the header length. */
    static byte[] appendFingerprint(byte[] messageBytes) {
        byte[] b = Arrays.copyOf(messageBytes, messageBytes.length + 8);
        int length = b.length - 20;
        b[2] = (byte) (length >>> 8);
        b[3] = (byte) length;
        b[messageBytes.length] = (byte) 0x80;
        b[messageBytes.length + 1] = 0x28;
        b[messageBytes.length + 3] = 4;
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        try {
            buf.setInt(messageBytes.length + 4, new StunFingerprint().compute(buf, 0, messageBytes.length));
        } finally {
            buf.release();
        }
        return b;
    }

    /** A message with a zero transaction ID and a correct length field. */
    static byte[] message(int type, byte[]... attributes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int length = 0;
        for (byte[] a : attributes) {
            length += a.length;
        }
        b.write(type >>> 8);
        b.write(type);
        b.write(length >>> 8);
        b.write(length);
        b.writeBytes(hex("21 12 a4 42"));
        b.writeBytes(new byte[12]);
        for (byte[] a : attributes) {
            b.writeBytes(a);
        }
        return b.toByteArray();
    }

    /** One attribute with zero padding. */
    static byte[] attribute(int type, byte[] value) {
        byte[] a = new byte[StunAttribute.encodedLength(value.length)];
        a[0] = (byte) (type >>> 8);
        a[1] = (byte) type;
        a[2] = (byte) (value.length >>> 8);
        a[3] = (byte) value.length;
        System.arraycopy(value, 0, a, 4, value.length);
        return a;
    }
}
