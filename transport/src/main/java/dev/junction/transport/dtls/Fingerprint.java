package dev.junction.transport.dtls;

import dev.junction.codec.sdp.SdpAttribute;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA224Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/**
 * A certificate fingerprint as carried by SDP {@code a=fingerprint} (RFC 8122 §5):
 * <pre>
 * fingerprint-attribute  =  "fingerprint" ":" hash-func SP fingerprint
 * hash-func              =  "sha-1" / "sha-224" / "sha-256" / "sha-384" / "sha-512" / ...
 * fingerprint            =  2UHEX *(":" 2UHEX)
 * </pre>
 * The hash is computed over the DER form of the certificate the peer presents in DTLS.
 *
 * <p>Immutable and thread-safe (the byte array is copied in and out). MD5 and MD2 (also in the RFC's
 * grammar) are refused: RFC 8122 §5 forbids them for new fingerprints.
 *
 * @param algorithm the hash function token, lower case ({@code "sha-256"})
 * @param value     the digest bytes
 */
public record Fingerprint(String algorithm, byte[] value) {

    /** Hash functions from strongest to weakest: RFC 8122 §5 verifies against the peer's most preferred one we support. */
    private static final List<String> BY_STRENGTH = List.of("sha-512", "sha-384", "sha-256", "sha-224", "sha-1");

    public Fingerprint {
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        int length = digestLength(algorithm);
        if (length < 0) throw new IllegalArgumentException("unsupported fingerprint hash function " + algorithm);
        if (value.length != length) {
            throw new IllegalArgumentException(algorithm + " fingerprint must be " + length + " bytes, got " + value.length);
        }
        value = value.clone();
    }

    /**
     * Parses the value of an {@code a=fingerprint} attribute ({@code "sha-256 AB:CD:..."}) with codec's SDP
     * grammar. Hash-function tokens and hex digits are accepted in either case. Empty for anything
     * malformed or unsupported (MD5, MD2, unknown functions, wrong digest length).
     */
    public static Optional<Fingerprint> parse(CharSequence attributeValue) {
        if (attributeValue == null) return Optional.empty();
        return SdpAttribute.Fingerprint.parse(attributeValue.toString()).flatMap(Fingerprint::fromSdp);
    }

    /**
     * The DTLS identity an SDP {@code a=fingerprint} names, or empty when its hash function is one this
     * endpoint cannot check (MD5, MD2, unknown) or its length is wrong for it.
     */
    public static Optional<Fingerprint> fromSdp(SdpAttribute.Fingerprint sdp) {
        String algorithm = sdp.algorithm();
        byte[] bytes = sdp.bytes();
        if (digestLength(algorithm) != bytes.length) return Optional.empty();
        return Optional.of(new Fingerprint(algorithm, bytes));
    }

    /** This identity as the SDP attribute model's value, e.g. for {@code AnswerParameters}. */
    public SdpAttribute.Fingerprint toSdpAttribute() {
        return new SdpAttribute.Fingerprint(algorithm, value);
    }

    /** The {@code algorithm} fingerprint of a DER-encoded certificate. */
    public static Fingerprint of(String algorithm, byte[] derCertificate) {
        String name = algorithm.toLowerCase(Locale.ROOT);
        Digest digest = newDigest(name);
        if (digest == null) throw new IllegalArgumentException("unsupported fingerprint hash function " + algorithm);
        digest.update(derCertificate, 0, derCertificate.length);
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return new Fingerprint(name, out);
    }

    /** Whether this is the fingerprint of {@code derCertificate} (constant-time comparison). */
    public boolean matches(byte[] derCertificate) {
        return MessageDigest.isEqual(value, of(algorithm, derCertificate).value);
    }

    /**
     * The fingerprint among {@code expected} that {@code derCertificate} matches, checking only those of the
     * strongest hash function present (RFC 8122 §5), or empty if none does.
     */
    public static Optional<Fingerprint> matchAny(List<Fingerprint> expected, byte[] derCertificate) {
        for (String algorithm : BY_STRENGTH) {
            boolean offered = false;
            for (Fingerprint candidate : expected) {
                if (!candidate.algorithm.equals(algorithm)) continue;
                offered = true;
                if (candidate.matches(derCertificate)) return Optional.of(candidate);
            }
            if (offered) return Optional.empty();
        }
        return Optional.empty();
    }

    /** The SDP attribute value, {@code "sha-256 AB:CD:..."}, upper-case hex as RFC 8122 writes it. */
    public String toSdp() {
        return algorithm + " " + hex();
    }

    /** The digest as colon-separated upper-case hex pairs. */
    public String hex() {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(value);
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Fingerprint that && algorithm.equals(that.algorithm) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return toSdp();
    }

    private static int digestLength(String algorithm) {
        return switch (algorithm) {
            case "sha-1" -> 20;
            case "sha-224" -> 28;
            case "sha-256" -> 32;
            case "sha-384" -> 48;
            case "sha-512" -> 64;
            default -> -1;
        };
    }

    private static Digest newDigest(String algorithm) {
        return switch (algorithm) {
            case "sha-1" -> new SHA1Digest();
            case "sha-224" -> new SHA224Digest();
            case "sha-256" -> new SHA256Digest();
            case "sha-384" -> new SHA384Digest();
            case "sha-512" -> new SHA512Digest();
            default -> null;
        };
    }
}
