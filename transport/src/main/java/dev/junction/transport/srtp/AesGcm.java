package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;

/**
 * AES-GCM for uses beside SRTP (the cluster's node pipes): one key in one direction, initialized once, each call
 * changing only the IV, in place, through the same OpenSSL FFM engine as SRTP's GCM ({@link GcmBackend#FFM}). It
 * allocates nothing per call, where {@code javax.crypto.Cipher} re-initialized per packet allocates about 1 KiB.
 *
 * <p>Only where {@link #available()}: Java 22+ with libcrypto loaded; callers keep a JCE path for the rest.
 * Whatever {@link GcmBackend#PROPERTY} selects for SRTP does not apply here.
 *
 * <p>Threading: one owner thread at a time. Never closed explicitly: the native context is freed by a cleaner once
 * this is unreachable, so no thread can ever use a freed context. Buffers: borrowed for the call.
 */
public final class AesGcm {

    /** Octets of the tag written after the text. */
    public static final int TAG_LENGTH = GcmCipher.TAG_LENGTH;
    /** Octets of the IV. */
    public static final int IV_LENGTH = GcmCipher.IV_LENGTH;

    private final GcmCipher cipher;

    private AesGcm(GcmCipher cipher) {
        this.cipher = cipher;
    }

    /** Whether the FFM engine loaded in this JVM. */
    public static boolean available() {
        return GcmBackend.ffmAvailable();
    }

    /**
     * A cipher keyed with {@code key} (16 or 32 octets) that only seals ({@code encrypt}) or only opens.
     *
     * @throws IllegalStateException if not {@link #available()}
     */
    public static AesGcm create(byte[] key, boolean encrypt) {
        return new AesGcm(GcmBackend.ffmEngine().newCipher(key, encrypt));
    }

    /**
     * Encrypts {@code textLength} octets at {@code offset + aadLength} in place and writes the {@link #TAG_LENGTH}
     * tag right after them, authenticating the {@code aadLength} octets at {@code offset}. Absolute indexes; the
     * tag must lie within {@code packet}'s capacity.
     */
    public void seal(byte[] iv, ByteBuf packet, int offset, int aadLength, int textLength) {
        cipher.seal(iv, packet, offset, aadLength, textLength, 0, false);
    }

    /**
     * Decrypts {@code textLength} octets at {@code offset + aadLength} in place and verifies the tag after them;
     * false (the text's bytes then unspecified) when it does not verify.
     */
    public boolean open(byte[] iv, ByteBuf packet, int offset, int aadLength, int textLength) {
        return cipher.open(iv, packet, offset, aadLength, textLength, 0, false);
    }
}
