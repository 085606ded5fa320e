package dev.junction.transport.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.gcm.BasicGCMMultiplier;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * This process's DTLS identity: an ECDSA P-256 key and a self-signed certificate, with the SHA-256
 * fingerprint that answers carry in {@code a=fingerprint}.
 *
 * <p>WebRTC authenticates DTLS peers only by fingerprint (RFC 8827 §6.5 requires ECDSA P-256 support;
 * RFC 8122 binds the certificate to the SDP), so the certificate carries no meaningful name and one per
 * server process is enough: generate it at startup and share it across sessions. Generation costs a few
 * milliseconds; never do it on an event loop.
 *
 * <p>Immutable and thread-safe. Also holds the {@link BcTlsCrypto} (BouncyCastle lightweight crypto) that
 * endpoints using this certificate share; the certificate's DER, its parsed form and its fingerprint are
 * computed once here, not per handshake. On JDK 25 BouncyCastle beats the JDK's own providers (bctls's
 * JcaTlsCrypto over SunEC and SunJCE) on each public-key operation of the handshake, and a whole handshake,
 * both sides, costs 1.6 ms against 2.4-3.0 ms (README "Joins", {@code DtlsCryptoBench}, DESIGN §8).
 */
public final class DtlsCertificate {

    private static final Duration BACKDATE = Duration.ofDays(1);
    private static final Duration VALIDITY = Duration.ofDays(365);

    static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private final BcTlsCrypto crypto;
    private final AsymmetricKeyParameter privateKey;
    private final Certificate tlsCertificate;
    private final byte[] der;
    private final Fingerprint fingerprint;

    private DtlsCertificate(BcTlsCrypto crypto, AsymmetricKeyParameter privateKey, byte[] der) throws IOException {
        this.crypto = crypto;
        this.privateKey = privateKey;
        this.der = der;
        this.tlsCertificate = new Certificate(new TlsCertificate[] {crypto.createCertificate(der)});
        this.fingerprint = Fingerprint.of("sha-256", der);
    }

    /** A fresh ECDSA P-256 key with a self-signed certificate valid from yesterday for a year. */
    public static DtlsCertificate generate() {
        SecureRandom random = new SecureRandom();
        // NOTE: lookup() picks BouncyCastle's P-256 with its own field arithmetic (CustomNamedCurves), which every
        // signature with this key then uses; ECNamedCurveTable's generic curve made each one cost 3-4x (README "Joins").
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(ECNamedDomainParameters.lookup(SECObjectIdentifiers.secp256r1), random));
        AsymmetricCipherKeyPair keyPair = generator.generateKeyPair();
        try {
            X500Name name = new X500Name("CN=junction");
            Instant now = Instant.now();
            // Browsers ignore the serial and names; a random positive serial keeps certificates distinct.
            BigInteger serial = new BigInteger(64, random).setBit(62);
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, serial,
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), name,
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keyPair.getPublic()));
            AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
            X509CertificateHolder holder = builder.build(new BcECContentSignerBuilder(signature, digest).build(keyPair.getPrivate()));
            return new DtlsCertificate(new LeanBcTlsCrypto(random), keyPair.getPrivate(), holder.getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the DTLS certificate", e);
        }
    }

    /** The SHA-256 fingerprint of the certificate. */
    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** The {@code a=fingerprint} value for answers and offers: {@code "sha-256 AB:CD:..."}. */
    public String sdpFingerprint() {
        return fingerprint.toSdp();
    }

    /** The certificate in DER form. */
    public byte[] derEncoded() {
        return der.clone();
    }

    /** The certificate in PEM form (for logs and for feeding other tools in tests). */
    public String pem() {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    BcTlsCrypto crypto() {
        return crypto;
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /** A signer of ServerKeyExchange (server) or CertificateVerify (client) with this key, for one handshake. */
    TlsCredentialedSigner signer(TlsContext context) {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey, tlsCertificate, ECDSA_SHA256);
    }

    @Override
    public String toString() {
        return "DtlsCertificate[" + sdpFingerprint() + "]";
    }

    /**
     * BouncyCastle's lightweight crypto with table-free GCM for the DTLS record layer. Each session keeps
     * its two record ciphers for as long as it lives (for alerts and close_notify), and the default 4 KB
     * multiplication tables cost about 24 KiB of heap per session (measured: 512 long[] per subscriber after
     * 1,000 joins). After the handshake the record layer carries a handful of records, so speed there does
     * not matter; media goes through SRTP.
     */
    static final class LeanBcTlsCrypto extends BcTlsCrypto {
        LeanBcTlsCrypto(SecureRandom random) {
            super(random);
        }

        @Override
        protected AEADBlockCipher createGCMMode(BlockCipher engine) {
            return GCMBlockCipher.newInstance(engine, new BasicGCMMultiplier());
        }
    }
}
