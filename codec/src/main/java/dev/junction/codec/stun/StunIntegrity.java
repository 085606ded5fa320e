package dev.junction.codec.stun;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * MESSAGE-INTEGRITY (RFC 8489 §14.5) for one key: verifies received messages and signs written ones.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Type = 0x0008          |          Length = 20          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * |            HMAC-SHA1 (20 bytes) over the message up to,       |
 * |            not including, this attribute                      |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The HMAC covers the header with its length field set as if MESSAGE-INTEGRITY were the last attribute
 * (so a FINGERPRINT that follows is excluded), then every byte up to the attribute. Keys (RFC 8489 §9.1.1,
 * §9.2.2, RFC 5389 §15.4):
 * <ul>
 *   <li>short-term (ICE): the ice-pwd bytes. ice-pwd is ice-char only (RFC 8839 §5.4), for which SASLprep
 *       and OpaqueString are the identity, and browsers hash the raw bytes;</li>
 *   <li>long-term: MD5(username ":" realm ":" SASLprep(password)).</li>
 * </ul>
 *
 * <p>The key is set once, per session. HMAC-SHA1 (RFC 2104) is computed here over a reused SHA-1
 * {@link MessageDigest} rather than through {@code javax.crypto.Mac}, because the JDK's
 * {@code HmacCore.engineDoFinal} allocates the inner digest array on every call (measured in
 * {@code StunIntegrityBench}); tests check the result against {@code javax.crypto.Mac} and RFC 2202.
 * Buffers are read from their backing array when they have one, otherwise through a reused scratch
 * array, so verifying and signing allocate nothing.
 *
 * <p>Not thread-safe: one instance per session, used on the session's event loop. It reads (and, when
 * signing, writes the 20 MAC bytes into) the buffer it is given; it never retains or releases it.
 */
public final class StunIntegrity {

    /** Length of the HMAC-SHA1 value. */
    public static final int HMAC_LENGTH = 20;

    private static final int BLOCK_LENGTH = 64;
    private static final int ATTRIBUTE_LENGTH = StunAttribute.HEADER_LENGTH + HMAC_LENGTH;

    // Allocated by this.
    private final MessageDigest sha1;
    private final byte[] innerPad = new byte[BLOCK_LENGTH];
    private final byte[] outerPad = new byte[BLOCK_LENGTH];
    private final byte[] header = new byte[StunMessage.HEADER_LENGTH];
    private final byte[] scratch = new byte[256];
    private final byte[] innerHash = new byte[HMAC_LENGTH];
    private final byte[] mac = new byte[HMAC_LENGTH];

    private StunIntegrity(byte[] key) {
        sha1 = newDigest("SHA-1");
        // RFC 2104 §2: keys longer than the block are hashed first, shorter ones zero-padded.
        byte[] k = key.length > BLOCK_LENGTH ? sha1.digest(key) : key;
        for (int i = 0; i < BLOCK_LENGTH; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ 0x36);
            outerPad[i] = (byte) (b ^ 0x5c);
        }
    }

    /** Short-term credential (ICE): the key is the UTF-8 bytes of the password (ice-pwd). */
    public static StunIntegrity shortTerm(String password) {
        return new StunIntegrity(password.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Long-term credential (RFC 5389 §15.4): MD5(username ":" realm ":" SASLprep(password)). Username and
     * realm are used as given (they are sent on the wire already prepared).
     *
     * @throws IllegalArgumentException if SASLprep rejects the password
     */
    public static StunIntegrity longTerm(String username, String realm, String password) {
        String input = username + ":" + realm + ":" + SaslPrep.prepareStored(password);
        return new StunIntegrity(newDigest("MD5").digest(input.getBytes(StandardCharsets.UTF_8)));
    }

    /** A raw HMAC key. */
    public static StunIntegrity ofKey(byte[] key) {
        return new StunIntegrity(key.clone());
    }

    /**
     * Whether {@code message} carries a MESSAGE-INTEGRITY that matches this key. False when there is none
     * or no message is wrapped. The comparison takes the same time wherever the first difference is.
     */
    public boolean verify(StunMessage message) {
        if (!message.isValid() || !message.hasMessageIntegrity()) {
            return false;
        }
        return verify(message.buffer(), message.offset(), message.messageIntegrityOffset());
    }

    /**
     * Whether the MESSAGE-INTEGRITY attribute whose header is at absolute index {@code integrityOffset} is
     * correct for the message starting at {@code messageOffset}. False for impossible offsets.
     */
    public boolean verify(ByteBuf buf, int messageOffset, int integrityOffset) {
        if (messageOffset < 0 || integrityOffset - messageOffset < StunMessage.HEADER_LENGTH
                || ((integrityOffset - messageOffset) & 3) != 0
                || integrityOffset > buf.writerIndex() - ATTRIBUTE_LENGTH) {
            return false;
        }
        compute(buf, messageOffset, integrityOffset);
        int valueOffset = integrityOffset + StunAttribute.HEADER_LENGTH;
        int diff = 0;
        for (int i = 0; i < HMAC_LENGTH; i++) {
            diff |= mac[i] ^ buf.getByte(valueOffset + i);
        }
        return diff == 0;
    }

    /**
     * Writes the HMAC into the MESSAGE-INTEGRITY attribute at {@code integrityOffset}, whose type and length
     * are already written. Used by {@link StunWriter}.
     */
    void sign(ByteBuf buf, int messageOffset, int integrityOffset) {
        compute(buf, messageOffset, integrityOffset);
        BufferBytes.set(buf, integrityOffset + StunAttribute.HEADER_LENGTH, mac, 0, HMAC_LENGTH);
    }

    /** HMAC-SHA1 (RFC 2104) of the message up to the attribute, with the length adjusted (RFC 8489 §14.5), into {@link #mac}. */
    private void compute(ByteBuf buf, int messageOffset, int integrityOffset) {
        int adjustedLength = integrityOffset + ATTRIBUTE_LENGTH - messageOffset - StunMessage.HEADER_LENGTH;
        BufferBytes.get(buf, messageOffset, header, 0, StunMessage.HEADER_LENGTH);
        header[2] = (byte) (adjustedLength >>> 8);
        header[3] = (byte) adjustedLength;
        sha1.update(innerPad);
        sha1.update(header);
        int attributesOffset = messageOffset + StunMessage.HEADER_LENGTH;
        BufferBytes.update(sha1, buf, attributesOffset, integrityOffset - attributesOffset, scratch);
        try {
            sha1.digest(innerHash, 0, HMAC_LENGTH);
            sha1.update(outerPad);
            sha1.update(innerHash);
            sha1.digest(mac, 0, HMAC_LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-1 digest is 20 bytes", e);
        }
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
    }
}
