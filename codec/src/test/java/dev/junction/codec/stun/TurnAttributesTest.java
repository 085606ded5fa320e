package dev.junction.codec.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunFixtures.BufferShape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TURN methods, attributes and error codes in the STUN codec (RFC 8656 §17-§19): fixtures parsed, writer output compared, bad values rejected. */
class TurnAttributesTest {

    private final StunMessage message = new StunMessage();
    private final StunWriter writer = new StunWriter();

    @Test
    void shouldComposeTurnMessageTypes() {
        assertEquals(StunMessageType.ALLOCATE_REQUEST, StunMessageType.of(StunMessageType.METHOD_ALLOCATE, StunMessageType.CLASS_REQUEST));
        assertEquals(StunMessageType.ALLOCATE_SUCCESS_RESPONSE, StunMessageType.successResponseOf(StunMessageType.ALLOCATE_REQUEST));
        assertEquals(StunMessageType.ALLOCATE_ERROR_RESPONSE, StunMessageType.errorResponseOf(StunMessageType.ALLOCATE_REQUEST));
        assertEquals(StunMessageType.REFRESH_SUCCESS_RESPONSE, StunMessageType.successResponseOf(StunMessageType.REFRESH_REQUEST));
        assertEquals(StunMessageType.REFRESH_ERROR_RESPONSE, StunMessageType.errorResponseOf(StunMessageType.REFRESH_REQUEST));
        assertEquals(StunMessageType.SEND_INDICATION, StunMessageType.of(StunMessageType.METHOD_SEND, StunMessageType.CLASS_INDICATION));
        assertEquals(StunMessageType.DATA_INDICATION, StunMessageType.of(StunMessageType.METHOD_DATA, StunMessageType.CLASS_INDICATION));
        assertEquals(StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE,
                StunMessageType.successResponseOf(StunMessageType.CREATE_PERMISSION_REQUEST));
        assertEquals(StunMessageType.CREATE_PERMISSION_ERROR_RESPONSE,
                StunMessageType.errorResponseOf(StunMessageType.CREATE_PERMISSION_REQUEST));
        assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, StunMessageType.successResponseOf(StunMessageType.CHANNEL_BIND_REQUEST));
        assertEquals(StunMessageType.CHANNEL_BIND_ERROR_RESPONSE, StunMessageType.errorResponseOf(StunMessageType.CHANNEL_BIND_REQUEST));
        assertEquals(StunMessageType.METHOD_CHANNEL_BIND, StunMessageType.method(StunMessageType.CHANNEL_BIND_ERROR_RESPONSE));
    }

    @Test
    void shouldNameEveryTurnErrorCode() {
        int[] codes = {400, 401, 403, 420, 437, 438, 440, 441, 442, 443, 486, 508};
        String[] reasons = {"Bad Request", "Unauthenticated", "Forbidden", "Unknown Attribute", "Allocation Mismatch",
                "Stale Nonce", "Address Family not Supported", "Wrong Credentials", "Unsupported Transport Protocol",
                "Peer Address Family Mismatch", "Allocation Quota Reached", "Insufficient Capacity"};
        for (int i = 0; i < codes.length; i++) {
            assertEquals(reasons[i], StunErrorCode.reason(codes[i]));
        }
    }

    @Test
    void shouldNameTurnAttributes() {
        assertEquals("XOR-PEER-ADDRESS", StunAttribute.name(StunAttribute.XOR_PEER_ADDRESS));
        assertEquals("ADDITIONAL-ADDRESS-FAMILY", StunAttribute.name(0x8000));
        assertEquals("ICMP", StunAttribute.name(0x8004));
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldParseSendIndicationFixture(BufferShape shape) {
        ByteBuf buf = shape.copyOf(TurnFixtures.SEND_INDICATION);
        try {
            assertEquals(StunParseResult.OK, message.wrap(buf, buf.readerIndex(), buf.readableBytes()));
            assertEquals(StunMessageType.SEND_INDICATION, message.messageType());
            assertEquals(StunMessageType.CLASS_INDICATION, message.messageClass());
            int peer = message.xorPeerAddressIndex();
            assertEquals(StunMessage.FAMILY_IPV4, message.xorAddressFamily(peer));
            assertEquals(49152, message.xorAddressPort(peer));
            assertEquals(0xC0000201, message.xorAddressIpv4(peer));
            assertEquals(new InetSocketAddress("192.0.2.1", 49152), message.xorSocketAddress(peer));
            assertEquals(5, message.dataLength());
            assertEquals("hello", buf.toString(message.dataOffset(), message.dataLength(), StandardCharsets.US_ASCII));
            assertEquals(0, message.unknownComprehensionRequiredCount());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldWriteSendIndicationFixtureExactly() {
        ByteBuf out = Unpooled.buffer();
        ByteBuf data = Unpooled.copiedBuffer("xxhello", StandardCharsets.US_ASCII);
        try {
            writer.begin(out, StunMessageType.SEND_INDICATION, TurnFixtures.TRANSACTION_ID)
                    .xorPeerAddress(new InetSocketAddress("192.0.2.1", 49152))
                    .data(data, 2, 5)
                    .finish();
            assertArrayEquals(TurnFixtures.SEND_INDICATION, StunFixtures.bytes(out));
            assertEquals(0, data.readerIndex(), "the data source's indexes do not move");
        } finally {
            out.release();
            data.release();
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldCopyDataFromEveryBufferShape(BufferShape shape) {
        byte[] payload = new byte[1203];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7);
        }
        ByteBuf src = shape.copyOf(payload);
        ByteBuf out = Unpooled.buffer();
        try {
            int length = writer.begin(out, StunMessageType.DATA_INDICATION, TurnFixtures.TRANSACTION_ID)
                    .xorPeerAddress(new byte[] {10, 0, 0, 1}, 5000)
                    .data(src, src.readerIndex(), payload.length)
                    .finish();
            assertEquals(StunParseResult.OK, message.wrap(out, 0, length));
            byte[] read = new byte[message.dataLength()];
            out.getBytes(message.dataOffset(), read);
            assertArrayEquals(payload, read);
            assertEquals(0, (length & 3), "padded to four");
        } finally {
            src.release();
            out.release();
        }
    }

    @Test
    void shouldParseEveryAllocateAttribute() {
        ByteBuf buf = Unpooled.wrappedBuffer(TurnFixtures.ALLOCATE_ATTRIBUTES);
        assertEquals(StunParseResult.OK, message.wrap(buf, 0, buf.readableBytes()));
        assertEquals(StunMessageType.ALLOCATE_REQUEST, message.messageType());
        assertEquals(17, message.requestedTransport());
        assertEquals(600, message.lifetimeSeconds());
        assertTrue(message.hasEvenPort());
        assertTrue(message.evenPortReserve());
        assertTrue(message.dontFragment());
        assertEquals(StunMessage.FAMILY_IPV6, message.requestedAddressFamily());
        assertTrue(message.hasReservationToken());
        assertEquals(0x0102030405060708L, message.reservationToken());
        assertEquals(0, message.unknownComprehensionRequiredCount());
        // and absent ones read as absent
        assertEquals(-1, message.channelNumber());
        assertEquals(-1, message.additionalAddressFamily());
        assertEquals(-1, message.xorPeerAddressIndex());
        assertFalse(message.hasData());
        assertEquals(-1, message.dataOffset());
        assertFalse(message.hasIcmp());
    }

    @Test
    void shouldWriteAllocateAttributesExactly() {
        ByteBuf out = Unpooled.buffer();
        try {
            writer.begin(out, StunMessageType.ALLOCATE_REQUEST, TurnFixtures.TRANSACTION_ID)
                    .requestedTransport(17)
                    .lifetime(600)
                    .evenPort(true)
                    .dontFragment()
                    .requestedAddressFamily(StunMessage.FAMILY_IPV6)
                    .reservationToken(0x0102030405060708L)
                    .finish();
            assertArrayEquals(TurnFixtures.ALLOCATE_ATTRIBUTES, StunFixtures.bytes(out));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRoundTripChannelBindFixture() {
        ByteBuf out = Unpooled.buffer();
        try {
            writer.begin(out, StunMessageType.CHANNEL_BIND_REQUEST, TurnFixtures.TRANSACTION_ID)
                    .channelNumber(0x4001)
                    .xorPeerAddress(new InetSocketAddress("192.0.2.1", 49152))
                    .finish();
            assertArrayEquals(TurnFixtures.CHANNEL_BIND_UNSIGNED, StunFixtures.bytes(out));
            assertEquals(StunParseResult.OK, message.wrap(out, 0, out.readableBytes()));
            assertEquals(0x4001, message.channelNumber());
        } finally {
            out.release();
        }
    }

    @Test
    void shouldVerifyLongTermIntegrityOfSignedTurnRequests() {
        for (byte[] signed : new byte[][] {TurnFixtures.allocateRequest(), TurnFixtures.channelBindRequest()}) {
            ByteBuf buf = Unpooled.wrappedBuffer(signed);
            assertEquals(StunParseResult.OK, message.wrap(buf, 0, signed.length));
            assertEquals(TurnFixtures.USERNAME, message.username());
            assertEquals(TurnFixtures.REALM, message.realm());
            assertEquals(TurnFixtures.NONCE, message.nonce());
            assertTrue(TurnFixtures.INTEGRITY.verify(message));
            assertFalse(StunIntegrity.longTerm(TurnFixtures.USERNAME, TurnFixtures.REALM, "other").verify(message));
        }
    }

    @Test
    void shouldReadIpv6PeerAddressXoredWithTransactionId() {
        byte[] bytes = TurnFixtures.channelBindRequest();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        assertEquals(StunParseResult.OK, message.wrap(buf, 0, bytes.length));
        int peer = message.xorPeerAddressIndex();
        assertEquals(StunMessage.FAMILY_IPV6, message.xorAddressFamily(peer));
        assertEquals(0, message.xorAddressIpv4(peer));
        assertEquals(new InetSocketAddress("2001:db8::1", 3478), message.xorSocketAddress(peer));
        // Independently: X-Address is the address XOR cookie || transaction ID (RFC 8489 §14.2).
        byte[] expected = new InetSocketAddress("2001:db8::1", 3478).getAddress().getAddress();
        int valueOffset = message.attributeValueOffset(peer);
        for (int i = 0; i < 16; i++) {
            assertEquals((byte) (expected[i] ^ bytes[4 + i]), bytes[valueOffset + 4 + i]);
        }
    }

    @Test
    void shouldReadRelayedAndMappedAddressesAndAddressErrorCode() {
        byte[] bytes = TurnFixtures.allocateSuccessResponse();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        assertEquals(StunParseResult.OK, message.wrap(buf, 0, bytes.length));
        assertEquals(new InetSocketAddress("198.51.100.7", 50000), message.xorSocketAddress(message.xorRelayedAddressIndex()));
        assertEquals(new InetSocketAddress("203.0.113.9", 61000), message.xorMappedSocketAddress());
        assertEquals(600, message.lifetimeSeconds());
        assertEquals(StunMessage.FAMILY_IPV6, message.addressErrorFamily());
        assertEquals(440, message.addressErrorCode());
        assertTrue(TurnFixtures.INTEGRITY.verify(message));
    }

    @Test
    void shouldIterateRepeatedPeerAddresses() {
        ByteBuf out = Unpooled.buffer();
        try {
            int length = writer.begin(out, StunMessageType.CREATE_PERMISSION_REQUEST, TurnFixtures.TRANSACTION_ID)
                    .xorPeerAddress(new InetSocketAddress("192.0.2.1", 1))
                    .xorPeerAddress(new InetSocketAddress("192.0.2.2", 2))
                    .xorPeerAddress(new InetSocketAddress("2001:db8::3", 3))
                    .finish();
            assertEquals(StunParseResult.OK, message.wrap(out, 0, length));
            int seen = 0;
            for (int i = message.xorPeerAddressIndex(); i >= 0; i = message.nextIndexOf(StunAttribute.XOR_PEER_ADDRESS, i + 1)) {
                seen++;
                assertEquals(seen, message.xorAddressPort(i));
            }
            assertEquals(3, seen);
            assertEquals(new InetSocketAddress("2001:db8::3", 3), message.xorSocketAddress(message.attributeCount() - 1));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRefuseXorReadsOfOtherAttributes() {
        ByteBuf buf = Unpooled.wrappedBuffer(TurnFixtures.SEND_INDICATION);
        assertEquals(StunParseResult.OK, message.wrap(buf, 0, buf.readableBytes()));
        int data = message.indexOf(StunAttribute.DATA);
        assertThrows(IllegalArgumentException.class, () -> message.xorAddressPort(data));
        assertThrows(IndexOutOfBoundsException.class, () -> message.xorAddressFamily(7));
    }

    @Test
    void shouldRejectTurnAttributesOfTheWrongLength() {
        int[][] bad = {
                {StunAttribute.CHANNEL_NUMBER, 2}, {StunAttribute.LIFETIME, 8}, {StunAttribute.REQUESTED_TRANSPORT, 1},
                {StunAttribute.REQUESTED_ADDRESS_FAMILY, 0}, {StunAttribute.EVEN_PORT, 4}, {StunAttribute.DONT_FRAGMENT, 4},
                {StunAttribute.RESERVATION_TOKEN, 4}, {StunAttribute.ADDITIONAL_ADDRESS_FAMILY, 8},
                {StunAttribute.XOR_PEER_ADDRESS, 12}, {StunAttribute.XOR_RELAYED_ADDRESS, 4}, {StunAttribute.ICMP, 4},
                {StunAttribute.ADDRESS_ERROR_CODE, 2}};
        for (int[] attribute : bad) {
            byte[] value = new byte[attribute[1]];
            if (value.length > 1) value[1] = StunMessage.FAMILY_IPV4; // XOR addresses: a plausible family, wrong length
            ByteBuf out = Unpooled.buffer();
            try {
                int length = writer.begin(out, StunMessageType.ALLOCATE_REQUEST, TurnFixtures.TRANSACTION_ID)
                        .attribute(attribute[0], value, 0, value.length)
                        .finish();
                assertEquals(StunParseResult.MALFORMED_ATTRIBUTE, message.wrap(out, 0, length), StunAttribute.name(attribute[0]));
            } finally {
                out.release();
            }
        }
    }

    @Test
    void shouldRejectAnAddressErrorCodeOutsideItsClasses() {
        ByteBuf out = Unpooled.buffer();
        try {
            int length = writer.begin(out, StunMessageType.ALLOCATE_SUCCESS_RESPONSE, TurnFixtures.TRANSACTION_ID)
                    .attribute(StunAttribute.ADDRESS_ERROR_CODE, new byte[] {2, 0, 7, 0}, 0, 4)
                    .finish();
            assertEquals(StunParseResult.MALFORMED_ATTRIBUTE, message.wrap(out, 0, length));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRejectWriterMisuse() {
        ByteBuf out = Unpooled.buffer();
        try {
            writer.begin(out, StunMessageType.CHANNEL_BIND_REQUEST, TurnFixtures.TRANSACTION_ID);
            assertThrows(IllegalArgumentException.class, () -> writer.channelNumber(0x10000));
            assertThrows(IllegalArgumentException.class, () -> writer.lifetime(-1));
            assertThrows(IllegalArgumentException.class, () -> writer.lifetime(0x1_0000_0000L));
            assertThrows(IllegalArgumentException.class, () -> writer.requestedTransport(256));
            assertThrows(IllegalArgumentException.class, () -> writer.xorPeerAddress(new byte[5], 1));
            assertThrows(IllegalArgumentException.class, () -> writer.xorPeerAddress(new byte[4], 65536));
            assertThrows(IllegalArgumentException.class, () -> writer.addressErrorCode(2, 200, ""));
            assertThrows(IllegalArgumentException.class, () -> writer.data(out, 0, -1));
            writer.finish();
        } finally {
            out.release();
        }
    }

    @Test
    void shouldKeepRfc5769VectorsAndTheChromeCheckFreeOfTurnAttributes() {
        for (byte[] vector : new byte[][] {StunFixtures.SAMPLE_REQUEST, StunFixtures.SAMPLE_IPV4_RESPONSE,
                StunFixtures.SAMPLE_IPV6_RESPONSE, StunFixtures.SAMPLE_LONG_TERM_REQUEST, StunFixtures.chromeBindingRequest()}) {
            ByteBuf buf = Unpooled.wrappedBuffer(vector);
            assertEquals(StunParseResult.OK, message.wrap(buf, 0, vector.length));
            assertEquals(-1, message.xorPeerAddressIndex());
            assertEquals(-1, message.lifetimeSeconds());
            assertFalse(message.hasData());
        }
    }
}
