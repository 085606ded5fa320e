package dev.junction.codec.stun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunFixtures.BufferShape;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * What must hold for any input bytes, checked by {@link StunMutationTest} and {@link StunFuzzTest}: no
 * exception escapes, every buffer shape gives the same answer, and an accepted message is self-consistent
 * (attributes inside the message, FINGERPRINT correct by an independent CRC, integrity never accepting
 * bytes it did not sign).
 */
final class StunInvariants {

    private static final BufferShape[] SHAPES = {BufferShape.HEAP, BufferShape.POOLED_DIRECT_AT_OFFSET, BufferShape.COMPOSITE};

    private final StunMessage message = new StunMessage();
    private boolean lastAcceptedWithFingerprint;

    /**
     * Parses {@code bytes} in several buffer shapes and checks the invariants. When {@code signer} is given
     * and the message verifies with it, the bytes the HMAC covers must equal those of {@code signed}, the
     * message {@code signer} actually signed.
     */
    StunParseResult check(byte[] bytes, StunIntegrity signer, byte[] signed) {
        StunParseResult first = null;
        String firstDescription = null;
        lastAcceptedWithFingerprint = false;
        for (BufferShape shape : SHAPES) {
            ByteBuf buf = shape.copyOf(bytes);
            try {
                StunParseResult result = message.wrap(buf, buf.readerIndex(), buf.readableBytes());
                assertEquals(result, message.wrap(buf, buf.readerIndex(), buf.readableBytes()), "wrap is deterministic");
                assertEquals(result == StunParseResult.OK, message.isValid());
                String description = result == StunParseResult.OK ? checkAccepted(bytes, buf, signer, signed) : "";
                lastAcceptedWithFingerprint = result == StunParseResult.OK && message.hasFingerprint();
                assertEquals(buf.readerIndex(), shape == BufferShape.HEAP || shape == BufferShape.COMPOSITE ? 0 : 13);
                if (first == null) {
                    first = result;
                    firstDescription = description;
                } else {
                    assertEquals(first, result, () -> shape + " disagrees");
                    assertEquals(firstDescription, description, () -> shape + " reads different values");
                }
            } finally {
                buf.release();
            }
        }
        return first;
    }

    /** Whether the last {@link #check} accepted a message that carries a (verified) FINGERPRINT. */
    boolean lastAcceptedWithFingerprint() {
        return lastAcceptedWithFingerprint;
    }

    /** Reads everything and returns a description of the values, so different shapes can be compared. */
    private String checkAccepted(byte[] bytes, ByteBuf buf, StunIntegrity signer, byte[] signed) {
        int offset = message.offset();
        assertEquals(bytes.length, message.length());
        assertEquals(bytes.length - StunMessage.HEADER_LENGTH, buf.getUnsignedShort(offset + 2));
        StringBuilder d = new StringBuilder(message.toString());
        for (int i = 0; i < message.attributeCount(); i++) {
            int valueOffset = message.attributeValueOffset(i);
            assertTrue(valueOffset >= offset + StunMessage.HEADER_LENGTH + StunAttribute.HEADER_LENGTH);
            assertTrue(valueOffset + message.attributeValueLength(i) <= offset + bytes.length);
            assertEquals(message.attributeValueLength(i), buf.getUnsignedShort(valueOffset - 2));
            assertEquals(message.attributeType(i), buf.getUnsignedShort(valueOffset - 4));
            assertTrue(message.indexOf(message.attributeType(i)) <= i);
        }
        for (int i = 0; i < message.unknownComprehensionRequiredCount(); i++) {
            int type = message.unknownComprehensionRequired(i);
            assertTrue(StunAttribute.isComprehensionRequired(type));
            assertTrue(message.indexOf(type) >= 0);
        }
        d.append(message.username()).append(message.usernameLocalPart()).append(message.usernameLocalPartLength())
                .append(message.priority()).append(message.useCandidate())
                .append(message.hasIceControlling()).append(message.iceControlling())
                .append(message.hasIceControlled()).append(message.iceControlled())
                .append(message.xorMappedAddressFamily()).append(message.xorMappedPort())
                .append(message.xorMappedSocketAddress())
                .append(message.errorCode()).append(message.errorReason())
                .append(message.software()).append(message.realm()).append(message.nonce())
                .append(message.hasMessageIntegritySha256());
        // TURN attributes (RFC 8656 §18); DATA by its position relative to the message, which differs per shape.
        d.append(message.channelNumber()).append(message.lifetimeSeconds())
                .append(message.hasData() ? message.dataOffset() - offset : -1).append(message.dataLength())
                .append(message.requestedTransport()).append(message.requestedAddressFamily())
                .append(message.additionalAddressFamily()).append(message.hasEvenPort()).append(message.evenPortReserve())
                .append(message.dontFragment()).append(message.hasReservationToken()).append(message.reservationToken())
                .append(message.addressErrorFamily()).append(message.addressErrorCode()).append(message.hasIcmp());
        if (message.hasData()) {
            assertTrue(message.dataOffset() + message.dataLength() <= offset + bytes.length);
        }
        for (int type : new int[] {StunAttribute.XOR_MAPPED_ADDRESS, StunAttribute.XOR_PEER_ADDRESS, StunAttribute.XOR_RELAYED_ADDRESS}) {
            for (int i = message.nextIndexOf(type, 0); i >= 0; i = message.nextIndexOf(type, i + 1)) {
                d.append(message.xorSocketAddress(i)).append(message.xorAddressIpv4(i));
            }
        }
        for (int i = 0; i < message.reportedUnknownAttributeCount(); i++) {
            d.append(message.reportedUnknownAttribute(i));
        }
        if (message.hasFingerprint()) {
            assertEquals(StunAttribute.FINGERPRINT, message.attributeType(message.attributeCount() - 1));
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, bytes.length - 8);
            assertEquals((int) crc.getValue() ^ StunFingerprint.XOR, buf.getInt(offset + bytes.length - 4));
        }
        if (message.hasMessageIntegrity()) {
            int integrityOffset = message.messageIntegrityOffset() - offset;
            boolean verified = signer != null && signer.verify(message);
            d.append(verified);
            if (verified) {
                int covered = integrityOffset + StunAttribute.HEADER_LENGTH + StunIntegrity.HMAC_LENGTH;
                assertTrue(covered <= signed.length, "verified beyond what was signed");
                byte[] actual = Arrays.copyOf(bytes, covered);
                byte[] expected = Arrays.copyOf(signed, covered);
                actual[2] = expected[2] = 0; // the length field is replaced by the adjusted length
                actual[3] = expected[3] = 0;
                assertArrayEquals(expected, actual, "integrity accepted bytes it did not sign");
            }
        } else {
            assertFalse(signer != null && signer.verify(message));
        }
        return d.toString();
    }
}
