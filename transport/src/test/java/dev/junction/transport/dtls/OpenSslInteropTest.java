package dev.junction.transport.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.transport.srtp.SrtpProfile;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our DTLS-SRTP endpoints against a peer nobody here wrote: OpenSSL 3's {@code s_server} and
 * {@code s_client} over real UDP on 127.0.0.1. Each profile is negotiated in both roles, and the SRTP
 * keying material OpenSSL exports ({@code -keymatexport EXTRACTOR-dtls_srtp}) must equal ours byte for
 * byte. Fails, never skips, when {@code openssl} is missing.
 */
class OpenSslInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern KEYING_MATERIAL = Pattern.compile("Keying material: ([0-9A-F]+)");
    private static final DtlsCertificate OURS = DtlsCertificate.generate();
    private static final DtlsSettings SETTINGS = DtlsSettings.DEFAULT.withHandshakeTimeoutMs(15_000);

    @TempDir
    static Path directory;
    private static Path peerCertificate;
    private static Path peerKey;
    private static Fingerprint peerFingerprint;

    @BeforeAll
    static void createOpenSslIdentity() throws Exception {
        assertTrue(OpenSslProcess.run("version").startsWith("OpenSSL 3"), "OpenSSL 3 is required");
        peerCertificate = directory.resolve("peer.pem");
        peerKey = directory.resolve("peer.key");
        OpenSslProcess.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", peerKey.toString(), "-out", peerCertificate.toString(), "-days", "2", "-subj", "/CN=openssl-peer");
        // OpenSSL's own fingerprint of its certificate, "sha256 Fingerprint=AB:CD:...", checked by our side.
        String printed = OpenSslProcess.run("x509", "-noout", "-fingerprint", "-sha256", "-in", peerCertificate.toString());
        peerFingerprint = Fingerprint.parse("sha-256 " + printed.substring(printed.indexOf('=') + 1).strip()).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void ourServerShouldExportTheSameKeysAsOpenSslClient(SrtpProfile profile) throws Exception {
        RecordingListener events = new RecordingListener();
        try (UdpPump pump = new UdpPump(null)) {
            DtlsEndpoint server = DtlsEndpoint.server(OURS, List.of(peerFingerprint), SETTINGS, PooledByteBufAllocator.DEFAULT, pump, events);
            pump.attach(server);
            server.start();
            try (OpenSslProcess client = OpenSslProcess.start(sClient(pump.localPort(), profile.openSslName(), profile), Map.of())) {
                DtlsResult result = events.awaitConnected();
                assertEquals(profile, result.profile());
                assertEquals(peerFingerprint, result.remoteFingerprint());
                assertEquals(client.await(KEYING_MATERIAL, WAIT), HexFormat.of().withUpperCase().formatHex(result.keyingMaterial()));
                client.await(Pattern.compile("SRTP Extension negotiated, profile=" + profile.openSslName()), WAIT);
                client.await(Pattern.compile("Extended master secret: yes"), WAIT);

                // EOF on stdin: s_client sends close_notify, which our post-handshake read loop must see.
                client.closeStdin();
                RecordingListener.Closed closed = events.awaitClosed();
                assertEquals(DtlsCloseReason.CLOSE_NOTIFY, closed.reason(), closed.detail());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void ourClientShouldExportTheSameKeysAsOpenSslServer(SrtpProfile profile) throws Exception {
        int port = UdpPump.freePort();
        try (OpenSslProcess server = OpenSslProcess.start(List.of("s_server", "-dtls1_2",
                "-accept", "127.0.0.1:" + port, "-cert", peerCertificate.toString(), "-key", peerKey.toString(),
                "-verify", "1", "-use_srtp", profile.openSslName(), "-naccept", "1",
                "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", String.valueOf(profile.keyingMaterialLength())), Map.of())) {
            server.await(Pattern.compile("ACCEPT"), WAIT);
            RecordingListener events = new RecordingListener();
            try (UdpPump pump = new UdpPump(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                DtlsEndpoint client = DtlsEndpoint.client(OURS, List.of(peerFingerprint), SETTINGS, PooledByteBufAllocator.DEFAULT, pump, events);
                pump.attach(client);
                client.start();
                DtlsResult result = events.awaitConnected();
                assertEquals(profile, result.profile());
                assertEquals(DtlsRole.CLIENT, result.localRole());
                assertEquals(server.await(KEYING_MATERIAL, WAIT), HexFormat.of().withUpperCase().formatHex(result.keyingMaterial()));
                server.await(Pattern.compile("SRTP Extension negotiated, profile=" + profile.openSslName()), WAIT);
                // OpenSSL saw our certificate (it was asked for one with -verify).
                server.await(Pattern.compile("Client certificate"), WAIT);

                client.close();
                assertEquals(DtlsCloseReason.LOCAL_CLOSE, events.awaitClosed().reason());
                server.await(Pattern.compile("CONNECTION CLOSED"), WAIT);
            }
        }
    }

    @Test
    void ourServerShouldChooseByItsOwnPreferenceWhenOpenSslOffersEverything() throws Exception {
        RecordingListener events = new RecordingListener();
        try (UdpPump pump = new UdpPump(null)) {
            DtlsEndpoint server = DtlsEndpoint.server(OURS, List.of(peerFingerprint), SETTINGS, PooledByteBufAllocator.DEFAULT, pump, events);
            pump.attach(server);
            server.start();
            String offer = "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM"; // GCM-256 offered last
            try (OpenSslProcess client = OpenSslProcess.start(sClient(pump.localPort(), offer, SrtpProfile.AEAD_AES_256_GCM), Map.of())) {
                assertEquals(SrtpProfile.AEAD_AES_256_GCM, events.awaitConnected().profile());
                client.await(Pattern.compile("SRTP Extension negotiated, profile=SRTP_AEAD_AES_256_GCM"), WAIT);
                server.close();
                assertEquals(DtlsCloseReason.LOCAL_CLOSE, events.awaitClosed().reason());
            }
        }
    }

    @Test
    void ourServerShouldRejectAnOpenSslClientWhoseCertificateIsNotTheOffered() throws Exception {
        Fingerprint someoneElse = DtlsCertificate.generate().fingerprint();
        RecordingListener events = new RecordingListener();
        try (UdpPump pump = new UdpPump(null)) {
            DtlsEndpoint server = DtlsEndpoint.server(OURS, List.of(someoneElse), SETTINGS, PooledByteBufAllocator.DEFAULT, pump, events);
            pump.attach(server);
            server.start();
            try (OpenSslProcess client = OpenSslProcess.start(sClient(pump.localPort(), "SRTP_AEAD_AES_128_GCM", SrtpProfile.AEAD_AES_128_GCM), Map.of())) {
                RecordingListener.Closed closed = events.awaitClosed();
                assertEquals(DtlsCloseReason.FINGERPRINT_MISMATCH, closed.reason());
                assertTrue(closed.detail().contains(peerFingerprint.hex()), closed.detail());
                client.await(Pattern.compile("alert bad certificate"), WAIT);
            }
        }
    }

    @Test
    void ourServerShouldRejectAnOpenSslClientWithoutExtendedMasterSecret() throws Exception {
        Path config = directory.resolve("no-ems.cnf");
        Files.writeString(config, """
                openssl_conf = openssl_init
                [openssl_init]
                ssl_conf = ssl_section
                [ssl_section]
                system_default = no_ems
                [no_ems]
                Options = -ExtendedMasterSecret
                """);
        RecordingListener events = new RecordingListener();
        try (UdpPump pump = new UdpPump(null)) {
            DtlsEndpoint server = DtlsEndpoint.server(OURS, List.of(peerFingerprint), SETTINGS, PooledByteBufAllocator.DEFAULT, pump, events);
            pump.attach(server);
            server.start();
            try (OpenSslProcess client = OpenSslProcess.start(sClient(pump.localPort(), "SRTP_AEAD_AES_128_GCM", SrtpProfile.AEAD_AES_128_GCM),
                    Map.of("OPENSSL_CONF", config.toString()))) {
                RecordingListener.Closed closed = events.awaitClosed();
                assertEquals(DtlsCloseReason.PROTOCOL_ERROR, closed.reason(), closed.detail());
                assertTrue(closed.detail().contains("handshake_failure"), closed.detail());
                client.await(Pattern.compile("alert handshake failure"), WAIT);
            }
        }
    }

    private static List<String> sClient(int port, String profiles, SrtpProfile exportFor) {
        return new ArrayList<>(List.of("s_client", "-dtls1_2", "-connect", "127.0.0.1:" + port,
                "-cert", peerCertificate.toString(), "-key", peerKey.toString(), "-use_srtp", profiles,
                "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", String.valueOf(exportFor.keyingMaterialLength())));
    }
}
