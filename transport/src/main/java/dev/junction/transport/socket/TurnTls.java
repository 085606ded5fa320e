package dev.junction.transport.socket;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * TURN over TLS (RFC 8656 §3.1, {@code turns:}): the server's Netty {@link SslContext} on the JDK's TLS provider,
 * from an operator's PEM files or, for local use, from a self-signed certificate made at start; and the client
 * role's, for the load tool and tests.
 * Stateless; called once at start, off the media loops.
 */
public final class TurnTls {

    private static final Duration VALIDITY = Duration.ofDays(365);

    private TurnTls() {
    }

    /** From a PEM certificate (chain) and its PEM (PKCS#8) private key, checked as {@link TlsIdentity#fromPem} does. */
    public static SslContext fromPem(Path certificateChain, Path privateKey) {
        return TlsIdentity.fromPem(certificateChain, privateKey).sslContext();
    }

    /** A generated ECDSA P-256 key and a self-signed certificate naming {@code ipAddresses} (subjectAltName). */
    public static SslContext selfSigned(List<String> ipAddresses) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=junction-turn");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(VALIDITY)), name, keys.getPublic());
            GeneralName[] names = ipAddresses.stream().map(ip -> new GeneralName(GeneralName.iPAddress, ip)).toArray(GeneralName[]::new);
            if (names.length > 0) builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return SslContextBuilder.forServer(keys.getPrivate(), certificate).sslProvider(SslProvider.JDK).build();
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a self-signed TURN TLS certificate: " + e.getMessage(), e);
        }
    }

    /**
     * A client context that trusts any server certificate: for the load tool and tests against a server with a
     * self-signed certificate ({@link #selfSigned}). It authenticates nobody, so never for real use: the TURN
     * credentials and relayed data would go to whoever answers.
     */
    public static SslContext trustingClient() {
        try {
            return SslContextBuilder.forClient().trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
                    .sslProvider(SslProvider.JDK).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot make a TLS client context: " + e.getMessage(), e);
        }
    }
}
