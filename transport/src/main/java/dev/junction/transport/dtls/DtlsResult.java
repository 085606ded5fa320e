package dev.junction.transport.dtls;

import dev.junction.transport.srtp.SrtpKeys;
import dev.junction.transport.srtp.SrtpProfile;
import java.util.Objects;

/**
 * What a completed DTLS-SRTP handshake yields: the negotiated SRTP profile, the exported keying material
 * (label {@code EXTRACTOR-dtls_srtp}, RFC 5764 §4.2), the remote fingerprint that the peer's certificate
 * matched, and this side's role, which decides which half of the keys is local.
 *
 * <p>Immutable; the keying material is copied in and out.
 *
 * @param localRole         the role this side played
 * @param profile           the SRTP protection profile both sides agreed on
 * @param keyingMaterial    {@link SrtpProfile#keyingMaterialLength()} exported bytes
 * @param remoteFingerprint the SDP fingerprint the peer's certificate matched
 */
public record DtlsResult(DtlsRole localRole, SrtpProfile profile, byte[] keyingMaterial, Fingerprint remoteFingerprint) {

    public DtlsResult {
        Objects.requireNonNull(localRole, "localRole");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(remoteFingerprint, "remoteFingerprint");
        if (keyingMaterial.length != profile.keyingMaterialLength()) {
            throw new IllegalArgumentException("keying material must be " + profile.keyingMaterialLength() + " bytes");
        }
        keyingMaterial = keyingMaterial.clone();
    }

    @Override
    public byte[] keyingMaterial() {
        return keyingMaterial.clone();
    }

    /** The SRTP master keys and salts split into what this side sends and receives with. */
    public SrtpKeys srtpKeys() {
        return SrtpKeys.fromDtlsKeyingMaterial(profile, keyingMaterial, localRole == DtlsRole.CLIENT);
    }

    /** Never prints key bytes. */
    @Override
    public String toString() {
        return "DtlsResult[" + localRole + ", " + profile + ", remote " + remoteFingerprint + "]";
    }
}
