package dev.junction.transport.dtls;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * The DTLS 1.2 server of DTLS-SRTP (RFC 5764) as WebRTC needs it: ECDSA P-256 certificate, client
 * certificate required and pinned to the SDP fingerprint, extended master secret required (RFC 7627,
 * RFC 8827 §6.5), and the SRTP profile chosen by our preference, not the client's order.
 *
 * <p>One instance per handshake; bctls calls it on the endpoint's DTLS thread only.
 */
final class SrtpTlsServer extends DefaultTlsServer {

    /** ECDHE with ECDSA (our certificate), AEAD first (RFC 8827 §6.5 mandates TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256). */
    static final int[] ECDSA_CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };

    // Passed by argument.
    private final DtlsCertificate certificate;
    private final DtlsSettings settings;
    private final HandshakeOutcome outcome;

    SrtpTlsServer(DtlsCertificate certificate, DtlsSettings settings, HandshakeOutcome outcome) {
        super(certificate.crypto());
        this.certificate = certificate;
        this.settings = settings;
        this.outcome = outcome;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return ECDSA_CIPHER_SUITES.clone();
    }

    /** NOTE: bctls follows the client's cipher-suite order unless told otherwise (DESIGN §8). */
    @Override
    protected boolean preferLocalCipherSuites() {
        return true;
    }

    @Override
    public boolean requiresExtendedMasterSecret() {
        return true;
    }

    /** The certificate is pinned by fingerprint; its own signature algorithm carries no trust. */
    @Override
    public boolean shouldCheckSigAlgOfPeerCerts() {
        return false;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return (int) settings.handshakeTimeoutMs();
    }

    @Override
    public int getHandshakeResendTimeMillis() {
        return settings.initialRetransmitMs();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        outcome.selectProfile(clientExtensions == null ? null : TlsSRTPUtils.getUseSRTPExtension(clientExtensions));
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
        // Our MKI is empty: SRTP packets carry none (RFC 5764 §4.1.2).
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {outcome.profile.dtlsId()}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public CertificateRequest getCertificateRequest() {
        // RSA too: some non-browser WebRTC stacks (GStreamer, older libdatachannel) use RSA certificates.
        return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        outcome.verifyPeerCertificate(clientCertificate);
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() {
        return certificate.signer(context);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        outcome.exportKeys(context);
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        outcome.onAlertRaised(alertLevel, alertDescription, message);
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        outcome.onAlertReceived(alertLevel, alertDescription);
    }
}
