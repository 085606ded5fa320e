import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Captures real Chromium SDP offers for codec's test fixtures. Run through capture-offers.sh, which
 * puts it in a loopback-only network namespace so the only candidates are 127.0.0.1.
 *
 * <p>Serves capture.html on 127.0.0.1, starts headless Chromium on it, and writes every offer the page
 * POSTs to {@code OUT_DIR/chromium-NAME.sdp}, byte for byte as the browser produced it.
 *
 * <p>Usage: {@code java CaptureOffers.java OUT_DIR [CHROMIUM]}
 */
public class CaptureOffers {

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: java CaptureOffers.java OUT_DIR [CHROMIUM]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        String chromium = args.length > 1 ? args[1] : "/usr/bin/chromium";
        Path here = Path.of(System.getProperty("capture.dir", "."));
        byte[] html = Files.readAllBytes(here.resolve("capture.html"));
        Files.createDirectories(out);

        CompletableFuture<String> finished = new CompletableFuture<>();
        List<String> written = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (path.equals("/")) {
                    respond(exchange, 200, "text/html; charset=utf-8", html);
                } else if (path.startsWith("/offer/") && path.substring(7).matches("[a-z0-9-]+")) {
                    Path file = out.resolve("chromium-" + path.substring(7) + ".sdp");
                    Files.write(file, body);
                    synchronized (written) {
                        written.add(file.toString());
                    }
                    respond(exchange, 204, null, new byte[0]);
                } else if (path.equals("/done")) {
                    respond(exchange, 204, null, new byte[0]);
                    finished.complete(new String(body, StandardCharsets.UTF_8));
                } else if (path.equals("/failed")) {
                    respond(exchange, 204, null, new byte[0]);
                    finished.completeExceptionally(new IllegalStateException("page failed: " + new String(body, StandardCharsets.UTF_8)));
                } else {
                    respond(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                }
            }
        });
        server.start();
        Path profile = Files.createTempDirectory("capture-chromium-");
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        Process browser = new ProcessBuilder(chromium,
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile,
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection",
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--autoplay-policy=no-user-gesture-required",
                url)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String userAgent = finished.get(60, TimeUnit.SECONDS);
            System.out.println("captured with " + userAgent);
            written.forEach(f -> System.out.println("  " + f));
        } finally {
            browser.destroy();
            if (!browser.waitFor(5, TimeUnit.SECONDS)) browser.destroyForcibly();
            server.stop(0);
            deleteTree(profile);
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        if (type != null) exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) exchange.getResponseBody().write(body);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!root.getFileName().toString().startsWith("capture-chromium-")) return; // only what we created
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
