package dev.junction.transport.dtls;

import dev.junction.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.UseSRTPData;

/**
 * What the bctls peer callbacks of one handshake learn, shared by {@link SrtpTlsServer} and
 * {@link SrtpTlsClient} with the {@link DtlsEndpoint} that runs them: the SRTP profile, the verified
 * remote fingerprint, the exported keys, the first failure we detected, and the last alerts in each
 * direction.
 *
 * <p>Confined to the endpoint's DTLS thread: bctls calls its peer on the thread that runs the protocol.
 */
final class HandshakeOutcome {

    // Passed by argument.
    final List<Fingerprint> expectedFingerprints;
    final List<SrtpProfile> acceptedProfiles;

    // Learned during the handshake.
    SrtpProfile profile;
    Fingerprint remoteFingerprint;
    byte[] keyingMaterial;
    DtlsCloseReason failure;
    String failureDetail;
    short alertReceived = -1;
    boolean alertReceivedFatal;
    short alertRaised = -1;
    String alertRaisedMessage;

    HandshakeOutcome(List<Fingerprint> expectedFingerprints, List<SrtpProfile> acceptedProfiles) {
        this.expectedFingerprints = List.copyOf(expectedFingerprints);
        this.acceptedProfiles = List.copyOf(acceptedProfiles);
    }

    /** Records the first failure and returns the fatal alert that bctls then sends and throws. */
    TlsFatalAlert fail(DtlsCloseReason reason, short alert, String detail) {
        if (failure == null) {
            failure = reason;
            failureDetail = AlertDescription.getName(alert) + ": " + detail;
        }
        return new TlsFatalAlert(alert, detail);
    }

    /**
     * Checks the peer's end-entity certificate against the SDP fingerprints (RFC 8122 §5, RFC 5763 §5).
     * WebRTC peers must present one (RFC 8827 §6.5), so an empty chain fails too.
     */
    void verifyPeerCertificate(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw fail(DtlsCloseReason.FINGERPRINT_MISMATCH, AlertDescription.handshake_failure, "peer sent no certificate");
        }
        byte[] der = chain.getCertificateAt(0).getEncoded();
        Optional<Fingerprint> match = Fingerprint.matchAny(expectedFingerprints, der);
        if (match.isEmpty()) {
            throw fail(DtlsCloseReason.FINGERPRINT_MISMATCH, AlertDescription.bad_certificate,
                    "peer certificate " + Fingerprint.of("sha-256", der) + " matches none of " + expectedFingerprints);
        }
        remoteFingerprint = match.get();
    }

    /** Server side: the first of our profiles that the client offers (RFC 5764 §4.1.1: the server chooses). */
    void selectProfile(UseSRTPData offered) throws IOException {
        if (offered == null) {
            throw fail(DtlsCloseReason.NO_COMMON_SRTP_PROFILE, AlertDescription.handshake_failure, "client sent no use_srtp");
        }
        for (SrtpProfile ours : acceptedProfiles) {
            for (int id : offered.getProtectionProfiles()) {
                if (id == ours.dtlsId()) {
                    profile = ours;
                    return;
                }
            }
        }
        throw fail(DtlsCloseReason.NO_COMMON_SRTP_PROFILE, AlertDescription.handshake_failure,
                "no common SRTP profile, client offered " + ids(offered.getProtectionProfiles()));
    }

    /** Client side: the server must pick exactly one profile we offered, with no MKI (RFC 5764 §4.1.1). */
    void acceptSelectedProfile(UseSRTPData selected) throws IOException {
        if (selected == null) {
            throw fail(DtlsCloseReason.NO_COMMON_SRTP_PROFILE, AlertDescription.handshake_failure, "server sent no use_srtp");
        }
        int[] ids = selected.getProtectionProfiles();
        if (ids.length != 1 || selected.getMki().length != 0) {
            throw fail(DtlsCloseReason.NO_COMMON_SRTP_PROFILE, AlertDescription.illegal_parameter,
                    "server use_srtp must select one profile without MKI, got " + ids(ids));
        }
        for (SrtpProfile ours : acceptedProfiles) {
            if (ours.dtlsId() == ids[0]) {
                profile = ours;
                return;
            }
        }
        throw fail(DtlsCloseReason.NO_COMMON_SRTP_PROFILE, AlertDescription.illegal_parameter,
                "server selected SRTP profile we did not offer: " + ids(ids));
    }

    /** Exports the SRTP keying material; bctls allows that only inside {@code notifyHandshakeComplete()}. */
    void exportKeys(TlsContext context) throws IOException {
        if (remoteFingerprint == null) {
            throw fail(DtlsCloseReason.FINGERPRINT_MISMATCH, AlertDescription.handshake_failure, "peer certificate was never verified");
        }
        if (profile == null) {
            throw fail(DtlsCloseReason.NO_COMMON_SRTP_PROFILE, AlertDescription.handshake_failure, "no SRTP profile negotiated");
        }
        keyingMaterial = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
    }

    void onAlertRaised(short level, short description, String message) {
        if (level == AlertLevel.fatal || description != AlertDescription.close_notify) {
            alertRaised = description;
            alertRaisedMessage = message;
        }
    }

    void onAlertReceived(short level, short description) {
        alertReceived = description;
        alertReceivedFatal = level == AlertLevel.fatal;
    }

    private static String ids(int[] ids) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) text.append(", ");
            text.append(String.format("0x%04x", ids[i]));
        }
        return text.append(']').toString();
    }
}
