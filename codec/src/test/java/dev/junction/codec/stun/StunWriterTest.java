package dev.junction.codec.stun;

import static dev.junction.codec.stun.StunFixtures.CHROME_PRIORITY;
import static dev.junction.codec.stun.StunFixtures.CHROME_TIE_BREAKER;
import static dev.junction.codec.stun.StunFixtures.CHROME_TRANSACTION_ID;
import static dev.junction.codec.stun.StunFixtures.LOCAL_PASSWORD;
import static dev.junction.codec.stun.StunFixtures.LOCAL_UFRAG;
import static dev.junction.codec.stun.StunFixtures.REMOTE_UFRAG;
import static dev.junction.codec.stun.StunFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunFixtures.BufferShape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The writer in the two roles the ICE layer needs: the gateway (ICE-lite, controlled) answering checks
 * with success and error responses, and the client role writing checks and reading the answers.
 */
class StunWriterTest {

    private final StunWriter writer = new StunWriter();
    private final StunMessage request = new StunMessage();
    private final StunMessage response = new StunMessage();
    private final StunIntegrity localIntegrity = StunIntegrity.shortTerm(LOCAL_PASSWORD);

    @Test
    void shouldWriteChromeShapedCheckOf104Bytes() {
        byte[] check = StunFixtures.chromeBindingRequest();
        assertArrayEquals(StunFixtures.CHROME_BINDING_REQUEST, check);
        ByteBuf buf = Unpooled.wrappedBuffer(check);
        try {
            assertEquals(StunParseResult.OK, request.wrap(buf, 0, check.length));
            assertTrue(request.isBindingRequest());
            assertTrue(request.transactionIdEquals(CHROME_TRANSACTION_ID));
            assertEquals(LOCAL_UFRAG + ":" + REMOTE_UFRAG, request.username());
            assertTrue(request.usernameLocalPartEquals(LOCAL_UFRAG.getBytes()));
            assertEquals(CHROME_PRIORITY, request.priority());
            assertTrue(request.useCandidate());
            assertTrue(request.hasIceControlling());
            assertEquals(CHROME_TIE_BREAKER, request.iceControlling());
            assertEquals(0, request.unknownComprehensionRequiredCount());
            assertTrue(request.hasFingerprint());
            assertTrue(localIntegrity.verify(request));
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldAnswerACheckWithSignedSuccessResponse(BufferShape shape) throws UnknownHostException {
        ByteBuf in = shape.copyOf(StunFixtures.chromeBindingRequest());
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(128);
        try {
            assertEquals(StunParseResult.OK, request.wrap(in, in.readerIndex(), in.readableBytes()));
            InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName("203.0.113.9"), 50123);
            int length = writer.beginResponse(out, StunMessageType.BINDING_SUCCESS_RESPONSE, request)
                    .xorMappedAddress(remote)
                    .messageIntegrity(localIntegrity)
                    .fingerprint()
                    .finish();
            assertEquals(20 + 12 + 24 + 8, length);

            assertEquals(StunParseResult.OK, response.wrap(out, 0, length));
            assertTrue(response.isBindingSuccessResponse());
            assertTrue(response.transactionIdEquals(CHROME_TRANSACTION_ID));
            assertEquals(remote, response.xorMappedSocketAddress());
            assertTrue(response.hasFingerprint());
            assertTrue(localIntegrity.verify(response));
            assertFalse(StunIntegrity.shortTerm("other").verify(response));
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void shouldWriteIpv6MappedAddressXoredWithTransactionId() throws UnknownHostException {
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName("::1"), 9);
        ByteBuf out = Unpooled.buffer();
        try {
            int length = writer.begin(out, StunMessageType.BINDING_SUCCESS_RESPONSE, CHROME_TRANSACTION_ID)
                    .xorMappedAddress(remote)
                    .finish();
            // The last address byte 0x01 is XOR'ed with the last transaction ID byte 0x6e.
            assertEquals(0x01 ^ 0x6e, out.getUnsignedByte(length - 1));
            assertEquals(StunParseResult.OK, response.wrap(out, 0, length));
            assertEquals(remote, response.xorMappedSocketAddress());
        } finally {
            out.release();
        }
    }

    @Test
    void shouldWriteIpv4MappedAddressFromAnInt() throws UnknownHostException {
        ByteBuf out = Unpooled.buffer();
        try {
            int length = writer.begin(out, StunMessageType.BINDING_SUCCESS_RESPONSE, CHROME_TRANSACTION_ID)
                    .xorMappedAddressIpv4(0xC0000201, 32853)
                    .finish();
            assertArrayEquals(hex("00 20 00 08 00 01 a1 47 e1 12 a6 43"), bytesAt(out, 20, length - 20));
            assertEquals(StunParseResult.OK, response.wrap(out, 0, length));
            assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853), response.xorMappedSocketAddress());
        } finally {
            out.release();
        }
    }

    @Test
    void shouldAnswerUnknownComprehensionRequiredAttributesWith420() {
        ByteBuf in = Unpooled.wrappedBuffer(StunMessageTest.message(StunMessageType.BINDING_REQUEST,
                StunMessageTest.attribute(0x0033, new byte[0]),
                StunMessageTest.attribute(0x7001, new byte[] {1, 2, 3}),
                StunMessageTest.attribute(0x0033, new byte[0])));
        ByteBuf out = Unpooled.buffer();
        try {
            assertEquals(StunParseResult.OK, request.wrap(in, 0, in.readableBytes()));
            int length = writer.beginResponse(out, StunMessageType.BINDING_ERROR_RESPONSE, request)
                    .errorCode(StunErrorCode.UNKNOWN_ATTRIBUTE)
                    .unknownAttributes(request)
                    .fingerprint()
                    .finish();
            byte[] expected = hex("""
                    01 11 00 2c   # Binding error response, length 44
                    21 12 a4 42   # Magic cookie
                    00 00 00 00 00 00 00 00 00 00 00 00   # Transaction ID of the request
                    00 09 00 15   # ERROR-CODE, length 21
                    00 00 04 14   # class 4, number 20
                    55 6e 6b 6e 6f 77 6e 20 41 74 74 72 69 62 75 74 65   # "Unknown Attribute"
                    00 00 00      # padding
                    00 0a 00 04   # UNKNOWN-ATTRIBUTES, length 4
                    00 33 70 01   # 0x0033 (once), 0x7001
                    80 28 00 04   # FINGERPRINT
                    """);
            byte[] actual = bytesAt(out, 0, length);
            assertArrayEquals(expected, Arrays.copyOf(actual, expected.length));
            assertEquals(expected.length + 4, length);

            assertEquals(StunParseResult.OK, response.wrap(out, 0, length));
            assertTrue(response.isBindingErrorResponse());
            assertEquals(420, response.errorCode());
            assertEquals("Unknown Attribute", response.errorReason());
            assertEquals(2, response.reportedUnknownAttributeCount());
            assertEquals(0x0033, response.reportedUnknownAttribute(0));
            assertEquals(0x7001, response.reportedUnknownAttribute(1));
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void shouldWriteTheErrorResponsesAnIceLiteAgentSends() {
        ByteBuf in = Unpooled.wrappedBuffer(StunFixtures.chromeBindingRequest());
        ByteBuf out = Unpooled.buffer();
        try {
            assertEquals(StunParseResult.OK, request.wrap(in, 0, in.readableBytes()));
            for (int code : new int[] {StunErrorCode.BAD_REQUEST, StunErrorCode.UNAUTHENTICATED,
                    StunErrorCode.ROLE_CONFLICT, StunErrorCode.SERVER_ERROR}) {
                out.clear();
                writer.beginResponse(out, StunMessageType.BINDING_ERROR_RESPONSE, request).errorCode(code);
                // 401 cannot be signed (the sender is not authenticated); 400/487/500 answer an authenticated request.
                if (code != StunErrorCode.UNAUTHENTICATED) {
                    writer.messageIntegrity(localIntegrity);
                }
                int length = writer.fingerprint().finish();
                assertEquals(StunParseResult.OK, response.wrap(out, 0, length));
                assertEquals(code, response.errorCode());
                assertEquals(StunErrorCode.reason(code), response.errorReason());
                assertTrue(response.transactionIdEquals(CHROME_TRANSACTION_ID));
                assertEquals(code != StunErrorCode.UNAUTHENTICATED, localIntegrity.verify(response));
            }
        } finally {
            in.release();
            out.release();
        }
    }

    @Test
    void shouldPadWithTheChosenByteAndCountOnlyTheValueInTheLength() {
        ByteBuf out = Unpooled.buffer();
        try {
            int length = writer.begin(out, StunMessageType.BINDING_REQUEST, CHROME_TRANSACTION_ID)
                    .username("abcde")
                    .paddingByte(0x20)
                    .software("xy")
                    .finish();
            assertArrayEquals(hex("00 06 00 05 61 62 63 64 65 00 00 00  80 22 00 02 78 79 20 20"),
                    bytesAt(out, 20, length - 20));
            assertEquals(length - 20, out.getUnsignedShort(2));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRefuseAttributesAfterIntegrityOrFingerprint() {
        ByteBuf out = Unpooled.buffer();
        try {
            writer.begin(out, StunMessageType.BINDING_REQUEST, CHROME_TRANSACTION_ID).messageIntegrity(localIntegrity);
            assertThrows(IllegalStateException.class, () -> writer.priority(1));
            assertThrows(IllegalStateException.class, () -> writer.messageIntegrity(localIntegrity));
            writer.fingerprint();
            assertThrows(IllegalStateException.class, writer::fingerprint);
            assertThrows(IllegalStateException.class, writer::useCandidate);
            writer.finish();
            assertThrows(IllegalStateException.class, writer::finish);
            assertThrows(IllegalStateException.class, () -> writer.priority(1));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRejectArgumentsOutsideTheWireFormat() {
        ByteBuf out = Unpooled.buffer();
        try {
            assertThrows(IllegalArgumentException.class, () -> writer.begin(out, 0x4001, CHROME_TRANSACTION_ID));
            assertThrows(IllegalArgumentException.class, () -> writer.begin(out, 1, new byte[11]));
            writer.begin(out, StunMessageType.BINDING_REQUEST, CHROME_TRANSACTION_ID);
            assertThrows(IllegalArgumentException.class, () -> writer.priority(-1));
            assertThrows(IllegalArgumentException.class, () -> writer.priority(1L << 32));
            assertThrows(IllegalArgumentException.class, () -> writer.errorCode(700));
            assertThrows(IllegalArgumentException.class, () -> writer.xorMappedAddress(new byte[5], 1));
            assertThrows(IllegalArgumentException.class, () -> writer.xorMappedAddressIpv4(1, 65536));
            assertThrows(IllegalArgumentException.class, () -> writer.errorCode(400, "x".repeat(764)));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRoundTripAClientCheckWithoutUseCandidate() {
        ByteBuf out = Unpooled.buffer();
        try {
            byte[] transactionId = new byte[12];
            new SecureRandom().nextBytes(transactionId);
            int length = writer.begin(out, StunMessageType.BINDING_REQUEST, transactionId)
                    .username(REMOTE_UFRAG + ":" + LOCAL_UFRAG)
                    .priority(0xFFFFFFFFL)
                    .iceControlled(-1L)
                    .messageIntegrity(localIntegrity)
                    .fingerprint()
                    .finish();
            assertEquals(StunParseResult.OK, request.wrap(out, 0, length));
            assertTrue(request.transactionIdEquals(transactionId));
            byte[] copied = new byte[14];
            request.copyTransactionId(copied, 2);
            assertArrayEquals(transactionId, Arrays.copyOfRange(copied, 2, 14));
            assertFalse(request.useCandidate());
            assertEquals(0xFFFFFFFFL, request.priority());
            assertEquals(-1L, request.iceControlled());
            assertFalse(request.hasIceControlling());
            assertTrue(localIntegrity.verify(request));
        } finally {
            out.release();
        }
    }

    private static byte[] bytesAt(ByteBuf buf, int index, int length) {
        byte[] b = new byte[length];
        buf.getBytes(index, b);
        return b;
    }
}
