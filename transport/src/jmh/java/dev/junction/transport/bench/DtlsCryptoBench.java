package dev.junction.transport.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.DigitallySigned;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.crypto.TlsAgreement;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.TlsECConfig;
import org.bouncycastle.tls.crypto.TlsSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsECDSASigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsECDSASigner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The public-key operations of one DTLS handshake, one at a time, through the same bctls crypto API the
 * handshake calls, per {@code backend}: {@code BC} is BouncyCastle's lightweight crypto as {@code
 * DtlsCertificate} uses it, {@code JCA} bctls's JcaTlsCrypto over the JDK's own providers (SunEC, SunJCE),
 * {@code BC_GENERIC_CURVE} BouncyCastle with the signing key on the generic P-256 of ECNamedCurveTable (what
 * DtlsCertificate did before December 8, 2026; it changes only {@code sign}).
 * <ul>
 *   <li>{@code sign}: one ECDSA P-256 signature over a SHA-256 hash (the server's ServerKeyExchange, the
 *       client's CertificateVerify).</li>
 *   <li>{@code parseAndVerify}: parse the peer's DER certificate and verify one signature with its key (the
 *       server checking CertificateVerify, the client checking ServerKeyExchange).</li>
 *   <li>{@code x25519}, {@code p256}: one side's ECDHE, a fresh key pair and the shared secret with the
 *       peer's public value.</li>
 * </ul>
 * A server handshake is one of each of sign, parseAndVerify and one ECDHE, plus hashing, PRF and record
 * crypto ({@link DtlsHandshakeBench} has the whole).
 *
 * <pre>./junction bench transport DtlsCryptoBench -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DtlsCryptoBench {

    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    /** {@code BC_GENERIC_CURVE}: BC signing with a key on ECNamedCurveTable's generic P-256 (before December 8). */
    @Param({"JCA", "BC", "BC_GENERIC_CURVE"})
    public String backend;

    private TlsCrypto crypto;
    private TlsSigner signer;
    private byte[] hash;
    private byte[] peerCertificate;
    private DigitallySigned peerSignature;
    private byte[] peerX25519;
    private byte[] peerP256;

    @Setup
    public void setUp() throws Exception {
        SecureRandom random = new SecureRandom();
        boolean generic = backend.equals("BC_GENERIC_CURVE");
        AsymmetricCipherKeyPair keyPair = p256KeyPair(random, generic);
        if (backend.equals("JCA")) {
            JcaTlsCrypto jca = new JcaTlsCryptoProvider().create(random);
            crypto = jca;
            signer = new JcaTlsECDSASigner(jca, toJca(keyPair));
        } else {
            BcTlsCrypto bc = new BcTlsCrypto(random);
            crypto = bc;
            signer = new BcTlsECDSASigner(bc, (ECPrivateKeyParameters) keyPair.getPrivate());
        }
        hash = new byte[32];
        random.nextBytes(hash);
        peerCertificate = selfSigned(keyPair, random);
        peerSignature = new DigitallySigned(ECDSA_SHA256, signer.generateRawSignature(ECDSA_SHA256, hash));
        peerX25519 = crypto.createECDomain(new TlsECConfig(NamedGroup.x25519)).createECDH().generateEphemeral();
        peerP256 = crypto.createECDomain(new TlsECConfig(NamedGroup.secp256r1)).createECDH().generateEphemeral();
        if (!parseAndVerify()) throw new IllegalStateException("signature does not verify");
    }

    @Benchmark
    public byte[] sign() throws IOException {
        return signer.generateRawSignature(ECDSA_SHA256, hash);
    }

    @Benchmark
    public boolean parseAndVerify() throws IOException {
        return crypto.createCertificate(peerCertificate).createVerifier(SignatureAlgorithm.ecdsa)
                .verifyRawSignature(peerSignature, hash);
    }

    @Benchmark
    public Object x25519() throws IOException {
        return agree(NamedGroup.x25519, peerX25519);
    }

    @Benchmark
    public Object p256() throws IOException {
        return agree(NamedGroup.secp256r1, peerP256);
    }

    private Object agree(int group, byte[] peer) throws IOException {
        TlsAgreement agreement = crypto.createECDomain(new TlsECConfig(group)).createECDH();
        agreement.generateEphemeral();
        agreement.receivePeerValue(peer);
        return agreement.calculateSecret();
    }

    private static AsymmetricCipherKeyPair p256KeyPair(SecureRandom random, boolean generic) {
        ECNamedDomainParameters domain = generic
                ? new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1))
                : ECNamedDomainParameters.lookup(SECObjectIdentifiers.secp256r1);
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(domain, random));
        return generator.generateKeyPair();
    }

    private static PrivateKey toJca(AsymmetricCipherKeyPair keyPair) throws IOException, GeneralSecurityException {
        byte[] pkcs8 = PrivateKeyInfoFactory.createPrivateKeyInfo(keyPair.getPrivate()).getEncoded();
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    private static byte[] selfSigned(AsymmetricCipherKeyPair keyPair, SecureRandom random) throws Exception {
        X500Name name = new X500Name("CN=bench");
        long now = System.currentTimeMillis();
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, new BigInteger(64, random), new Date(now - 86_400_000L),
                new Date(now + 86_400_000L), name, SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keyPair.getPublic()));
        AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
        AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
        return builder.build(new BcECContentSignerBuilder(signature, digest).build(keyPair.getPrivate())).getEncoded();
    }
}
