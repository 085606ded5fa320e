package dev.junction.transport.srtp;

import static dev.junction.transport.srtp.SrtpReference.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Junction's AES-GCM path (OpenSSL through FFM, {@link GcmRtpContext}, {@link GcmRtcpContext}) against the
 * packets RFC 7714 publishes: §16.1 and §16.2 (SRTP, AES-128 and AES-256), §17.1 and §17.2 (SRTCP), §17.3
 * (SRTCP with the E flag clear, which Junction refuses). The RFC gives session keys and salts, so these go
 * below the key derivation, which is checked against RFC 3711 Appendix B.3 here.
 *
 * <p>On Java 22+ the FFM engine must load: a missing libcrypto fails these tests rather than skipping them.
 */
class GcmVectorsTest {

    // RFC 7714 §16: key 00 01 .. 0f (AES-128) or 00 .. 1f (AES-256), salt "Quid pro quo".
    private static final byte[] KEY_128 = hex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] KEY_256 = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] SALT = hex("517569642070726f2071756f");

    // RFC 7714 §16: "Gallia est omnis divisa in partes tres" behind a 12-octet header.
    private static final byte[] RTP = hex("""
            8040f17b 8041f8d3 5501a0b2          # V=2 PT=64 SEQ=0xf17b TS=0x8041f8d3 SSRC=0x5501a0b2
            47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573
            """.replaceAll("#[^\\n]*", ""));
    // RFC 7714 §16.1.1 (and §16.1.2 backwards), AEAD_AES_128_GCM.
    private static final byte[] SRTP_128 = hex("""
            8040f17b 8041f8d3 5501a0b2          # header, in the clear and the AAD
            f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833
            899d7f27 beb16a91 52cf765e e4390cce # tag
            """.replaceAll("#[^\\n]*", ""));
    // RFC 7714 §16.2.1 (and §16.2.2 backwards), AEAD_AES_256_GCM.
    private static final byte[] SRTP_256 = hex("""
            8040f17b 8041f8d3 5501a0b2
            32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b
            7aa3db36 dfffd6b0 f9bb7878 d7a76c13 # tag
            """.replaceAll("#[^\\n]*", ""));

    // RFC 7714 §17.1-17.3: the SR that the subsections protect (sender SSRC "Mars"), SRTCP index 0x5d4.
    private static final int SRTCP_INDEX = 0x5d4;
    private static final byte[] RTCP = hex("""
            81c8000d 4d617273                   # V=2 RC=1 PT=200 (SR) length=13, SSRC "Mars"
            4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef
            """.replaceAll("#[^\\n]*", ""));
    // RFC 7714 §17.1, AEAD_AES_128_GCM.
    private static final byte[] SRTCP_128 = hex("""
            81c8000d 4d617273                   # first 8 octets in the clear (AAD)
            63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b
            c84aa458 96cf4d2f c5abf872 45d9eade # tag
            800005d4                            # E=1, SRTCP index 0x5d4 (also in the AAD)
            """.replaceAll("#[^\\n]*", ""));
    // RFC 7714 §17.2, AEAD_AES_256_GCM.
    private static final byte[] SRTCP_256 = hex("""
            81c8000d 4d617273
            d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad
            1d1eb30c 4446839f 57ff6f6c b26ac3be # tag
            800005d4
            """.replaceAll("#[^\\n]*", ""));
    // RFC 7714 §17.3: authenticated only, E=0; the whole RTCP packet and the index word are the AAD.
    private static final byte[] SRTCP_128_TAG_ONLY = hex("""
            81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef
            deadbeef deadbeef                   # in the clear
            841dd968 3dd78ec9 2ae58790 125f62b3 # tag
            000005d4                            # E=0, index 0x5d4
            """.replaceAll("#[^\\n]*", ""));

    // RFC 3711 Appendix B.3 key derivation.
    private static final byte[] B3_MASTER_KEY = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static final byte[] B3_MASTER_SALT = hex("0EC675AD498AFEEBB6960B3AABE6");
    private static final byte[] B3_CIPHER_KEY = hex("C61E7A93744F39EE10734AFE3FF7A087");
    private static final byte[] B3_CIPHER_SALT = hex("30CBBC08863D8C85D49DB34A9AE1");

    @Test
    void shouldUseOpenSslGcmOnJdk22AndLater() {
        if (Runtime.version().feature() >= 22) {
            assertNull(GcmBackend.ffmFailure(), "AES-GCM through FFM must load on Java 22+ (CI runs 25)");
            assertTrue(GcmBackend.ffmAvailable());
            assertEquals(GcmBackend.FFM, GcmBackend.selected(), GcmBackend.describe());
        } else {
            assertEquals(GcmBackend.JITSI, GcmBackend.selected(), "Java 21 falls back to jitsi-srtp");
        }
    }

    @Test
    void shouldDeriveSessionKeysAsRfc3711AppendixB3() throws Exception {
        assertArrayEquals(B3_CIPHER_KEY, GcmContextSource.deriveSessionKey(B3_MASTER_KEY, B3_MASTER_SALT, 0x00, 16));
        assertArrayEquals(B3_CIPHER_SALT, GcmContextSource.deriveSessionKey(B3_MASTER_KEY, B3_MASTER_SALT, 0x02, 14));
        // A 96-bit GCM salt is the 112-bit one's prefix padded with zeros (RFC 7714 §11): same PRF input here.
        byte[] salt12 = java.util.Arrays.copyOf(B3_MASTER_SALT, 12);
        assertArrayEquals(SrtpReference.kdf(B3_MASTER_KEY, salt12, 0x05, 12),
                GcmContextSource.deriveSessionKey(B3_MASTER_KEY, salt12, 0x05, 12));
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    void shouldProtectSrtpAsRfc7714Section16(int bits) {
        byte[] expected = bits == 128 ? SRTP_128 : SRTP_256;
        GcmCipher cipher = cipher(bits, true);
        ByteBuf packet = Packets.heap(RTP);
        try {
            assertEquals(SrtpStatus.OK, new GcmRtpContext(true, 0x5501a0b2, cipher, SALT).transform(packet, 12));
            assertArrayEquals(expected, Packets.bytes(packet));
        } finally {
            packet.release();
            cipher.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    void shouldUnprotectSrtpAsRfc7714Section16(int bits) {
        GcmCipher cipher = cipher(bits, false);
        ByteBuf packet = Packets.heap(bits == 128 ? SRTP_128 : SRTP_256);
        ByteBuf tampered = Packets.heap(bits == 128 ? SRTP_128 : SRTP_256);
        try {
            GcmRtpContext context = new GcmRtpContext(false, 0x5501a0b2, cipher, SALT);
            // One flipped ciphertext bit: refused, and the context still accepts the genuine packet.
            tampered.setByte(20, tampered.getByte(20) ^ 0x01);
            assertEquals(SrtpStatus.AUTH_FAILED, context.transform(tampered, 12));
            assertEquals(SrtpStatus.OK, context.transform(packet, 12));
            assertArrayEquals(RTP, Packets.bytes(packet));
        } finally {
            packet.release();
            tampered.release();
            cipher.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    void shouldProtectSrtcpAsRfc7714Section17(int bits) {
        byte[] expected = bits == 128 ? SRTCP_128 : SRTCP_256;
        GcmCipher cipher = cipher(bits, true);
        GcmRtcpContext context = new GcmRtcpContext(true, 0x4d617273, cipher, SALT);
        ByteBuf packet = Packets.heap(RTCP);
        try {
            // Our SRTCP index starts at 0: send up to the vector's index through the same path.
            for (int index = 0; index < SRTCP_INDEX; index++) {
                packet.clear().writeBytes(RTCP);
                assertEquals(SrtpStatus.OK, context.transform(packet, 8));
            }
            packet.clear().writeBytes(RTCP);
            assertEquals(SrtpStatus.OK, context.transform(packet, 8));
            assertArrayEquals(expected, Packets.bytes(packet));
        } finally {
            packet.release();
            cipher.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    void shouldUnprotectSrtcpAsRfc7714Section17(int bits) {
        byte[] wire = bits == 128 ? SRTCP_128 : SRTCP_256;
        GcmCipher cipher = cipher(bits, false);
        GcmRtcpContext context = new GcmRtcpContext(false, 0x4d617273, cipher, SALT);
        ByteBuf tampered = Packets.heap(wire);
        ByteBuf otherIndex = Packets.heap(wire);
        ByteBuf packet = Packets.heap(wire);
        ByteBuf replayed = Packets.heap(wire);
        try {
            tampered.setByte(30, tampered.getByte(30) ^ 0x08);
            assertEquals(SrtpStatus.AUTH_FAILED, context.transform(tampered, 8));
            // The index is bound through the IV and the AAD: another index fails the tag.
            otherIndex.setInt(otherIndex.writerIndex() - 4, 0x8000_05d5);
            assertEquals(SrtpStatus.AUTH_FAILED, context.transform(otherIndex, 8));
            assertEquals(SrtpStatus.OK, context.transform(packet, 8));
            assertArrayEquals(RTCP, Packets.bytes(packet));
            assertEquals(SrtpStatus.REPLAYED, context.transform(replayed, 8));
        } finally {
            tampered.release();
            otherIndex.release();
            packet.release();
            replayed.release();
            cipher.close();
        }
    }

    @Test
    void shouldRefuseUnencryptedSrtcpOfRfc7714Section17_3() {
        GcmCipher cipher = cipher(128, false);
        ByteBuf packet = Packets.heap(SRTCP_128_TAG_ONLY);
        try {
            // Valid per §17.3, but no DTLS-SRTP profile negotiates unencrypted SRTCP; jitsi-srtp refuses it too.
            assertEquals(SrtpStatus.AUTH_FAILED, new GcmRtcpContext(false, 0x4d617273, cipher, SALT).transform(packet, 8));
        } finally {
            packet.release();
            cipher.close();
        }
    }

    @Test
    void shouldNeverWriteOutsideTheBuffersCapacity() {
        GcmCipher cipher = cipher(128, true);
        ByteBuf packet = Unpooled.buffer(RTP.length, RTP.length).writeBytes(RTP);
        try {
            byte[] iv = new byte[GcmCipher.IV_LENGTH];
            // No room for the tag inside this buffer: refused before OpenSSL sees a pointer.
            assertThrows(IndexOutOfBoundsException.class, () -> cipher.seal(iv, packet, 0, 12, RTP.length - 12, 0, false));
            assertThrows(IndexOutOfBoundsException.class, () -> cipher.seal(iv, packet, -1, 12, 0, 0, false));
            assertArrayEquals(RTP, Packets.bytes(packet));
        } finally {
            packet.release();
            cipher.close();
        }
    }

    @Test
    void shouldFailCallsAfterClose() {
        GcmCipher cipher = cipher(128, true);
        cipher.close();
        cipher.close();
        ByteBuf packet = Packets.heap(RTP);
        try {
            assertThrows(IllegalStateException.class,
                    () -> cipher.seal(new byte[GcmCipher.IV_LENGTH], packet, 0, 12, RTP.length - 12, 0, false));
        } finally {
            packet.release();
        }
    }

    @Test
    void shouldExplainWhyALibraryDoesNotLoad() {
        Object result = GcmBackend.load("libjunction-no-such-crypto.so.9");
        assertTrue(result instanceof String reason && !reason.isBlank(), "a reason, not an engine or an exception: " + result);
    }

    private static GcmCipher cipher(int bits, boolean encrypt) {
        return GcmBackend.ffmEngine().newCipher(bits == 128 ? KEY_128 : KEY_256, encrypt);
    }
}
