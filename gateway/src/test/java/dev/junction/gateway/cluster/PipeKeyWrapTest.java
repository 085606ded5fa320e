package dev.junction.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** A node pipe's key as it crosses the event bus: only a node with the cluster secret opens it, and only for its own pipe. */
class PipeKeyWrapTest {

    private static final String SECRET = "a-secret-of-16-chars-or-more";
    private static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

    @Test
    void shouldDeriveHkdfSha256AsRfc5869TestCase1() {
        // RFC 5869 Appendix A.1: IKM = 22 x 0x0b, salt = 0x00..0x0c, info = 0xf0..0xf9, L = 42.
        HexFormat hex = HexFormat.of();
        byte[] okm = PipeKeyWrap.hkdfSha256(hex.parseHex("000102030405060708090a0b0c"), hex.parseHex("0b".repeat(22)),
                hex.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865", hex.formatHex(okm));
    }

    @Test
    void shouldDeriveHkdfSha256WithoutSaltAsRfc5869TestCase3() {
        // RFC 5869 Appendix A.3: IKM = 22 x 0x0b, no salt, no info, L = 42 (the wrap's case: no salt).
        HexFormat hex = HexFormat.of();
        byte[] okm = PipeKeyWrap.hkdfSha256(new byte[0], hex.parseHex("0b".repeat(22)), new byte[0], 42);
        assertEquals("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8", hex.formatHex(okm));
    }

    @Test
    void shouldOpenWhatANodeWithTheSameSecretWrappedForThatPipe() {
        String wrapped = new PipeKeyWrap(SECRET).wrap(KEY, 42, "stage", "b", "a");
        assertArrayEquals(KEY, new PipeKeyWrap(SECRET).unwrap(wrapped, 42, "stage", "b", "a").orElseThrow());
        assertEquals(44, Base64.getDecoder().decode(wrapped).length, "nonce 12, key 16, tag 16");
        assertTrue(!wrapped.contains(Base64.getEncoder().encodeToString(KEY)), "the key is not in the clear");
        assertNotEquals(wrapped, new PipeKeyWrap(SECRET).wrap(KEY, 42, "stage", "b", "a"), "a fresh nonce each time");
    }

    @Test
    void shouldRefuseAKeyWrappedUnderAnotherSecret() {
        String wrapped = new PipeKeyWrap("another-secret-of-16-chars").wrap(KEY, 42, "stage", "b", "a");
        assertTrue(new PipeKeyWrap(SECRET).unwrap(wrapped, 42, "stage", "b", "a").isEmpty());
    }

    @Test
    void shouldRefuseAWrappedKeyReplayedOntoAnotherPipe() {
        PipeKeyWrap wrap = new PipeKeyWrap(SECRET);
        String wrapped = wrap.wrap(KEY, 42, "stage", "b", "a");
        assertTrue(wrap.unwrap(wrapped, 43, "stage", "b", "a").isEmpty(), "another pipe id");
        assertTrue(wrap.unwrap(wrapped, 42, "other", "b", "a").isEmpty(), "another room");
        assertTrue(wrap.unwrap(wrapped, 42, "stage", "c", "a").isEmpty(), "another viewing node");
        assertTrue(wrap.unwrap(wrapped, 42, "stage", "b", "c").isEmpty(), "another home");
        assertTrue(wrap.unwrap(wrapped, 42, "stageb", "", "a").isEmpty(), "names shifted across the boundary");
    }

    @Test
    void shouldRefuseATamperedOrMalformedWrappedKey() {
        PipeKeyWrap wrap = new PipeKeyWrap(SECRET);
        byte[] bytes = Base64.getDecoder().decode(wrap.wrap(KEY, 42, "stage", "b", "a"));
        for (int i : new int[] {0, 11, 12, 27, 28, 43}) {
            byte[] tampered = bytes.clone();
            tampered[i] ^= 1;
            assertTrue(wrap.unwrap(Base64.getEncoder().encodeToString(tampered), 42, "stage", "b", "a").isEmpty(), "byte " + i + " flipped");
        }
        assertTrue(wrap.unwrap(Base64.getEncoder().encodeToString(KEY), 42, "stage", "b", "a").isEmpty(), "a bare key (an older node)");
        assertTrue(wrap.unwrap("not base64!", 42, "stage", "b", "a").isEmpty());
        assertTrue(wrap.unwrap(null, 42, "stage", "b", "a").isEmpty());
    }
}
