package dev.junction.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.config.MediaSettings;
import dev.junction.config.PublicPortConfig;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.PublicPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One-port mode end to end (issue 10): a JunctionServer with two media loops, TURN and the public port on, reached
 * only through that port: HTTPS from the JDK's client and from {@code openssl s_client}, the client's own address
 * reaching the HTTP API through the PROXY line, plain HTTP redirected, WHIP/WHEP over ICE-TCP with media flowing,
 * and garbage and silence closed and counted in {@code /metrics}.
 */
class OnePortTest {

    private static final DtlsCertificate PEER_CERT = DtlsCertificate.generate();
    private static final MediaSettings PEER_SOCKET = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));

    private JunctionServer server;
    private HttpClient https;
    private final List<Peer> peers = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();

    @BeforeEach
    void start() throws Exception {
        // One connection per client address, to show that the API sees each client's own address, not the splice's.
        var config = ConfigLoader.loadWithSources(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "2",
                "--spread-after", "0", "--turn", "--turn-port", "0", "--turn-tls-port", "0", "--turn-secret", "s3cret"},
                Map.of("JUNCTION_HTTP_MAX_CONNECTIONS_PER_SOURCE", "1")).config().withPublicPort(PublicPortConfig.onFreePort());
        server = JunctionServer.start(config);
        https = HttpClient.newBuilder().sslContext(trustAll()).build();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) s.close();
        for (Peer p : peers) p.plane.close();
        server.close();
        https.close();
    }

    private String base() {
        return "https://127.0.0.1:" + server.publicPort();
    }

    @Test
    void shouldServeTheApiOverHttpsAndAdvertiseThePort() throws Exception {
        HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create(base() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, health.version(), "ALPN picks HTTP/1.1, as the main port speaks");

        HttpResponse<String> options = https.send(HttpRequest.newBuilder(URI.create(base() + "/whip/one"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, options.statusCode());
        String links = String.join("\n", options.headers().allValues("Link"));
        int p = server.publicPort();
        assertTrue(links.contains("<turn:127.0.0.1:" + p + "?transport=tcp>"), links);
        assertTrue(links.contains("<turns:127.0.0.1:" + p + "?transport=tcp>"), links);
        assertTrue(links.contains("?transport=udp>"), "UDP stays advertised: " + links);

        String offer = ClientOffer.publisher(PEER_CERT.fingerprint(), new InetSocketAddress("127.0.0.1", 9), random).sdp();
        HttpResponse<String> created = https.send(HttpRequest.newBuilder(URI.create(base() + "/whip/one"))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        ServerAnswer answer = ServerAnswer.parse(created.body());
        assertTrue(answer.tcpCandidates().contains(new InetSocketAddress("127.0.0.1", p)), "a passive candidate on the public port: " + created.body());
        assertTrue(created.body().indexOf(" udp ") < created.body().indexOf(" " + p + " typ host tcptype passive"), "UDP ranks first");
    }

    @Test
    void shouldSeeEachClientsOwnAddressThroughTheSplice() throws Exception {
        // http.max-connections-per-source is 1: a second address gets in while the first holds its connection, the
        // first address's second connection does not. Behind a splice without the PROXY line all three would be
        // 127.0.0.1 and the second would already be refused.
        SSLSocket first = tlsFrom("127.0.0.2");
        assertTrue(get(first, true).startsWith("HTTP/1.1 200"));
        SSLSocket other = tlsFrom("127.0.0.3");
        assertTrue(get(other, true).startsWith("HTTP/1.1 200"));
        SSLSocket again = tlsFrom("127.0.0.2");
        String refused;
        try {
            refused = get(again, false);
        } catch (IOException e) {
            refused = "";
        }
        assertEquals("", refused, "the same address's second connection is closed");
        assertTrue(get(first, true).startsWith("HTTP/1.1 200"), "the first is still served");
    }

    @Test
    void shouldServeOpenSslsClientOverHttps() throws Exception {
        Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + server.publicPort(), "-alpn", "http/1.1",
                "-ign_eof").redirectErrorStream(true).start();
        try (OutputStream in = openssl.getOutputStream()) {
            in.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertTrue(openssl.waitFor(20, TimeUnit.SECONDS), "openssl s_client finished");
        String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(out.contains("ALPN protocol: http/1.1"), out);
        assertTrue(out.contains("HTTP/1.1 200"), out);
    }

    @Test
    void shouldRedirectPlainHttpToHttpsOnTheSamePort() throws Exception {
        Socket s = plain();
        s.getOutputStream().write(("GET /health?x=1 HTTP/1.1\r\nHost: junction.example:" + server.publicPort() + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(response.startsWith("HTTP/1.1 308"), response);
        assertTrue(response.contains("location: https://junction.example:" + server.publicPort() + "/health?x=1")
                || response.contains("Location: https://junction.example:" + server.publicPort() + "/health?x=1"), response);
    }

    @Test
    void shouldPublishAndPlayOverIceTcpThroughThePublicPortOnly() throws Exception {
        Peer publisher = join("whip", "tcp-room");
        Peer first = join("whep", "tcp-room");
        Peer second = join("whep", "tcp-room");
        PublicPort port = server.sessions().publicPort();
        assertEquals(3, port.connections(PublicPort.Protocol.ICE_TCP));
        // Subscribers are dealt over both loops (spread-after 0): connections were moved to the loop of their session.
        awaitCondition(() -> port.adopters().get(0).openConnections() > 0 && port.adopters().get(1).openConnections() > 0,
                "ICE-TCP connections on both loops");
        for (int seq = 0; seq < 30; seq++) publisher.sendVideo(seq);
        for (Peer subscriber : List.of(first, second)) {
            List<byte[]> got = new ArrayList<>();
            while (got.size() < 30) {
                byte[] rtp = subscriber.rtp.poll(10, TimeUnit.SECONDS);
                assertNotNull(rtp, "video over ICE-TCP through the public port; got " + got.size());
                got.add(rtp);
            }
        }
        String metrics = https.send(HttpRequest.newBuilder(URI.create(base() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("junction_public_port_connections_total{protocol=\"ice_tcp\"} 3"), metrics);
    }

    @Test
    void shouldCloseAndCountGarbageAndSilence() throws Exception {
        Socket garbage = plain();
        garbage.getOutputStream().write("\u0000\u0000garbage that is no protocol\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(-1, garbage.getInputStream().read());
        Socket silent = plain();
        silent.setSoTimeout(PublicPort.Limits.DEFAULT.preambleTimeoutMs() > 0 ? 20_000 : 0);
        assertEquals(-1, silent.getInputStream().read(), "closed after the preamble timeout");
        PublicPort port = server.sessions().publicPort();
        awaitCondition(() -> port.refusals(PublicPort.Refusal.UNKNOWN_PROTOCOL) == 1 && port.refusals(PublicPort.Refusal.TIMEOUT) == 1,
                "both counted");
        String metrics = https.send(HttpRequest.newBuilder(URI.create(base() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("junction_public_port_refused_total{reason=\"unknown_protocol\"} 1"), metrics);
        assertTrue(metrics.contains("junction_public_port_refused_total{reason=\"timeout\"} 1"), metrics);
    }

    // ---- harness ----------------------------------------------------------------------------------------

    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            Thread.sleep(2);
        }
    }

    private Socket plain() throws IOException {
        Socket s = new Socket("127.0.0.1", server.publicPort());
        s.setSoTimeout(10_000);
        sockets.add(s);
        return s;
    }

    /** A TLS connection to the public port from {@code localIp}, offering ALPN http/1.1 as browsers and curl do. */
    private SSLSocket tlsFrom(String localIp) throws Exception {
        SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), server.publicPort(),
                InetAddress.getByName(localIp), 0);
        sockets.add(s);
        s.setSoTimeout(10_000);
        SSLParameters parameters = s.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(parameters);
        return s;
    }

    /** GET /health on a kept-alive connection; the status line and headers, or "" when the server closed it. */
    private static String get(SSLSocket s, boolean expectAnswer) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            head.append((char) c);
            if (head.toString().endsWith("\r\n\r\n")) break;
        }
        if (c == -1) return "";
        String text = head.toString();
        int length = Integer.parseInt(text.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
        in.readNBytes(length);
        return text;
    }

    /** A client context that trusts any certificate: the server's is generated at start (or the test's own). */
    static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return context;
    }

    /** Offers over HTTPS on the public port, then reaches the server over ICE-TCP to that same port, as a browser would. */
    private Peer join(String kind, String room) throws Exception {
        Peer peer = new Peer();
        peers.add(peer);
        peer.plane = MediaPlane.start(PEER_SOCKET, i -> peer.demux);
        var local = peer.plane.sockets().get(0).localAddress();
        peer.offer = kind.equals("whip") ? ClientOffer.publisher(PEER_CERT.fingerprint(), local, random)
                : ClientOffer.subscriber(PEER_CERT.fingerprint(), local, random);
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(URI.create(base() + "/" + kind + "/" + room))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(peer.offer.sdp())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        ServerAnswer answer = ServerAnswer.parse(response.body());
        InetSocketAddress publicCandidate = new InetSocketAddress("127.0.0.1", server.publicPort());
        assertTrue(answer.tcpCandidates().contains(publicCandidate), response.body());
        var connection = peer.plane.connectTcp(0, publicCandidate, peer.demux).get(10, TimeUnit.SECONDS);
        peer.transport = WebRtcTransport.client(peer.plane.loops().get(0), peer.demux, peer.offer.ice(), answer.ice(),
                List.of(connection.path()), PEER_CERT, answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(peers.size()), peer);
        peer.transport.start();
        assertNotNull(peer.connected.get(20, TimeUnit.SECONDS));
        int expected = peers.size();
        awaitCondition(() -> server.sessions().connectedSessionCount() == expected, "the server side connected");
        return peer;
    }

    /** A client-role peer, as in WhipWhepLoopbackTest. */
    private static final class Peer implements WebRtcTransport.Listener {
        final MediaDemux demux = new MediaDemux();
        final CompletableFuture<WebRtcTransport> connected = new CompletableFuture<>();
        final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
        MediaPlane plane;
        ClientOffer offer;
        WebRtcTransport transport;

        /** A VP8-shaped packet on the offer's video SSRC. */
        void sendVideo(int seq) throws Exception {
            transport.eventLoop().submit(() -> {
                ByteBuf p = PooledByteBufAllocator.DEFAULT.heapBuffer(1200 + 16);
                p.writeByte(0x80).writeByte(ClientOffer.VP8_PT).writeShort(seq).writeInt(seq * 3000).writeInt((int) offer.videoSsrc());
                p.writeByte(0x10).writeByte(seq == 0 ? 0x00 : 0x01).writeInt(seq).writeZero(996);
                transport.sendRtp(p);
            }).get(5, TimeUnit.SECONDS);
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            connected.complete(t);
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            rtp.add(io.netty.buffer.ByteBufUtil.getBytes(packet));
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
        }
    }
}
