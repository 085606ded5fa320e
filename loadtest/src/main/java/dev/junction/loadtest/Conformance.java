package dev.junction.loadtest;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./junction conformance --target URL}: RFC 9725 (WHIP) and WHEP's rules checked against any server, as a
 * client would meet them: the POST and its 201, 405 and 415, bad SDP, CORS preflight, PATCH's preconditions
 * (428, 412), a trickle (204) and an ICE restart (200 with a new ETag), a full media check with the client-role
 * WebRTC stack (a publisher's packets reach a subscriber), and DELETE (200, then 404). {@code Link} headers are
 * reported. Everything server-specific is a flag (paths, token), so it runs against other servers too.
 *
 * <p>A table on stderr, one JSON line on stdout. Exit status: 0 nothing failed, 1 something failed, 2 bad options.
 */
public final class Conformance {

    /** The outcome of one check: PASS and FAIL are verdicts; INFO is reported only (optional features). */
    enum Verdict { PASS, FAIL, INFO }

    record Check(String name, Verdict verdict, String detail, String reference) {
    }

    record Options(URI target, String room, String whipPath, String whepPath, String token, boolean media) {

        static final String USAGE = """
                usage: ./junction conformance --target URL [options]
                  --target URL     base URL of the WHIP/WHEP server, e.g. http://127.0.0.1:8080 (required)
                  --room R         room name in the paths (default: conformance-<random>)
                  --whip-path P    WHIP endpoint path template (default /whip/{room})
                  --whep-path P    WHEP endpoint path template (default /whep/{room})
                  --token T        bearer token for the endpoints
                  --media on|off   the media check with real WebRTC peers (default on)
                A pass/fail table on stderr, one JSON line on stdout; exit 0 all passed, 1 something failed, 2 bad options.""";

        static Options parse(String[] args) {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("--target", null);
            v.put("--room", "conformance-" + Long.toHexString(new SecureRandom().nextLong() & 0xFFFFFFFFL));
            v.put("--whip-path", "/whip/{room}");
            v.put("--whep-path", "/whep/{room}");
            v.put("--token", "");
            v.put("--media", "on");
            ToolSupport.readFlags(v, args);
            URI target = LoadOptions.target(v.get("--target"));
            for (String p : List.of("--whip-path", "--whep-path")) {
                if (!v.get(p).startsWith("/")) throw new IllegalArgumentException(p + ": must start with /");
            }
            String media = v.get("--media");
            if (!media.equals("on") && !media.equals("off")) throw new IllegalArgumentException("--media: expected on or off, got '" + media + "'");
            return new Options(target, v.get("--room"), v.get("--whip-path"), v.get("--whep-path"), v.get("--token"), media.equals("on"));
        }

        URI whip() {
            return target.resolve(whipPath.replace("{room}", room));
        }

        URI whep() {
            return target.resolve(whepPath.replace("{room}", room));
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final int MEDIA_PACKETS = 20;
    private static final long MEDIA_WITHIN_S = 20;

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    private final SecureRandom random = new SecureRandom();
    private final DtlsCertificate certificate = DtlsCertificate.generate();
    private final List<Check> checks = new ArrayList<>();

    Conformance(Options options) {
        this.options = options;
    }

    public static void main(String[] args) {
        Options options = ToolSupport.optionsOrExit("conformance", Options.USAGE, args, Options::parse);
        List<Check> checks = new Conformance(options).run();
        printTable(checks, System.err);
        System.out.println(json(options, checks).encode());
        System.exit(checks.stream().anyMatch(c -> c.verdict() == Verdict.FAIL) ? 1 : 0);
    }

    /** Runs every check in order and returns them; never throws for what the server does. */
    List<Check> run() {
        MediaPlane plane = MediaPlane.start(new MediaSettings("0.0.0.0", 0, 1, List.of("127.0.0.1")), i -> (s, c, from, now) -> { });
        try {
            runChecks(plane);
        } catch (Exception e) {
            add("unexpected", Verdict.FAIL, e.getClass().getSimpleName() + ": " + e.getMessage(), "");
        } finally {
            plane.close();
            http.close();
        }
        return List.copyOf(checks);
    }

    private void runChecks(MediaPlane plane) throws Exception {
        Peer publisher = new Peer(plane, true);
        HttpResponse<String> created = post(options.whip(), "application/sdp", publisher.offer.sdp());
        String location = created.headers().firstValue("Location").orElse(null);
        String etag = created.headers().firstValue("ETag").orElse(null);
        String type = created.headers().firstValue("Content-Type").orElse("");
        ServerAnswer answer = null;
        String answerProblem = null;
        try {
            answer = ServerAnswer.parse(created.body());
        } catch (IllegalArgumentException e) {
            answerProblem = e.getMessage();
        }
        boolean postOk = created.statusCode() == 201 && location != null && type.toLowerCase(Locale.ROOT).startsWith("application/sdp") && answer != null;
        add("whip-post", postOk ? Verdict.PASS : Verdict.FAIL, "POST " + options.whip().getPath() + ": " + created.statusCode()
                + ", Location " + location + ", Content-Type " + type + (answerProblem == null ? "" : ", answer: " + answerProblem), "RFC 9725 §4.2");
        if (!postOk) {
            add("whip-post-body", Verdict.INFO, oneLine(created.body()), "");
            return;
        }
        URI session = options.whip().resolve(location);
        add("etag", etag != null ? Verdict.PASS : Verdict.INFO, etag != null ? "ETag " + etag : "no ETag: ICE restarts cannot be conditional",
                "RFC 9725 §4.3");
        List<String> links = created.headers().allValues("Link").stream().filter(l -> l.contains("ice-server")).toList();
        add("link-ice-server", Verdict.INFO, links.isEmpty() ? "no Link rel=\"ice-server\" headers (STUN/TURN servers not offered)"
                : links.size() + " Link rel=\"ice-server\": " + String.join("; ", links), "RFC 9725, ICE server configuration");

        for (String method : List.of("GET", "PUT")) {
            int status = send(HttpRequest.newBuilder(options.whip()).method(method, method.equals("PUT")
                    ? HttpRequest.BodyPublishers.ofString("x") : HttpRequest.BodyPublishers.noBody())).statusCode();
            add(method.toLowerCase(Locale.ROOT) + "-endpoint", status == 405 ? Verdict.PASS : Verdict.FAIL, method + " on the endpoint: " + status
                    + " (expected 405)", "RFC 9725");
        }
        HttpResponse<String> wrongType = post(options.whip(), "text/plain", publisher.offer.sdp());
        add("wrong-content-type", wrongType.statusCode() == 415 ? Verdict.PASS : Verdict.FAIL,
                "POST with text/plain: " + wrongType.statusCode() + " (expected 415)", "RFC 9725");
        HttpResponse<String> bad = post(options.whip(), "application/sdp", "v=0\r\nthis is not an offer\r\n");
        add("bad-sdp", bad.statusCode() == 400 ? Verdict.PASS : Verdict.FAIL, "an unparseable offer: " + bad.statusCode()
                + " (expected 400) " + oneLine(bad.body()), "RFC 9725");
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(options.whip()).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://example.org").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,authorization"));
        String allowOrigin = preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null);
        boolean corsOk = preflight.statusCode() / 100 == 2 && allowOrigin != null;
        add("cors-preflight", corsOk ? Verdict.PASS : Verdict.FAIL, "OPTIONS preflight: " + preflight.statusCode()
                + ", Access-Control-Allow-Origin " + allowOrigin, "Fetch CORS");

        if (options.media()) mediaCheck(plane, publisher, answer);

        String fragment = "a=ice-ufrag:" + publisher.offer.ice().ufrag() + "\r\na=ice-pwd:" + publisher.offer.ice().pwd() + "\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF " + ClientOffer.OPUS_PT + "\r\na=mid:0\r\n"
                + "a=candidate:1 1 udp 2130706431 127.0.0.1 9 typ host\r\na=end-of-candidates\r\n";
        int noIfMatch = patch(session, null, fragment).statusCode();
        add("patch-without-if-match", noIfMatch == 428 ? Verdict.PASS : noIfMatch == 405 || noIfMatch == 501 ? Verdict.INFO : Verdict.FAIL,
                "PATCH without If-Match: " + noIfMatch + " (expected 428; 405/501: PATCH not supported)", "RFC 9725 §4.3");
        int wrongEtag = patch(session, "\"not-the-etag\"", fragment).statusCode();
        add("patch-wrong-etag", wrongEtag == 412 ? Verdict.PASS : wrongEtag == 405 || wrongEtag == 501 ? Verdict.INFO : Verdict.FAIL,
                "PATCH with a wrong If-Match: " + wrongEtag + " (expected 412)", "RFC 9725 §4.3");
        if (etag != null) {
            int trickle = patch(session, etag, fragment).statusCode();
            add("trickle", trickle == 204 ? Verdict.PASS : trickle == 405 || trickle == 501 ? Verdict.INFO : Verdict.FAIL,
                    "a trickle fragment with the session's credentials: " + trickle + " (expected 204; 405/501: no trickle)", "RFC 9725 §4.3, RFC 8840");
            IceCredentials fresh = IceCredentials.generate(random);
            String restartFragment = "a=ice-ufrag:" + fresh.ufrag() + "\r\na=ice-pwd:" + fresh.pwd() + "\r\n"
                    + "m=audio 9 UDP/TLS/RTP/SAVPF " + ClientOffer.OPUS_PT + "\r\na=mid:0\r\n";
            HttpResponse<String> restart = patch(session, "*", restartFragment);
            String newEtag = restart.headers().firstValue("ETag").orElse(null);
            boolean restartOk = restart.statusCode() == 200 && newEtag != null && !newEtag.equals(etag)
                    && restart.headers().firstValue("Content-Type").orElse("").startsWith("application/trickle-ice-sdpfrag")
                    && restart.body().contains("a=ice-ufrag:");
            add("ice-restart", restartOk ? Verdict.PASS : restart.statusCode() == 405 || restart.statusCode() == 501 ? Verdict.INFO : Verdict.FAIL,
                    "ICE restart (new credentials, If-Match: *): " + restart.statusCode() + ", ETag " + newEtag
                            + " (expected 200, a new ETag and an answer fragment)", "RFC 9725 §4.3.2");
        }
        int deleted = send(HttpRequest.newBuilder(session).DELETE()).statusCode();
        add("delete", deleted == 200 ? Verdict.PASS : Verdict.FAIL, "DELETE the session: " + deleted + " (expected 200)", "RFC 9725");
        int again = send(HttpRequest.newBuilder(session).DELETE()).statusCode();
        add("delete-again", again == 404 ? Verdict.PASS : Verdict.FAIL, "DELETE it again: " + again + " (expected 404)", "RFC 9725");
    }

    /** A publisher and a subscriber with the client-role stack: ICE, DTLS and SRTP, then packets from one to the other. */
    private void mediaCheck(MediaPlane plane, Peer publisher, ServerAnswer answer) throws Exception {
        Peer subscriber = new Peer(plane, false);
        HttpResponse<String> watched = post(options.whep(), "application/sdp", subscriber.offer.sdp());
        String location = watched.headers().firstValue("Location").orElse(null);
        if (watched.statusCode() != 201 || location == null) {
            add("whep-post", Verdict.FAIL, "POST " + options.whep().getPath() + ": " + watched.statusCode() + " " + oneLine(watched.body()), "WHEP");
            return;
        }
        add("whep-post", Verdict.PASS, "POST " + options.whep().getPath() + ": 201, Location " + location, "WHEP");
        URI subscriberSession = options.whep().resolve(location);
        try {
            ServerAnswer subscriberAnswer = ServerAnswer.parse(watched.body());
            boolean up = publisher.connect(answer) && subscriber.connect(subscriberAnswer);
            if (!up) {
                add("media", Verdict.FAIL, "ICE/DTLS did not complete within " + MEDIA_WITHIN_S + " s: publisher " + publisher.state()
                        + ", subscriber " + subscriber.state(), "RFC 8445, RFC 5764");
                return;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MEDIA_WITHIN_S);
            for (int seq = 0; subscriber.received.get() < MEDIA_PACKETS && System.nanoTime() - deadline < 0; seq++) {
                publisher.sendVideo(seq);
                Thread.sleep(20); // a 50 packets/s stream, as a camera's; the loop exits on the packets received
            }
            int got = subscriber.received.get();
            add("media", got >= MEDIA_PACKETS ? Verdict.PASS : Verdict.FAIL, "ICE, DTLS-SRTP, and " + got + " publisher packets received by the"
                    + " subscriber (expected " + MEDIA_PACKETS + ")", "RFC 8445, RFC 5764, WHEP");
        } catch (IllegalArgumentException e) {
            add("media", Verdict.FAIL, "the WHEP answer: " + e.getMessage(), "WHEP");
        } finally {
            send(HttpRequest.newBuilder(subscriberSession).DELETE());
            subscriber.close();
        }
    }

    /** One client-role peer on the checker's plane. */
    private final class Peer implements WebRtcTransport.Listener {
        final MediaDemux demux = new MediaDemux();
        final MediaSocket socket;
        final ClientOffer offer;
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        final AtomicInteger received = new AtomicInteger();
        WebRtcTransport transport;

        Peer(MediaPlane plane, boolean publisher) {
            socket = plane.open(0, new InetSocketAddress("0.0.0.0", 0), demux);
            InetSocketAddress local = new InetSocketAddress("127.0.0.1", socket.localAddress().getPort());
            offer = publisher ? ClientOffer.publisher(certificate.fingerprint(), local, random)
                    : ClientOffer.subscriber(certificate.fingerprint(), local, random);
        }

        boolean connect(ServerAnswer answer) throws InterruptedException {
            transport = WebRtcTransport.client(socket, demux, offer.ice(), answer.ice(), answer.candidates(),
                    answer.dtlsRole(), certificate, answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(random.nextLong()), this);
            transport.start();
            try {
                connected.get(MEDIA_WITHIN_S, TimeUnit.SECONDS);
                return true;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return false;
            }
        }

        String state() {
            return transport == null ? "not started" : transport.state().toString();
        }

        void sendVideo(int seq) {
            transport.eventLoop().execute(() -> {
                ByteBuf p = PooledByteBufAllocator.DEFAULT.heapBuffer(300);
                p.writeByte(0x80).writeByte((seq % 30 == 29 ? 0x80 : 0) | ClientOffer.VP8_PT).writeShort(seq)
                        .writeInt(seq * 3000).writeInt((int) offer.videoSsrc());
                // VP8 payload descriptor (RFC 7741): S set, then a keyframe header every 30 packets.
                p.writeByte(0x10).writeByte(seq % 30 == 0 ? 0x00 : 0x01).writeZero(200);
                transport.sendRtp(p);
            });
        }

        void close() {
            if (transport != null) transport.eventLoop().execute(() -> transport.close("conformance check over"));
            socket.close();
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            connected.complete(null);
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            received.incrementAndGet();
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
            connected.completeExceptionally(new IllegalStateException(reason));
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------

    private HttpResponse<String> post(URI uri, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> patch(URI uri, String ifMatch, String fragment) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/trickle-ice-sdpfrag")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(fragment));
        if (ifMatch != null) b.header("If-Match", ifMatch);
        return send(b);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return ToolSupport.send(http, request, options.token(), REQUEST_TIMEOUT);
    }

    private void add(String name, Verdict verdict, String detail, String reference) {
        checks.add(new Check(name, verdict, detail, reference));
    }

    private static String oneLine(String body) {
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() > 160 ? s.substring(0, 160) + "..." : s;
    }

    // ---- output -------------------------------------------------------------------------------------------

    static void printTable(List<Check> checks, PrintStream out) {
        for (Check c : checks) {
            out.printf("%-4s  %-24s %s%s%n", c.verdict(), c.name(), c.detail(), c.reference().isEmpty() ? "" : "  [" + c.reference() + "]");
        }
        long failed = checks.stream().filter(c -> c.verdict() == Verdict.FAIL).count();
        long passed = checks.stream().filter(c -> c.verdict() == Verdict.PASS).count();
        out.printf("conformance: %d passed, %d failed, %d reported%n", passed, failed, checks.size() - passed - failed);
    }

    static JsonObject json(Options options, List<Check> checks) {
        JsonArray array = new JsonArray();
        for (Check c : checks) {
            array.add(new JsonObject().put("name", c.name()).put("verdict", c.verdict().name().toLowerCase(Locale.ROOT))
                    .put("detail", c.detail()).put("reference", c.reference()));
        }
        return new JsonObject().put("target", options.target().toString())
                .put("passed", checks.stream().filter(c -> c.verdict() == Verdict.PASS).count())
                .put("failed", checks.stream().filter(c -> c.verdict() == Verdict.FAIL).count())
                .put("checks", array);
    }
}
