package dev.junction.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FingerprintTest {

    // The a=fingerprint value of a real Firefox ESR 153 publisher offer (firefox-publisher-opus.sdp).
    private static final String SHA256 =
            "sha-256 AA:02:03:D2:6F:52:A5:39:06:67:6E:5D:1E:07:5E:B9:C8:98:30:20:9C:49:EF:80:2F:45:CC:32:AC:38:18:75";

    @Test
    void shouldParseAndWriteBackAnSdpFingerprint() {
        Fingerprint parsed = Fingerprint.parse(SHA256).orElseThrow();
        assertEquals("sha-256", parsed.algorithm());
        assertEquals(32, parsed.value().length);
        assertEquals(0xAA, parsed.value()[0] & 0xFF);
        assertEquals(0x75, parsed.value()[31] & 0xFF);
        assertEquals(SHA256, parsed.toSdp());
    }

    @Test
    void shouldAcceptEitherCaseForTokenAndHex() {
        assertEquals(Fingerprint.parse(SHA256), Fingerprint.parse(SHA256.toUpperCase()));
        assertEquals(Fingerprint.parse(SHA256), Fingerprint.parse(SHA256.toLowerCase()));
        assertEquals(Fingerprint.parse(SHA256), Fingerprint.parse("  " + SHA256 + "\r\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "sha-256",
        "sha-256 ",
        " 6C:7E",
        "sha-256 6C:7E:9A", // too short
        "sha-256 6C:7E:9A:0C:37:4C:D8:2B:10:3B:E6:5B:8B:27:2F:27:71:8C:D5:FA:D8:37:26:79:E9:2C:26:A7:95:2E:4D:64:00", // too long
        "sha-256 6C-7E-9A-0C-37-4C-D8-2B-10-3B-E6-5B-8B-27-2F-27-71-8C-D5-FA-D8-37-26-79-E9-2C-26-A7-95-2E-4D-64", // wrong separator
        "sha-256 6C:7E:9A:0C:37:4C:D8:2B:10:3B:E6:5B:8B:27:2F:27:71:8C:D5:FA:D8:37:26:79:E9:2C:26:A7:95:2E:4D:6G", // not hex
        "sha-256 6C7E9A0C374CD82B103BE65B8B272F27718CD5FAD8372679E92C26A7952E4D64::::::::::::::::::::::::::::::::", // misplaced
        "md5 6C:7E:9A:0C:37:4C:D8:2B:10:3B:E6:5B:8B:27:2F:27", // forbidden by RFC 8122
        "sha-3 6C:7E:9A:0C:37:4C:D8:2B:10:3B:E6:5B:8B:27:2F:27:71:8C:D5:FA", // unknown
    })
    void shouldRefuseMalformedFingerprints(String value) {
        assertEquals(Optional.empty(), Fingerprint.parse(value));
    }

    @Test
    void shouldMatchTheCertificateItWasComputedFrom() {
        DtlsCertificate certificate = DtlsCertificate.generate();
        byte[] der = certificate.derEncoded();
        for (String algorithm : List.of("sha-1", "sha-224", "sha-256", "sha-384", "sha-512")) {
            Fingerprint fingerprint = Fingerprint.of(algorithm, der);
            assertTrue(fingerprint.matches(der), algorithm);
            assertEquals(Optional.of(fingerprint), Fingerprint.parse(fingerprint.toSdp()));
        }
        assertFalse(DtlsCertificate.generate().fingerprint().matches(der));
    }

    @Test
    void shouldCheckOnlyTheStrongestHashFunctionOffered() {
        byte[] der = DtlsCertificate.generate().derEncoded();
        byte[] other = DtlsCertificate.generate().derEncoded();
        Fingerprint weakMatch = Fingerprint.of("sha-1", der);
        Fingerprint strongMismatch = Fingerprint.of("sha-256", other);
        Fingerprint strongMatch = Fingerprint.of("sha-256", der);
        // RFC 8122 §5: with sha-256 offered, a sha-1 match does not count.
        assertEquals(Optional.empty(), Fingerprint.matchAny(List.of(weakMatch, strongMismatch), der));
        assertEquals(Optional.of(strongMatch), Fingerprint.matchAny(List.of(weakMatch, strongMismatch, strongMatch), der));
        assertEquals(Optional.of(weakMatch), Fingerprint.matchAny(List.of(weakMatch), der));
        assertEquals(Optional.empty(), Fingerprint.matchAny(List.of(), der));
    }

    @Test
    void shouldDescribeOurCertificateInSdpForm() {
        DtlsCertificate certificate = DtlsCertificate.generate();
        String sdp = certificate.sdpFingerprint();
        assertTrue(sdp.matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"), sdp);
        assertArrayEquals(Fingerprint.of("sha-256", certificate.derEncoded()).value(), Fingerprint.parse(sdp).orElseThrow().value());
        assertTrue(certificate.pem().startsWith("-----BEGIN CERTIFICATE-----\n"));
    }
}
