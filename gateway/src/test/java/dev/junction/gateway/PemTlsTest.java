package dev.junction.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunErrorCode;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import dev.junction.codec.testing.LoopbackPorts;
import dev.junction.codec.testing.PemFiles;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.config.PublicPortConfig;
import dev.junction.transport.socket.PublicPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: TLS from the operator's PEM files, and one-port mode's TLS routing, against a whole server. Two pairs
 * written by {@code openssl req}, one for {@code turn.tls-cert}/{@code turn.tls-key} and one for
 * {@code public.tls-cert}/{@code public.tls-key}, with {@code public.turn-name} {@code turn.example.com} and
 * {@code public.tls-without-alpn=https}. JDK TLS clients with SNI and ALPN set check which certificate each listener
 * presents (exactly the file's) and which service answers: TURN answers an Allocate with its 401 challenge, HTTPS
 * answers {@code GET /health} with 200. The public port's per-protocol counters agree.
 */
class PemTlsTest {

    private static final String TURN_NAME = "turn.example.com";

    @TempDir
    Path dir;

    private JunctionServer server;
    private X509Certificate turnCertificate;
    private X509Certificate publicCertificate;

    @BeforeEach
    void start() throws Exception {
        PemFiles turn = PemFiles.selfSigned(dir, "turn", "junction-turn-pem", "IP:127.0.0.1");
        PemFiles https = PemFiles.selfSigned(dir, "public", "junction-public-pem", "DNS:" + TURN_NAME + ",IP:127.0.0.1");
        turnCertificate = certificate(turn.certificate());
        publicCertificate = certificate(https.certificate());
        JunctionConfig config = ConfigLoader.loadWithSources(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "1",
                "--turn", "--turn-port", "0", "--turn-tls-port", Integer.toString(LoopbackPorts.tcp(1)[0]), "--turn-secret", "s3cret",
                "--turn-tls-cert", turn.certificate().toString(), "--turn-tls-key", turn.key().toString(),
                "--public-tls-cert", https.certificate().toString(), "--public-tls-key", https.key().toString(),
                "--public-turn-name", TURN_NAME}, Map.of("JUNCTION_PUBLIC_TLS_WITHOUT_ALPN", "https")).config();
        PublicPortConfig p = config.publicPort();
        assertEquals(https.certificate().toString(), p.tlsCertFile());
        assertEquals(TURN_NAME, p.turnName());
        assertTrue(!p.noAlpnToTurn(), "public.tls-without-alpn=https");
        // The same settings on a free port (tests cannot have 443).
        server = JunctionServer.start(config.withPublicPort(new PublicPortConfig(-1, p.tlsCertFile(), p.tlsKeyFile(), p.turnName(), p.noAlpnToTurn())));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void shouldPresentTheTurnTlsCertificateFromItsFiles() throws Exception {
        try (SSLSocket s = tls(new InetSocketAddress("127.0.0.1", server.sessions().turn().tlsAddress().getPort()), null)) {
            assertEquals(turnCertificate, s.getSession().getPeerCertificates()[0]);
            assertTurnAnswers(s);
        }
    }

    @Test
    void shouldRouteTheTurnNameToTurnWhateverTheAlpn() throws Exception {
        try (SSLSocket s = tls(publicAddress(), TURN_NAME, "h2", "http/1.1")) {
            assertEquals(publicCertificate, s.getSession().getPeerCertificates()[0]);
            assertEquals("", s.getApplicationProtocol(), "TURN selects no browser protocol");
            assertTurnAnswers(s);
        }
        try (SSLSocket s = tls(publicAddress(), TURN_NAME)) {
            assertTurnAnswers(s); // and without ALPN: the name decides before public.tls-without-alpn is asked
        }
        assertEquals(2, server.sessions().publicPort().connections(PublicPort.Protocol.TURN_TLS));
        assertEquals(0, server.sessions().publicPort().connections(PublicPort.Protocol.HTTPS));
    }

    @Test
    void shouldRouteOtherNamesAndNoAlpnToHttpsWithThePublicCertificate() throws Exception {
        try (SSLSocket s = tls(publicAddress(), "www.example.com", "http/1.1")) {
            assertEquals(publicCertificate, s.getSession().getPeerCertificates()[0]);
            assertHttpsAnswers(s);
        }
        try (SSLSocket s = tls(publicAddress(), null)) { // an IP literal: no SNI; no ALPN
            assertEquals(publicCertificate, s.getSession().getPeerCertificates()[0]);
            assertHttpsAnswers(s);
        }
        try (SSLSocket s = tls(publicAddress(), null, PublicPort.ALPN_TURN)) { // RFC 7443 ALPN still means TURN
            assertTurnAnswers(s);
        }
        assertEquals(2, server.sessions().publicPort().connections(PublicPort.Protocol.HTTPS));
        assertEquals(1, server.sessions().publicPort().connections(PublicPort.Protocol.TURN_TLS));
    }

    private InetSocketAddress publicAddress() {
        return new InetSocketAddress("127.0.0.1", server.publicPort());
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** A handshaken TLS connection with {@code serverName} as SNI (none when null) and {@code alpn} offered (none when empty). */
    private static SSLSocket tls(InetSocketAddress address, String serverName, String... alpn) throws Exception {
        SSLSocket s = (SSLSocket) OnePortTest.trustAll().getSocketFactory().createSocket(address.getAddress(), address.getPort());
        s.setSoTimeout(10_000);
        SSLParameters parameters = s.getSSLParameters();
        parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        parameters.setApplicationProtocols(alpn);
        s.setSSLParameters(parameters);
        s.startHandshake();
        return s;
    }

    /** An Allocate without credentials gets TURN's 401 with REALM and NONCE (RFC 8656 §7.2). */
    private static void assertTurnAnswers(SSLSocket s) throws IOException {
        byte[] id = new byte[12];
        new SecureRandom().nextBytes(id);
        ByteBuf request = Unpooled.buffer();
        new StunWriter().begin(request, StunMessageType.ALLOCATE_REQUEST, id).requestedTransport(17).fingerprint().finish();
        OutputStream out = s.getOutputStream();
        out.write(request.array(), request.arrayOffset() + request.readerIndex(), request.readableBytes());
        out.flush();
        request.release();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] header = new byte[20];
        in.readFully(header);
        byte[] response = new byte[20 + ((header[2] & 0xFF) << 8 | (header[3] & 0xFF))];
        System.arraycopy(header, 0, response, 0, 20);
        in.readFully(response, 20, response.length - 20);
        ByteBuf buf = Unpooled.wrappedBuffer(response);
        try {
            StunMessage message = new StunMessage();
            assertEquals(StunParseResult.OK, message.wrap(buf, 0, response.length));
            assertEquals(StunMessageType.ALLOCATE_ERROR_RESPONSE, message.messageType());
            assertTrue(message.transactionIdEquals(id));
            assertEquals(StunErrorCode.UNAUTHENTICATED, message.errorCode());
            assertTrue(message.realm() != null && message.nonce() != null);
        } finally {
            buf.release();
        }
    }

    /** {@code GET /health} is answered by the HTTP API. */
    private static void assertHttpsAnswers(SSLSocket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
}
