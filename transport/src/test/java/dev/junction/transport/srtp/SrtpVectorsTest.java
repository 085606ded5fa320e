package dev.junction.transport.srtp;

import static dev.junction.transport.srtp.SrtpReference.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SRTP against published vectors: RFC 3711 Appendix B.3 (key derivation), libsrtp's srtp_driver.c
 * packets (AES_CM_128_HMAC_SHA1_80, keyed with the B.3 master key), and RFC 7714 §16.1.1
 * (AEAD_AES_128_GCM). RFC 7714 gives session keys, which jitsi-srtp cannot take directly (it always
 * derives them), so the GCM profiles are checked against {@link SrtpReference}, itself checked against
 * RFC 7714 and RFC 3711 here.
 */
class SrtpVectorsTest {

    // RFC 3711 Appendix B.3.
    private static final byte[] B3_MASTER_KEY = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static final byte[] B3_MASTER_SALT = hex("0EC675AD498AFEEBB6960B3AABE6");
    private static final byte[] B3_CIPHER_KEY = hex("C61E7A93744F39EE10734AFE3FF7A087");
    private static final byte[] B3_CIPHER_SALT = hex("30CBBC08863D8C85D49DB34A9AE1");
    private static final byte[] B3_AUTH_KEY = hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");

    // libsrtp test/srtp_driver.c: srtp_plaintext_ref / srtp_ciphertext, SSRC 0xcafebabe, SEQ 0x1234.
    private static final byte[] LIBSRTP_RTP = hex("""
            800f1234 decafbad cafebabe          # V=2 PT=15 SEQ=0x1234 TS=0xdecafbad SSRC=0xcafebabe
            abababab abababab abababab abababab # payload
            """.replaceAll("#[^\\n]*", ""));
    private static final byte[] LIBSRTP_SRTP = hex("""
            800f1234 decafbad cafebabe          # header, in the clear
            4e55dc4c e79978d8 8ca4d215 949d2402 # AES-CM encrypted payload
            b78d6acc 99ea179b 8dbb              # HMAC-SHA1-80 tag
            """.replaceAll("#[^\\n]*", ""));
    // libsrtp: rtcp_plaintext_ref / srtcp_ciphertext, sender report from 0xcafebabe, SRTCP index 1.
    private static final byte[] LIBSRTP_RTCP = hex("""
            81c8000b cafebabe                   # V=2 RC=1 PT=200 (SR) length=11, sender SSRC
            abababab abababab abababab abababab # rest of the report
            """.replaceAll("#[^\\n]*", ""));
    private static final byte[] LIBSRTP_SRTCP = hex("""
            81c8000b cafebabe                   # first 8 octets stay in the clear
            7128035b e487b9bd bef89041 f977a5a8 # encrypted
            80000001                            # E=1, SRTCP index 1
            993e08cd 54d6c123 0798              # HMAC-SHA1-80 tag
            """.replaceAll("#[^\\n]*", ""));

    // RFC 7714 §16.1.1: session key and salt, RTP packet, protected packet.
    private static final byte[] RFC7714_KEY = hex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] RFC7714_SALT = hex("517569642070726f2071756f");
    private static final byte[] RFC7714_RTP = hex("""
            8040f17b 8041f8d3 5501a0b2          # PT=64 SEQ=0xf17b TS=0x8041f8d3 SSRC=0x5501a0b2
            47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573
            """.replaceAll("#[^\\n]*", ""));
    private static final byte[] RFC7714_SRTP = hex("""
            8040f17b 8041f8d3 5501a0b2
            f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833
            899d7f27 beb16a91 52cf765e e4390cce # AEAD tag
            """.replaceAll("#[^\\n]*", ""));

    @Test
    void referenceKdfShouldMatchRfc3711AppendixB3() throws Exception {
        assertArrayEquals(B3_CIPHER_KEY, SrtpReference.kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x00, 16));
        assertArrayEquals(B3_AUTH_KEY, SrtpReference.kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x01, 20));
        assertArrayEquals(B3_CIPHER_SALT, SrtpReference.kdf(B3_MASTER_KEY, B3_MASTER_SALT, 0x02, 14));
    }

    @Test
    void referenceGcmShouldMatchRfc7714Section16() throws Exception {
        assertArrayEquals(RFC7714_SRTP, SrtpReference.protectRtpGcm(RFC7714_KEY, RFC7714_SALT, 0, RFC7714_RTP));
    }

    @Test
    void shouldDeriveRfc3711B3SessionKeysAndProtectAsLibsrtpDoes() throws Exception {
        // The B.3 session keys, applied by the RFC 3711 construction, give libsrtp's packet ...
        assertArrayEquals(LIBSRTP_SRTP, SrtpReference.protectRtpAesCm(B3_CIPHER_KEY, B3_CIPHER_SALT, B3_AUTH_KEY, 0, LIBSRTP_RTP));
        // ... and so does our session keyed with the B.3 master key: it derived the same session keys.
        SrtpKeys keys = new SrtpKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, B3_MASTER_KEY, B3_MASTER_SALT, B3_MASTER_KEY, B3_MASTER_SALT);
        try (SrtpSession session = SrtpSession.create(keys)) {
            ByteBuf packet = Packets.heap(LIBSRTP_RTP);
            try {
                assertEquals(SrtpStatus.OK, session.protectRtp(packet));
                assertArrayEquals(LIBSRTP_SRTP, Packets.bytes(packet));
                assertEquals(SrtpStatus.OK, session.unprotectRtp(packet));
                assertArrayEquals(LIBSRTP_RTP, Packets.bytes(packet));
            } finally {
                packet.release();
            }
        }
    }

    @Test
    void shouldProtectSrtcpAsLibsrtpDoes() {
        SrtpKeys keys = new SrtpKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, B3_MASTER_KEY, B3_MASTER_SALT, B3_MASTER_KEY, B3_MASTER_SALT);
        try (SrtpSession session = SrtpSession.create(keys)) {
            ByteBuf first = Packets.heap(LIBSRTP_RTCP);
            ByteBuf second = Packets.heap(LIBSRTP_RTCP);
            try {
                // Our SRTCP index starts at 0; libsrtp's reference packet carries index 1.
                assertEquals(SrtpStatus.OK, session.protectRtcp(first));
                assertEquals(SrtpStatus.OK, session.protectRtcp(second));
                assertArrayEquals(LIBSRTP_SRTCP, Packets.bytes(second));
                assertEquals(SrtpStatus.OK, session.unprotectRtcp(second));
                assertArrayEquals(LIBSRTP_RTCP, Packets.bytes(second));
            } finally {
                first.release();
                second.release();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SrtpProfile.class, names = {"AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
    void shouldProtectRtpWithGcmAsRfc7714Describes(SrtpProfile profile) throws Exception {
        Random random = new Random(7714);
        byte[] masterKey = new byte[profile.masterKeyLength()];
        byte[] masterSalt = new byte[profile.masterSaltLength()];
        random.nextBytes(masterKey);
        random.nextBytes(masterSalt);
        byte[] sessionKey = SrtpReference.kdf(masterKey, masterSalt, 0x00, profile.masterKeyLength());
        byte[] sessionSalt = SrtpReference.kdf(masterKey, masterSalt, 0x02, 12);
        byte[] expected = SrtpReference.protectRtpGcm(sessionKey, sessionSalt, 0, RFC7714_RTP);

        try (SrtpSession session = SrtpSession.create(new SrtpKeys(profile, masterKey, masterSalt, masterKey, masterSalt))) {
            ByteBuf packet = Packets.heap(RFC7714_RTP);
            try {
                assertEquals(SrtpStatus.OK, session.protectRtp(packet));
                assertArrayEquals(expected, Packets.bytes(packet));
                assertEquals(SrtpStatus.OK, session.unprotectRtp(packet));
                assertArrayEquals(RFC7714_RTP, Packets.bytes(packet));
            } finally {
                packet.release();
            }
        }
    }
}
