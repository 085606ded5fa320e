package dev.junction.codec.stun;

import static dev.junction.codec.stun.StunFixtures.LOCAL_PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunFixtures.BufferShape;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MESSAGE-INTEGRITY: the hand-rolled HMAC-SHA1 agrees with {@code javax.crypto.Mac} for every key length
 * (including keys longer than a block), the length adjustment of RFC 8489 §14.5 is applied, and bad
 * integrity is refused whatever the buffer shape.
 */
class StunIntegrityTest {

    private final StunMessage message = new StunMessage();

    @Test
    void shouldMatchJdkHmacSha1ForKeysOfEveryLengthAndRandomMessages() throws Exception {
        Random random = new Random(5769);
        for (int keyLength = 0; keyLength <= 130; keyLength++) {
            byte[] key = new byte[keyLength];
            random.nextBytes(key);
            byte[] username = new byte[random.nextInt(300)];
            random.nextBytes(username);
            ByteBuf out = Unpooled.buffer();
            try {
                int length = new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, new byte[12])
                        .username(username)
                        .messageIntegrity(StunIntegrity.ofKey(key))
                        .fingerprint()
                        .finish();
                byte[] wire = StunFixtures.bytes(out);
                int integrityOffset = length - 8 - 24;
                // Reference: HMAC over the header with the length counting up to MESSAGE-INTEGRITY only.
                byte[] input = Arrays.copyOf(wire, integrityOffset);
                int adjusted = integrityOffset + 24 - 20;
                input[2] = (byte) (adjusted >>> 8);
                input[3] = (byte) adjusted;
                Mac mac = Mac.getInstance("HmacSHA1");
                // SecretKeySpec refuses an empty key; one zero byte is zero-padded to the same HMAC block.
                mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA1"));
                byte[] expected = mac.doFinal(input);
                assertArrayEquals(expected, Arrays.copyOfRange(wire, integrityOffset + 4, integrityOffset + 24),
                        "key length " + keyLength);
            } finally {
                out.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldDropStunWithBadIntegrity(BufferShape shape) {
        byte[] check = StunFixtures.chromeBindingRequest();
        StunIntegrity integrity = StunIntegrity.shortTerm(LOCAL_PASSWORD);
        int integrityValue = check.length - 8 - 20;
        // Flip every bit the HMAC covers, and every bit of the HMAC itself. A FINGERPRINT would catch most
        // of these first, so it is stripped: integrity alone must refuse them.
        byte[] unfingerprinted = stripFingerprint(check);
        for (int i = 0; i < integrityValue + 20; i++) {
            if (i == 2 || i == 3) {
                continue; // the length field is replaced by the adjusted length before hashing
            }
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = unfingerprinted.clone();
                b[i] ^= (byte) (1 << bit);
                ByteBuf buf = shape.copyOf(b);
                try {
                    StunParseResult result = message.wrap(buf, buf.readerIndex(), buf.readableBytes());
                    if (result == StunParseResult.OK && message.hasMessageIntegrity()) {
                        assertFalse(integrity.verify(message), () -> "bit flip accepted at byte " + Arrays.toString(b));
                    }
                } finally {
                    buf.release();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BufferShape.class)
    void shouldVerifyWithLengthAdjustedToExcludeFingerprint(BufferShape shape) {
        ByteBuf buf = shape.copyOf(StunFixtures.chromeBindingRequest());
        try {
            assertEquals(StunParseResult.OK, message.wrap(buf, buf.readerIndex(), buf.readableBytes()));
            assertTrue(StunIntegrity.shortTerm(LOCAL_PASSWORD).verify(message));
            assertTrue(StunIntegrity.shortTerm(LOCAL_PASSWORD).verify(buf, message.offset(), message.messageIntegrityOffset()));
        } finally {
            buf.release();
        }
        // Also valid with the FINGERPRINT removed: the HMAC never covered it.
        ByteBuf stripped = shape.copyOf(stripFingerprint(StunFixtures.chromeBindingRequest()));
        try {
            assertEquals(StunParseResult.OK, message.wrap(stripped, stripped.readerIndex(), stripped.readableBytes()));
            assertTrue(StunIntegrity.shortTerm(LOCAL_PASSWORD).verify(message));
        } finally {
            stripped.release();
        }
    }

    @Test
    void shouldRefuseWithoutMessageIntegrityOrWithImpossibleOffsets() {
        StunIntegrity integrity = StunIntegrity.shortTerm(LOCAL_PASSWORD);
        assertFalse(integrity.verify(message), "nothing wrapped");
        ByteBuf buf = Unpooled.wrappedBuffer(StunFixtures.chromeBindingRequest());
        try {
            int integrityOffset = buf.readableBytes() - 32;
            assertTrue(integrity.verify(buf, 0, integrityOffset));
            assertFalse(integrity.verify(buf, 0, integrityOffset - 4));
            assertFalse(integrity.verify(buf, 0, integrityOffset + 2), "unaligned");
            assertFalse(integrity.verify(buf, 0, 16), "inside the header");
            assertFalse(integrity.verify(buf, -4, integrityOffset));
            assertFalse(integrity.verify(buf, 0, buf.writerIndex() - 20), "runs past the written bytes");
            assertFalse(integrity.verify(buf, 0, Integer.MAX_VALUE - 3));
        } finally {
            buf.release();
        }
        ByteBuf noIntegrity = Unpooled.wrappedBuffer(StunMessageTest.message(StunMessageType.BINDING_REQUEST,
                StunMessageTest.attribute(StunAttribute.USERNAME, "a:b".getBytes())));
        try {
            assertEquals(StunParseResult.OK, message.wrap(noIntegrity, 0, noIntegrity.readableBytes()));
            assertFalse(integrity.verify(message));
        } finally {
            noIntegrity.release();
        }
    }

    @Test
    void shouldDeriveLongTermKeyAsMd5OfUsernameRealmAndPreparedPassword() {
        byte[] key = Rfc5769VectorsTest.md5("user:realm:IX");
        ByteBuf out = Unpooled.buffer();
        try {
            int length = new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, new byte[12])
                    .messageIntegrity(StunIntegrity.longTerm("user", "realm", "\u2168"))
                    .finish();
            assertEquals(StunParseResult.OK, message.wrap(out, 0, length));
            assertTrue(StunIntegrity.ofKey(key).verify(message));
        } finally {
            out.release();
        }
        assertThrows(IllegalArgumentException.class, () -> StunIntegrity.longTerm("user", "realm", "bad\u0007"));
    }

    @Test
    void shouldKeepItsOwnCopyOfARawKey() {
        byte[] key = {1, 2, 3};
        StunIntegrity integrity = StunIntegrity.ofKey(key);
        key[0] = 9;
        ByteBuf out = Unpooled.buffer();
        try {
            int length = new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, new byte[12])
                    .messageIntegrity(integrity).finish();
            assertEquals(StunParseResult.OK, message.wrap(out, 0, length));
            assertTrue(StunIntegrity.ofKey(new byte[] {1, 2, 3}).verify(message));
        } finally {
            out.release();
        }
    }

    private static byte[] stripFingerprint(byte[] withFingerprint) {
        byte[] b = Arrays.copyOf(withFingerprint, withFingerprint.length - 8);
        int length = b.length - 20;
        b[2] = (byte) (length >>> 8);
        b[3] = (byte) length;
        return b;
    }
}
