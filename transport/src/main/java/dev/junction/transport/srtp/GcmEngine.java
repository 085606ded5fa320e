package dev.junction.transport.srtp;

/**
 * An AES-GCM implementation that makes {@link GcmCipher}s: today OpenSSL's libcrypto through the FFM API
 * ({@code OpenSslGcm}, compiled for Java 22 and loaded by {@link GcmBackend}).
 *
 * <p>Thread-safe: {@link #newCipher} may be called from any thread; each cipher then has one owner.
 */
interface GcmEngine {

    /**
     * A cipher keyed with {@code key} (16 or 32 octets: AES-128 or AES-256) that only encrypts
     * ({@code encrypt}) or only decrypts. The caller may wipe {@code key} afterwards.
     */
    GcmCipher newCipher(byte[] key, boolean encrypt);

    /** The library and its version, for the startup log. */
    String description();
}
