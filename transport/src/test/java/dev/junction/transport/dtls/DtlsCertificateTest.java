package dev.junction.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Curve;
import org.junit.jupiter.api.Test;

/** What {@link DtlsCertificate#generate()} makes: a P-256 identity that the JDK reads and that signs cheaply. */
class DtlsCertificateTest {

    private static final DtlsCertificate CERTIFICATE = DtlsCertificate.generate();

    /**
     * Each handshake signs once with this key (ServerKeyExchange or CertificateVerify). On ECNamedCurveTable's
     * generic P-256 a signature cost about 0.4 ms and 640 KB of garbage; BouncyCastle's own P-256 arithmetic
     * about 0.1 ms and 55 KB ({@code DtlsCryptoBench}).
     */
    @Test
    void shouldSignOnBouncyCastlesOwnP256Arithmetic() {
        ECPrivateKeyParameters key = assertInstanceOf(ECPrivateKeyParameters.class, CERTIFICATE.privateKey());
        assertInstanceOf(SecP256R1Curve.class, key.getParameters().getCurve());
    }

    @Test
    void shouldBeASelfSignedP256CertificateTheJdkVerifies() throws Exception {
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(CERTIFICATE.derEncoded()));
        certificate.verify(certificate.getPublicKey());
        certificate.checkValidity();
        ECPublicKey publicKey = assertInstanceOf(ECPublicKey.class, certificate.getPublicKey());
        assertEquals(256, publicKey.getParams().getCurve().getField().getFieldSize());
        assertEquals("SHA256withECDSA", certificate.getSigAlgName());
        assertTrue(CERTIFICATE.fingerprint().matches(certificate.getEncoded()));
    }
}
