package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;

/**
 * One AES-GCM key in one direction, initialized once; each packet changes only the IV (RFC 7714 §8.1:
 * the IV is the salt XOR (SSRC, ROC, SEQ), so it is new for every packet while the key stays put).
 *
 * <p>Packets are transformed in place: the text is replaced by its ciphertext (or plaintext) and the
 * 16-octet tag lies right after it. The associated data is the bytes before the text, optionally followed
 * by one extra 32-bit word that is not in the packet at that place (the SRTCP E flag and index, RFC 7714
 * §9.1, which travels after the tag).
 *
 * <p><b>Threading:</b> not thread-safe. A {@link GcmContextSource} owns its ciphers; they are created on the
 * thread that creates the {@link SrtpSession} (the DTLS thread) and then used and closed on the session's
 * event loop only.
 *
 * <p><b>Buffers:</b> borrows the packet for the call; never retains or releases it. Every byte touched
 * ({@code offset} up to and including the tag) must lie inside the buffer's capacity; implementations
 * check that, since a pooled buffer's neighbours share its memory.
 */
interface GcmCipher {

    /** Octets of the AEAD tag: SRTP allows only 16 (RFC 7714 §7.1). */
    int TAG_LENGTH = 16;

    /** Octets of the IV (RFC 7714 §8.1, §9.1). */
    int IV_LENGTH = 12;

    /**
     * Encrypts {@code textLength} octets at {@code offset + aadLength} in place and writes the tag after
     * them, authenticating the {@code aadLength} octets at {@code offset} and then, when
     * {@code withAadWord}, {@code aadWord} in network byte order. Indexes are absolute ({@link ByteBuf#getByte}).
     *
     * @param iv {@link #IV_LENGTH} octets; read during the call only
     * @throws IllegalStateException if the crypto library reports an error (never for valid input)
     */
    void seal(byte[] iv, ByteBuf packet, int offset, int aadLength, int textLength, int aadWord, boolean withAadWord);

    /**
     * Decrypts {@code textLength} octets at {@code offset + aadLength} in place and verifies the tag that
     * follows them, over the same associated data as {@link #seal}.
     *
     * @return whether the tag verified; if not, the text's bytes are unspecified
     * @throws IllegalStateException if the crypto library reports an error other than a wrong tag
     */
    boolean open(byte[] iv, ByteBuf packet, int offset, int aadLength, int textLength, int aadWord, boolean withAadWord);

    /** Frees the key schedule and native memory. Idempotent; later calls fail. */
    void close();
}
