package dev.junction.codec.stun;

import static dev.junction.codec.stun.StunFixtures.LONG_TERM_NONCE;
import static dev.junction.codec.stun.StunFixtures.LONG_TERM_PASSWORD;
import static dev.junction.codec.stun.StunFixtures.LONG_TERM_REALM;
import static dev.junction.codec.stun.StunFixtures.LONG_TERM_TRANSACTION_ID;
import static dev.junction.codec.stun.StunFixtures.LONG_TERM_USERNAME;
import static dev.junction.codec.stun.StunFixtures.PASSWORD;
import static dev.junction.codec.stun.StunFixtures.SAMPLE_IPV4_RESPONSE;
import static dev.junction.codec.stun.StunFixtures.SAMPLE_IPV6_RESPONSE;
import static dev.junction.codec.stun.StunFixtures.SAMPLE_LONG_TERM_REQUEST;
import static dev.junction.codec.stun.StunFixtures.SAMPLE_REQUEST;
import static dev.junction.codec.stun.StunFixtures.TRANSACTION_ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunFixtures.BufferShape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.ToIntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 5769 test vectors, byte for byte: each is parsed (fields, MESSAGE-INTEGRITY, FINGERPRINT) and
 * rebuilt from its fields with the vector's transaction ID and padding bytes. Every test runs over every
 * buffer shape, so the backing-array, scratch-copy and non-zero-offset paths all meet the vectors.
 */
class Rfc5769VectorsTest {

    private static final InetSocketAddress IPV4_MAPPED = socket("192.0.2.1", 32853);
    private static final InetSocketAddress IPV6_MAPPED = socket("2001:db8:1234:5678:11:2233:4455:6677", 32853);

    private final StunMessage message = new StunMessage();

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldParseSampleRequest(BufferShape shape) {
        ByteBuf buf = shape.copyOf(SAMPLE_REQUEST);
        try {
            assertEquals(StunParseResult.OK, message.wrap(buf, buf.readerIndex(), buf.readableBytes()));
            assertTrue(message.isBindingRequest());
            assertTrue(message.transactionIdEquals(TRANSACTION_ID));
            assertAttributeTypes(StunAttribute.SOFTWARE, StunAttribute.PRIORITY, StunAttribute.ICE_CONTROLLED,
                    StunAttribute.USERNAME, StunAttribute.MESSAGE_INTEGRITY, StunAttribute.FINGERPRINT);
            assertEquals("STUN test client", message.software());
            assertEquals(0x6e0001ffL, message.priority());
            assertTrue(message.hasIceControlled());
            assertEquals(0x932ff9b151263b36L, message.iceControlled());
            assertFalse(message.hasIceControlling());
            assertFalse(message.useCandidate());
            assertEquals("evtj:h6vY", message.username());
            assertEquals("evtj", message.usernameLocalPart());
            assertTrue(message.usernameLocalPartEquals("evtj".getBytes()));
            assertEquals(0, message.unknownComprehensionRequiredCount());
            assertTrue(message.hasFingerprint());
            assertEquals(buf.readerIndex() + 76, message.messageIntegrityOffset());
            assertTrue(StunIntegrity.shortTerm(PASSWORD).verify(message));
            assertFalse(StunIntegrity.shortTerm(PASSWORD + "x").verify(message));
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldWriteSampleRequest(BufferShape shape) {
        assertWritten(SAMPLE_REQUEST, shape, out -> new StunWriter()
                .begin(out, StunMessageType.BINDING_REQUEST, TRANSACTION_ID)
                .software("STUN test client")
                .priority(0x6e0001ffL)
                .iceControlled(0x932ff9b151263b36L)
                .paddingByte(0x20)
                .username("evtj:h6vY")
                .messageIntegrity(StunIntegrity.shortTerm(PASSWORD))
                .fingerprint()
                .finish());
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldParseSampleIpv4Response(BufferShape shape) {
        ByteBuf buf = shape.copyOf(SAMPLE_IPV4_RESPONSE);
        try {
            assertEquals(StunParseResult.OK, message.wrap(buf, buf.readerIndex(), buf.readableBytes()));
            assertTrue(message.isBindingSuccessResponse());
            assertTrue(message.transactionIdEquals(TRANSACTION_ID));
            assertAttributeTypes(StunAttribute.SOFTWARE, StunAttribute.XOR_MAPPED_ADDRESS,
                    StunAttribute.MESSAGE_INTEGRITY, StunAttribute.FINGERPRINT);
            assertEquals("test vector", message.software());
            assertEquals(StunMessage.FAMILY_IPV4, message.xorMappedAddressFamily());
            assertEquals(32853, message.xorMappedPort());
            byte[] address = new byte[16];
            assertEquals(4, message.xorMappedAddress(address, 0));
            assertArrayEquals(new byte[] {(byte) 192, 0, 2, 1}, Arrays.copyOf(address, 4));
            assertEquals(IPV4_MAPPED, message.xorMappedSocketAddress());
            assertTrue(message.hasFingerprint());
            assertTrue(StunIntegrity.shortTerm(PASSWORD).verify(message));
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldWriteSampleIpv4Response(BufferShape shape) {
        assertWritten(SAMPLE_IPV4_RESPONSE, shape, out -> new StunWriter()
                .begin(out, StunMessageType.BINDING_SUCCESS_RESPONSE, TRANSACTION_ID)
                .paddingByte(0x20)
                .software("test vector")
                .xorMappedAddress(IPV4_MAPPED)
                .messageIntegrity(StunIntegrity.shortTerm(PASSWORD))
                .fingerprint()
                .finish());
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldParseSampleIpv6Response(BufferShape shape) {
        ByteBuf buf = shape.copyOf(SAMPLE_IPV6_RESPONSE);
        try {
            assertEquals(StunParseResult.OK, message.wrap(buf, buf.readerIndex(), buf.readableBytes()));
            assertTrue(message.isBindingSuccessResponse());
            assertAttributeTypes(StunAttribute.SOFTWARE, StunAttribute.XOR_MAPPED_ADDRESS,
                    StunAttribute.MESSAGE_INTEGRITY, StunAttribute.FINGERPRINT);
            assertEquals(StunMessage.FAMILY_IPV6, message.xorMappedAddressFamily());
            assertEquals(32853, message.xorMappedPort());
            byte[] address = new byte[16];
            assertEquals(16, message.xorMappedAddress(address, 0));
            assertArrayEquals(IPV6_MAPPED.getAddress().getAddress(), address);
            assertEquals(IPV6_MAPPED, message.xorMappedSocketAddress());
            assertTrue(StunIntegrity.shortTerm(PASSWORD).verify(message));
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldWriteSampleIpv6Response(BufferShape shape) {
        assertWritten(SAMPLE_IPV6_RESPONSE, shape, out -> new StunWriter()
                .begin(out, StunMessageType.BINDING_SUCCESS_RESPONSE, TRANSACTION_ID)
                .paddingByte(0x20)
                .software("test vector")
                .xorMappedAddress(IPV6_MAPPED.getAddress().getAddress(), IPV6_MAPPED.getPort())
                .messageIntegrity(StunIntegrity.shortTerm(PASSWORD))
                .fingerprint()
                .finish());
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldParseLongTermRequestAndVerifyWithSaslPreppedPassword(BufferShape shape) {
        ByteBuf buf = shape.copyOf(SAMPLE_LONG_TERM_REQUEST);
        try {
            assertEquals(StunParseResult.OK, message.wrap(buf, buf.readerIndex(), buf.readableBytes()));
            assertTrue(message.isBindingRequest());
            assertTrue(message.transactionIdEquals(LONG_TERM_TRANSACTION_ID));
            assertAttributeTypes(StunAttribute.USERNAME, StunAttribute.NONCE, StunAttribute.REALM,
                    StunAttribute.MESSAGE_INTEGRITY);
            assertEquals(LONG_TERM_USERNAME, message.username());
            assertEquals(18, message.usernameLength());
            assertEquals(LONG_TERM_NONCE, message.nonce());
            assertEquals(LONG_TERM_REALM, message.realm());
            assertFalse(message.hasFingerprint());
            assertEquals(0, message.unknownComprehensionRequiredCount());
            assertTrue(StunIntegrity.longTerm(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD).verify(message));
            assertTrue(StunIntegrity.longTerm(LONG_TERM_USERNAME, LONG_TERM_REALM, "TheMatrIX").verify(message));
            // Without SASLprep the soft hyphen, U+00AA and U+2168 would go into the key unchanged.
            assertFalse(StunIntegrity.ofKey(md5(LONG_TERM_USERNAME + ":" + LONG_TERM_REALM + ":" + LONG_TERM_PASSWORD))
                    .verify(message));
            assertNull(message.software());
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldWriteLongTermRequest(BufferShape shape) {
        assertWritten(SAMPLE_LONG_TERM_REQUEST, shape, out -> new StunWriter()
                .begin(out, StunMessageType.BINDING_REQUEST, LONG_TERM_TRANSACTION_ID)
                .username(LONG_TERM_USERNAME)
                .nonce(LONG_TERM_NONCE)
                .realm(LONG_TERM_REALM)
                .messageIntegrity(StunIntegrity.longTerm(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD))
                .finish());
    }

    private void assertAttributeTypes(int... expected) {
        int[] actual = new int[message.attributeCount()];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = message.attributeType(i);
        }
        assertArrayEquals(expected, actual, message::toString);
    }

    /**
     * Writes after a few unrelated bytes already in the output buffer (as when batching), then checks the
     * message bytes, the returned length and that the prefix is untouched.
     */
    private static void assertWritten(byte[] expected, BufferShape shape, ToIntFunction<ByteBuf> write) {
        ByteBuf out = switch (shape) {
            case POOLED_DIRECT, POOLED_DIRECT_AT_OFFSET -> PooledByteBufAllocator.DEFAULT.directBuffer(16);
            case COMPOSITE -> Unpooled.compositeBuffer().addComponent(true, Unpooled.buffer(8));
            default -> PooledByteBufAllocator.DEFAULT.heapBuffer(16);
        };
        try {
            out.writeBytes(new byte[] {1, 2, 3});
            int length = write.applyAsInt(out);
            assertEquals(expected.length, length);
            assertEquals(3 + expected.length, out.writerIndex());
            assertEquals(0, out.readerIndex());
            byte[] actual = new byte[length];
            out.getBytes(3, actual);
            assertArrayEquals(expected, actual);
            assertEquals(1, out.getByte(0));
            assertEquals(3, out.getByte(2));
        } finally {
            out.release();
        }
    }

    static byte[] md5(String s) {
        try {
            return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static InetSocketAddress socket(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
