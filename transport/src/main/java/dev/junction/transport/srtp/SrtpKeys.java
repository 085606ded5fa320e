package dev.junction.transport.srtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * The SRTP master keys and salts of one DTLS-SRTP association, split into the half this side sends with
 * and the half it receives with.
 *
 * <p>Immutable; the arrays are copied in and out, so the record can cross threads (the DTLS thread makes
 * it, the session's event loop uses it).
 *
 * @param profile     the negotiated protection profile
 * @param localKey    the master key this side protects with
 * @param localSalt   the master salt this side protects with
 * @param remoteKey   the master key the peer protects with (this side unprotects with it)
 * @param remoteSalt  the master salt the peer protects with
 */
public record SrtpKeys(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {

    public SrtpKeys {
        Objects.requireNonNull(profile, "profile");
        localKey = checkedCopy(localKey, profile.masterKeyLength(), "localKey");
        localSalt = checkedCopy(localSalt, profile.masterSaltLength(), "localSalt");
        remoteKey = checkedCopy(remoteKey, profile.masterKeyLength(), "remoteKey");
        remoteSalt = checkedCopy(remoteSalt, profile.masterSaltLength(), "remoteSalt");
    }

    /**
     * Splits exported keying material (label {@code EXTRACTOR-dtls_srtp}) as RFC 5764 §4.2 lays it out:
     * {@code client_write_SRTP_master_key | server_write_SRTP_master_key | client_write_SRTP_master_salt |
     * server_write_SRTP_master_salt}. The DTLS client sends with the client half.
     *
     * @param localIsDtlsClient whether this side was the DTLS client
     * @throws IllegalArgumentException if the material is not {@link SrtpProfile#keyingMaterialLength()} long
     */
    public static SrtpKeys fromDtlsKeyingMaterial(SrtpProfile profile, byte[] material, boolean localIsDtlsClient) {
        Objects.requireNonNull(profile, "profile");
        if (material.length != profile.keyingMaterialLength()) {
            throw new IllegalArgumentException("keying material for " + profile + " must be "
                    + profile.keyingMaterialLength() + " bytes, got " + material.length);
        }
        int keyLength = profile.masterKeyLength();
        int saltLength = profile.masterSaltLength();
        byte[] clientKey = Arrays.copyOfRange(material, 0, keyLength);
        byte[] serverKey = Arrays.copyOfRange(material, keyLength, 2 * keyLength);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * keyLength, 2 * keyLength + saltLength);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * keyLength + saltLength, 2 * (keyLength + saltLength));
        return localIsDtlsClient
                ? new SrtpKeys(profile, clientKey, clientSalt, serverKey, serverSalt)
                : new SrtpKeys(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    /** The same keys seen from the peer: what it sends with is what this side receives with. */
    public SrtpKeys reversed() {
        return new SrtpKeys(profile, remoteKey, remoteSalt, localKey, localSalt);
    }

    @Override
    public byte[] localKey() {
        return localKey.clone();
    }

    @Override
    public byte[] localSalt() {
        return localSalt.clone();
    }

    @Override
    public byte[] remoteKey() {
        return remoteKey.clone();
    }

    @Override
    public byte[] remoteSalt() {
        return remoteSalt.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SrtpKeys that
                && profile == that.profile
                && Arrays.equals(localKey, that.localKey)
                && Arrays.equals(localSalt, that.localSalt)
                && Arrays.equals(remoteKey, that.remoteKey)
                && Arrays.equals(remoteSalt, that.remoteSalt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profile, Arrays.hashCode(localKey), Arrays.hashCode(remoteKey));
    }

    /** Never prints key bytes. */
    @Override
    public String toString() {
        return "SrtpKeys[" + profile + "]";
    }

    private static byte[] checkedCopy(byte[] bytes, int length, String name) {
        Objects.requireNonNull(bytes, name);
        if (bytes.length != length) {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, got " + bytes.length);
        }
        return bytes.clone();
    }
}
