package dev.junction.transport.socket;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A TLS server identity, a certificate chain and its private key, as PEM text: what the one public port's two TLS
 * terminators share, Netty's for TURN over TLS ({@link #sslContext}) and Vert.x's for HTTPS (which takes PEM).
 * From an operator's files, or a self-signed certificate made at start for local use.
 *
 * @param certificateChainPem the certificate chain, leaf first, PEM
 * @param privateKeyPem       its PKCS#8 private key, PEM
 * @param selfSigned          whether it was generated here (browsers will not trust it)
 *
 * <p>Immutable; made once at start, off the media loops.
 */
public record TlsIdentity(String certificateChainPem, String privateKeyPem, boolean selfSigned) {

    private static final Duration VALIDITY = Duration.ofDays(365);

    @Override
    public String toString() {
        return "TlsIdentity[selfSigned=" + selfSigned + ", key=<redacted>]";
    }

    /**
     * From a PEM certificate (chain) file and its PEM (PKCS#8) key file, checked at start: each file must be readable
     * and PEM of its kind, and the key must be the leaf certificate's. A failure is one line that names the file and
     * says what is wrong, for the operator reading the start-up error.
     */
    public static TlsIdentity fromPem(Path certificateChain, Path privateKey) {
        if (!Files.isReadable(certificateChain)) throw new IllegalStateException("cannot read the TLS certificate " + certificateChain);
        if (!Files.isReadable(privateKey)) throw new IllegalStateException("cannot read the TLS key " + privateKey);
        TlsIdentity identity;
        try {
            identity = new TlsIdentity(Files.readString(certificateChain, StandardCharsets.US_ASCII),
                    Files.readString(privateKey, StandardCharsets.US_ASCII), false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the TLS certificate or key (" + certificateChain + ", " + privateKey + "): " + oneLine(e), e);
        }
        X509Certificate leaf = leafCertificate(certificateChain, identity.certificateChainPem());
        PrivateKey key = pkcs8Key(privateKey, identity.privateKeyPem());
        if (!belongTogether(leaf, key)) {
            throw new IllegalStateException("the TLS key " + privateKey + " does not match the certificate " + certificateChain);
        }
        try {
            identity.sslContext(); // what the listeners will build: fails here, at start, on anything else
        } catch (IllegalStateException e) {
            throw new IllegalStateException("bad TLS certificate or key (" + certificateChain + ", " + privateKey + "): " + oneLine(e.getCause()), e);
        }
        return identity;
    }

    private static X509Certificate leafCertificate(Path file, String pem) {
        try {
            var certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (!certificates.isEmpty() && certificates.iterator().next() instanceof X509Certificate leaf) return leaf;
        } catch (CertificateException e) {
            // Not PEM (or not a certificate): said below.
        }
        throw new IllegalStateException("not a PEM certificate (BEGIN CERTIFICATE): " + file);
    }

    private static PrivateKey pkcs8Key(Path file, String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            if (parser.readObject() instanceof PrivateKeyInfo info) return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException e) {
            // Not PEM, or a key of a kind the JDK cannot use: said below.
        }
        throw new IllegalStateException("not a PEM PKCS#8 private key (BEGIN PRIVATE KEY; convert with openssl pkcs8 -topk8 -nocrypt): " + file);
    }

    /** Whether {@code key} signs what the certificate's public key verifies (EC, RSA, EdDSA; others are left to TLS). */
    private static boolean belongTogether(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) return true;
        try {
            byte[] challenge = "junction: does this key belong to this certificate".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key against an RSA certificate
        }
    }

    private static String oneLine(Throwable e) {
        String message = e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }

    /**
     * A generated ECDSA P-256 key and a self-signed certificate whose subjectAltName lists {@code ipAddresses} and
     * {@code dnsNames}.
     */
    public static TlsIdentity selfSigned(String commonName, List<String> ipAddresses, List<String> dnsNames) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, keys.getPublic());
            List<GeneralName> names = new ArrayList<>();
            for (String ip : ipAddresses) {
                // Only literals: the wildcard bind address is no name a client connects to.
                if (!new java.net.InetSocketAddress(ip, 0).getAddress().isAnyLocalAddress()) names.add(new GeneralName(GeneralName.iPAddress, ip));
            }
            for (String dns : dnsNames) names.add(new GeneralName(GeneralName.dNSName, dns));
            if (!names.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new TlsIdentity(pem(certificate), pem(keys.getPrivate()), true);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a self-signed TLS certificate: " + e.getMessage(), e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object instanceof java.security.PrivateKey key
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : object);
        }
        return out.toString();
    }

    /**
     * A Netty server context on the JDK's TLS provider; with {@code alpn}, it selects the first of those the client
     * offers (and selects none, without failing, when the client offers none of them).
     */
    public SslContext sslContext(String... alpn) {
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(
                    new ByteArrayInputStream(certificateChainPem.getBytes(StandardCharsets.US_ASCII)),
                    new ByteArrayInputStream(privateKeyPem.getBytes(StandardCharsets.US_ASCII))).sslProvider(SslProvider.JDK);
            if (alpn.length > 0) {
                builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("bad TLS certificate or key: " + e.getMessage(), e);
        }
    }
}
