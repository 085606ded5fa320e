package dev.junction.loadtest;

import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.path.Path;
import dev.junction.transport.path.UdpPath;
import dev.junction.transport.socket.IceTcpConnection;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./junction doctor --target URL}: "why can't anyone connect?" answered from a client's side. It POSTs a
 * WHEP offer, then for every candidate the answer announces (UDP, and passive TCP for ICE-TCP) opens a fresh
 * session and runs ICE and DTLS against that candidate alone, and prints which worked, how fast, or why not: no
 * TCP connection, no answer to the ICE checks, or ICE but no DTLS.
 *
 * <p>Lines on stderr, one JSON line on stdout. Exit status: 0 at least one candidate worked, 1 none did (or the
 * server refused the offer), 2 bad options.
 */
public final class Doctor {

    record Options(URI target, String room, String whepPath, String token, long timeoutS) {

        static final String USAGE = """
                usage: ./junction doctor --target URL [options]
                  --target URL     base URL of the WHIP/WHEP server, e.g. http://203.0.113.7:8080 (required)
                  --room R         room name in the WHEP path (default: doctor-<random>)
                  --whep-path P    WHEP endpoint path template (default /whep/{room})
                  --token T        bearer token for the endpoint
                  --timeout S      seconds each candidate may take for ICE and DTLS (1-60, default 5)
                One line per candidate on stderr, one JSON line on stdout; exit 0 if any candidate worked, 1 if none.""";

        static Options parse(String[] args) {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("--target", null);
            v.put("--room", "doctor-" + Long.toHexString(new SecureRandom().nextLong() & 0xFFFFFFFFL));
            v.put("--whep-path", "/whep/{room}");
            v.put("--token", "");
            v.put("--timeout", "5");
            ToolSupport.readFlags(v, args);
            URI target = LoadOptions.target(v.get("--target"));
            if (!v.get("--whep-path").startsWith("/")) throw new IllegalArgumentException("--whep-path: must start with /");
            long timeout;
            try {
                timeout = Long.parseLong(v.get("--timeout"));
            } catch (NumberFormatException e) {
                timeout = -1;
            }
            if (timeout < 1 || timeout > 60) throw new IllegalArgumentException("--timeout: expected 1-60 seconds, got '" + v.get("--timeout") + "'");
            return new Options(target, v.get("--room"), v.get("--whep-path"), v.get("--token"), timeout);
        }

        URI whep() {
            return target.resolve(whepPath.replace("{room}", room));
        }
    }

    /** What happened with one candidate. */
    record Attempt(String transport, InetSocketAddress candidate, boolean connected, long millis, String detail) {

        String line() {
            String where = transport + " " + candidate.getAddress().getHostAddress() + ":" + candidate.getPort();
            return (connected ? "OK    " : "FAIL  ") + where + ": " + detail;
        }
    }

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final SecureRandom random = new SecureRandom();
    private final DtlsCertificate certificate = DtlsCertificate.generate();

    Doctor(Options options) {
        this.options = options;
    }

    public static void main(String[] args) {
        Options options = ToolSupport.optionsOrExit("doctor", Options.USAGE, args, Options::parse);
        Doctor doctor = new Doctor(options);
        JsonObject result = doctor.run(System.err::println);
        System.out.println(result.encode());
        System.exit(result.getBoolean("ok") ? 0 : 1);
    }

    /** Runs the diagnosis, telling {@code out} as it goes; never throws for what the server does. */
    JsonObject run(java.util.function.Consumer<String> out) {
        List<Attempt> attempts = new ArrayList<>();
        String problem = null;
        MediaPlane plane = MediaPlane.start(new MediaSettings("0.0.0.0", 0, 1, List.of("127.0.0.1")), i -> (s, c, from, now) -> { });
        try {
            Answered first = offer(plane);
            if (first.problem != null) {
                problem = first.problem;
            } else {
                List<InetSocketAddress> udp = first.answer.candidates();
                List<InetSocketAddress> tcp = first.answer.tcpCandidates();
                out.accept("doctor: " + options.whep() + " answered with " + udp.size() + " UDP and " + tcp.size() + " TCP candidate(s)");
                first.close();
                // Each attempt has a session of its own, whose answer may name another media loop's port: the
                // candidate at the same position of its own answer is the one checked.
                for (int i = 0; i < udp.size(); i++) attempts.add(report(out, attempt(plane, i, udp.get(i), false)));
                for (int i = 0; i < tcp.size(); i++) attempts.add(report(out, attempt(plane, i, tcp.get(i), true)));
                if (attempts.isEmpty()) problem = "the answer announces no candidate with an IP address";
            }
        } finally {
            plane.close();
            http.close();
        }
        boolean ok = attempts.stream().anyMatch(Attempt::connected);
        if (problem != null) out.accept("doctor: " + problem);
        else out.accept(ok ? "doctor: a client like this one can connect" : "doctor: no candidate worked from here: see the reasons above");
        JsonArray list = new JsonArray();
        for (Attempt a : attempts) {
            list.add(new JsonObject().put("transport", a.transport()).put("address", a.candidate().getAddress().getHostAddress())
                    .put("port", a.candidate().getPort()).put("connected", a.connected()).put("ms", a.millis()).put("detail", a.detail()));
        }
        JsonObject result = new JsonObject().put("target", options.target().toString()).put("ok", ok).put("candidates", list);
        if (problem != null) result.put("problem", problem);
        return result;
    }

    private static Attempt report(java.util.function.Consumer<String> out, Attempt a) {
        out.accept(a.line());
        return a;
    }

    /** One new WHEP session, checked over the {@code index}th candidate of its answer alone ({@code first}'s position). */
    private Attempt attempt(MediaPlane plane, int index, InetSocketAddress first, boolean tcp) {
        String transport = tcp ? "tcp" : "udp";
        Answered session = offer(plane);
        if (session.problem != null) return new Attempt(transport, first, false, 0, session.problem);
        List<InetSocketAddress> own = tcp ? session.answer.tcpCandidates() : session.answer.candidates();
        if (own.size() <= index) {
            session.close();
            return new Attempt(transport, first, false, 0, "a second answer announced fewer candidates (" + own.size() + ")");
        }
        InetSocketAddress candidate = own.get(index);
        long start = System.nanoTime();
        try {
            Path path;
            if (tcp) {
                try {
                    IceTcpConnection connection = plane.connectTcp(0, candidate, session.demux).get(options.timeoutS(), TimeUnit.SECONDS);
                    session.tcp = connection;
                    path = connection.path();
                } catch (Exception e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    return new Attempt(transport, candidate, false, millisSince(start), "no TCP connection: "
                            + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName())
                            + " (a firewall, or nothing listens there)");
                }
            } else {
                path = new UdpPath(session.socket, candidate);
            }
            WebRtcTransport transport1 = WebRtcTransport.client(plane.loops().get(0), session.demux, session.offer.ice(),
                    session.answer.ice(), List.of(path), session.answer.dtlsRole(), certificate, session.answer.fingerprints(), WebRtcTransport.Options.DEFAULT,
                    new Random(random.nextLong()), session);
            session.transport = transport1;
            transport1.start();
            try {
                session.connected.get(options.timeoutS(), TimeUnit.SECONDS);
                return new Attempt(transport, candidate, true, millisSince(start), "ICE and DTLS-SRTP in " + millisSince(start) + " ms");
            } catch (Exception e) {
                WebRtcTransport.State state = transport1.state();
                String why = switch (state) {
                    case CHECKING, NEW -> "no answer to the ICE checks within " + options.timeoutS() + " s (a firewall drops "
                            + transport.toUpperCase(java.util.Locale.ROOT) + ", or the address is not reachable from here)";
                    case DTLS -> "ICE answered but DTLS did not complete within " + options.timeoutS() + " s";
                    case CLOSED -> "closed: " + session.closedReason;
                    case CONNECTED -> "connected late";
                };
                return new Attempt(transport, candidate, false, millisSince(start), why);
            }
        } finally {
            session.close();
        }
    }

    private static long millisSince(long startNs) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    /** A WHEP session from the server's side: its answer, and our socket and transport for it. */
    private final class Answered implements WebRtcTransport.Listener {
        final MediaDemux demux = new MediaDemux();
        final MediaSocket socket;
        final ClientOffer offer;
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        ServerAnswer answer;
        String problem;
        URI location;
        WebRtcTransport transport;
        IceTcpConnection tcp;
        volatile String closedReason;

        Answered(MediaPlane plane) {
            socket = plane.open(0, new InetSocketAddress("0.0.0.0", 0), demux);
            offer = ClientOffer.subscriber(certificate.fingerprint(), new InetSocketAddress("127.0.0.1", socket.localAddress().getPort()), random);
        }

        void close() {
            if (location != null) {
                try {
                    send(HttpRequest.newBuilder(location).DELETE());
                } catch (RuntimeException e) {
                    // the server is gone: nothing to free there
                }
            }
            if (transport != null) transport.closeAsync("doctor done");
            if (tcp != null) tcp.close();
            socket.close();
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            connected.complete(null);
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
            closedReason = reason;
            connected.completeExceptionally(new IllegalStateException(reason));
        }
    }

    private Answered offer(MediaPlane plane) {
        Answered session = new Answered(plane);
        HttpResponse<String> response;
        try {
            response = send(HttpRequest.newBuilder(options.whep()).header("Content-Type", "application/sdp")
                    .POST(HttpRequest.BodyPublishers.ofString(session.offer.sdp())));
        } catch (RuntimeException e) {
            session.problem = "POST " + options.whep() + " failed: " + e.getMessage();
            return session;
        }
        if (response.statusCode() != 201) {
            session.problem = "POST " + options.whep() + " answered " + response.statusCode() + ": " + response.body().strip();
            return session;
        }
        response.headers().firstValue("Location").ifPresent(l -> session.location = options.whep().resolve(l));
        try {
            session.answer = ServerAnswer.parse(response.body());
        } catch (IllegalArgumentException e) {
            session.problem = "the answer is unusable: " + e.getMessage();
        }
        return session;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return ToolSupport.send(http, request, options.token(), Duration.ofSeconds(10));
    }
}
