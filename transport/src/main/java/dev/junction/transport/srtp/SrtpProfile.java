package dev.junction.transport.srtp;

import java.util.Optional;
import org.jitsi.srtp.SrtpPolicy;

/**
 * The SRTP protection profiles Junction negotiates in the DTLS {@code use_srtp} extension, with the
 * lengths that DTLS-SRTP key export and SRTP need.
 *
 * <p>Sources: RFC 5764 §4.1.2 (AES_CM_128_HMAC_SHA1_80, id {@code 0x0001}: 128-bit key, 112-bit salt,
 * 80-bit tags, 160-bit HMAC key) and RFC 7714 §14.2 (AEAD_AES_128_GCM {@code 0x0007}, AEAD_AES_256_GCM
 * {@code 0x0008}: 128/256-bit key, 96-bit salt, 16-octet tag that replaces the separate authentication tag).
 * The SRTCP tag of the HMAC profile is also 80 bits (RFC 3711 §5.2: only the RTP tag is shortened by
 * {@code _32} profiles, which we do not offer).
 */
public enum SrtpProfile {

    AEAD_AES_256_GCM(0x0008, "SRTP_AEAD_AES_256_GCM", 32, 12, 16, SrtpPolicy.AESGCM_ENCRYPTION, SrtpPolicy.NULL_AUTHENTICATION, 0),
    AEAD_AES_128_GCM(0x0007, "SRTP_AEAD_AES_128_GCM", 16, 12, 16, SrtpPolicy.AESGCM_ENCRYPTION, SrtpPolicy.NULL_AUTHENTICATION, 0),
    AES_CM_128_HMAC_SHA1_80(0x0001, "SRTP_AES128_CM_SHA1_80", 16, 14, 10, SrtpPolicy.AESCM_ENCRYPTION, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20);

    private final int dtlsId;
    private final String openSslName;
    private final int masterKeyLength;
    private final int masterSaltLength;
    private final int authTagLength;
    private final int encryptionType;
    private final int authenticationType;
    private final int authKeyLength;

    SrtpProfile(int dtlsId, String openSslName, int masterKeyLength, int masterSaltLength, int authTagLength,
                int encryptionType, int authenticationType, int authKeyLength) {
        this.dtlsId = dtlsId;
        this.openSslName = openSslName;
        this.masterKeyLength = masterKeyLength;
        this.masterSaltLength = masterSaltLength;
        this.authTagLength = authTagLength;
        this.encryptionType = encryptionType;
        this.authenticationType = authenticationType;
        this.authKeyLength = authKeyLength;
    }

    /** The SRTPProtectionProfile value carried in {@code use_srtp} (RFC 5764 §4.1.2, RFC 7714 §14.2). */
    public int dtlsId() {
        return dtlsId;
    }

    /** The name OpenSSL uses for this profile ({@code -use_srtp}, {@code SSL_get_selected_srtp_profile}). */
    public String openSslName() {
        return openSslName;
    }

    /** Octets of the SRTP master key, per direction. */
    public int masterKeyLength() {
        return masterKeyLength;
    }

    /** Octets of the SRTP master salt, per direction. */
    public int masterSaltLength() {
        return masterSaltLength;
    }

    /** Octets appended to each protected RTP or RTCP packet as the authentication tag (GCM: the AEAD tag). */
    public int authTagLength() {
        return authTagLength;
    }

    /** Whether this is an AEAD AES-GCM profile (RFC 7714), whose cipher {@link GcmBackend} chooses. */
    public boolean isGcm() {
        return encryptionType == SrtpPolicy.AESGCM_ENCRYPTION;
    }

    /** Octets of tail room a packet needs for {@code protectRtp}: the tag. */
    public int rtpTailRoom() {
        return authTagLength;
    }

    /** Octets of tail room a packet needs for {@code protectRtcp}: the E flag and SRTCP index (RFC 3711 §3.4) and the tag. */
    public int rtcpTailRoom() {
        return 4 + authTagLength;
    }

    /**
     * The keying material length to export with label {@code EXTRACTOR-dtls_srtp}: client key, server key,
     * client salt, server salt (RFC 5764 §4.2).
     */
    public int keyingMaterialLength() {
        return 2 * (masterKeyLength + masterSaltLength);
    }

    /** The profile with the given {@code use_srtp} value, if Junction supports it. */
    public static Optional<SrtpProfile> fromDtlsId(int dtlsId) {
        for (SrtpProfile profile : values()) {
            if (profile.dtlsId == dtlsId) return Optional.of(profile);
        }
        return Optional.empty();
    }

    /** A fresh jitsi-srtp policy for this profile (policies are mutable, so never share one). */
    SrtpPolicy newPolicy() {
        SrtpPolicy policy = new SrtpPolicy(encryptionType, masterKeyLength, authenticationType, authKeyLength,
                authTagLength, masterSaltLength);
        policy.setReceiveReplayEnabled(true);
        // The sender refuses to protect an index twice: with GCM a second packet under the same
        // (SSRC, ROC, SEQ) reuses the nonce and exposes the GHASH key (RFC 7714 §8.1). Retransmissions
        // therefore go out as RTX (new SSRC and sequence numbers) or as the cached protected bytes.
        policy.setSendReplayEnabled(true);
        policy.setCryptexEnabled(false);
        return policy;
    }
}
