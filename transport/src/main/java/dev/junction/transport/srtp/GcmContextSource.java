package dev.junction.transport.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Junction's AES-GCM contexts for one direction (RFC 7714): the session keys and salts are derived once
 * here, and one {@link GcmCipher} for RTP and one for RTCP serve every SSRC of the direction.
 *
 * <p>Why one cipher per direction and packet kind rather than per SSRC: with key_derivation_rate 0 (all
 * DTLS-SRTP profiles, RFC 5764 §4.1.2) the session key does not depend on the SSRC, and the per-packet IV
 * carries the SSRC (RFC 7714 §8.1), so a keyed cipher can be shared and only the IV changes. A session
 * therefore holds at most four {@code EVP_CIPHER_CTX}s however many SSRCs it sees, and a new SSRC costs a
 * small Java object, not a key schedule.
 *
 * <p><b>Threading:</b> created with the {@link SrtpSession} (on the DTLS thread, where the key derivation
 * runs, off the loop), then used and closed on the session's event loop; the contexts it makes share its
 * ciphers and so must stay on that loop too. <b>Native memory:</b> owns its two ciphers; {@link #close()}
 * frees them.
 */
final class GcmContextSource implements SrtpContextSource {

    // RFC 3711 §4.3.1 key derivation labels.
    static final int LABEL_RTP_ENCRYPTION = 0x00;
    static final int LABEL_RTP_SALT = 0x02;
    static final int LABEL_RTCP_ENCRYPTION = 0x03;
    static final int LABEL_RTCP_SALT = 0x05;

    /** Octets of the session salt for GCM (RFC 7714 §11: 96 bits). */
    static final int SESSION_SALT_LENGTH = 12;

    // Passed by argument.
    private final boolean sender;

    // Allocated by this.
    private final GcmCipher rtpCipher;
    private final GcmCipher rtcpCipher;
    private final byte[] rtpSalt;
    private final byte[] rtcpSalt;

    /** Derives the session keys from the master key and salt and keys one cipher per packet kind. */
    GcmContextSource(boolean sender, byte[] masterKey, byte[] masterSalt, GcmEngine engine) throws GeneralSecurityException {
        this.sender = sender;
        byte[] rtpKey = deriveSessionKey(masterKey, masterSalt, LABEL_RTP_ENCRYPTION, masterKey.length);
        byte[] rtcpKey = deriveSessionKey(masterKey, masterSalt, LABEL_RTCP_ENCRYPTION, masterKey.length);
        this.rtpSalt = deriveSessionKey(masterKey, masterSalt, LABEL_RTP_SALT, SESSION_SALT_LENGTH);
        this.rtcpSalt = deriveSessionKey(masterKey, masterSalt, LABEL_RTCP_SALT, SESSION_SALT_LENGTH);
        GcmCipher rtp = null;
        try {
            rtp = engine.newCipher(rtpKey, sender);
            this.rtcpCipher = engine.newCipher(rtcpKey, sender);
            this.rtpCipher = rtp;
        } catch (RuntimeException e) {
            if (rtp != null) rtp.close();
            throw e;
        } finally {
            Arrays.fill(rtpKey, (byte) 0);
            Arrays.fill(rtcpKey, (byte) 0);
        }
    }

    @Override
    public SrtpContext rtp(int ssrc) {
        return new GcmRtpContext(sender, ssrc, rtpCipher, rtpSalt);
    }

    @Override
    public SrtpContext rtcp(int ssrc) {
        return new GcmRtcpContext(sender, ssrc, rtcpCipher, rtcpSalt);
    }

    @Override
    public void close() {
        rtpCipher.close();
        rtcpCipher.close();
        Arrays.fill(rtpSalt, (byte) 0);
        Arrays.fill(rtcpSalt, (byte) 0);
    }

    /**
     * The SRTP key derivation of RFC 3711 §4.3.1 with key_derivation_rate 0: AES-CM keyed with the master
     * key, from IV = (master salt XOR label at octet 7) * 2^16, over zeros. A 96-bit GCM master salt is
     * padded with zeros on the right to the 112 bits the PRF takes (RFC 7714 §11; jitsi-srtp and libsrtp do
     * the same). Runs at session setup only, with the JDK's AES; the hot path never calls it.
     */
    static byte[] deriveSessionKey(byte[] masterKey, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, Math.min(masterSalt.length, 14));
        iv[7] ^= (byte) label;
        Cipher prf = Cipher.getInstance("AES/CTR/NoPadding");
        prf.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"), new IvParameterSpec(iv));
        return prf.doFinal(new byte[length]);
    }
}
