package dev.junction.gateway.browser;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Just enough of the W3C WebDriver protocol, over plain HTTP to Debian's {@code chromedriver}, to drive a
 * real page the way a person would: open it, click buttons, read what it shows. Used for the demo page,
 * whose flow is driven by clicks rather than by a test page reporting back.
 *
 * <p>Owns the chromedriver process (and the Chromium it starts) and its temporary profile; {@link #close()}
 * ends both. A missing {@code /usr/bin/chromedriver} is a failure, never a skip.
 */
final class WebDriver implements AutoCloseable {

    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String ELEMENT = "element-6066-11e4-a52f-4a5d10e8b8f3";

    private final Process driver;
    private final Path profile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String session;

    private WebDriver(Process driver, Path profile, String base, String session) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
        this.session = session;
    }

    /** Starts chromedriver and a headless Chromium session with the flags of DESIGN §6. */
    static WebDriver start() throws Exception {
        if (!Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError(CHROMEDRIVER + " is missing: install Debian's chromium-driver (.ci/run does)");
        }
        Chromium.requireExecutable();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path profile = Files.createTempDirectory("junction-webdriver-");
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient probe = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                if (probe.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    driver.destroyForcibly();
                    throw new AssertionError("chromedriver did not start on " + base, e);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
            }
        }
        JsonObject options = new JsonObject()
                .put("binary", Chromium.DEFAULT_EXECUTABLE.toString())
                .put("args", new JsonArray(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--use-fake-device-for-media-stream=fps=30", "--use-fake-ui-for-media-stream",
                        "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
                        "--autoplay-policy=no-user-gesture-required")));
        JsonObject body = new JsonObject().put("capabilities", new JsonObject()
                .put("alwaysMatch", new JsonObject().put("browserName", "chrome").put("goog:chromeOptions", options)));
        JsonObject created = call(probe, "POST", base + "/session", body);
        return new WebDriver(driver, profile, base, created.getJsonObject("value").getString("sessionId"));
    }

    void open(String url) throws Exception {
        command("POST", "/url", new JsonObject().put("url", url));
    }

    /** Clicks the element that {@code css} selects. */
    void click(String css) throws Exception {
        JsonObject found = command("POST", "/element", new JsonObject().put("using", "css selector").put("value", css));
        JsonObject reference = found.getJsonObject("value");
        // W3C names the key ELEMENT; older chromedriver answers "ELEMENT". Either way it is the only entry.
        String id = reference.containsKey(ELEMENT) ? reference.getString(ELEMENT) : String.valueOf(reference.getValue(reference.fieldNames().iterator().next()));
        command("POST", "/element/" + id + "/click", new JsonObject());
    }

    /** Opens a new tab and makes it current; the previous tab keeps running (its WebRTC sessions too). */
    void newTab() throws Exception {
        String handle = command("POST", "/window/new", new JsonObject().put("type", "tab")).getJsonObject("value").getString("handle");
        command("POST", "/window", new JsonObject().put("handle", handle));
    }

    /** Resizes the browser window (what a screenshot shows). */
    void windowSize(int width, int height) throws Exception {
        command("POST", "/window/rect", new JsonObject().put("width", width).put("height", height));
    }

    /** A PNG of the current tab's viewport, written to {@code file}. */
    void screenshot(Path file) throws Exception {
        String base64 = command("GET", "/screenshot", null).getString("value");
        Files.write(file, java.util.Base64.getDecoder().decode(base64));
    }

    /** Runs {@code script} in the page and returns its result as text. */
    String script(String script) throws Exception {
        Object value = command("POST", "/execute/sync", new JsonObject().put("script", script).put("args", new JsonArray())).getValue("value");
        return String.valueOf(value);
    }

    private JsonObject command(String method, String path, JsonObject body) throws Exception {
        return call(http, method, base + "/session/" + session + path, body);
    }

    private static JsonObject call(HttpClient client, String method, String url, JsonObject body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonObject json = new JsonObject(response.body());
        if (response.statusCode() != 200) throw new AssertionError("WebDriver " + method + " " + url + " -> " + response.statusCode() + ": " + response.body());
        return json;
    }

    @Override
    public void close() throws Exception {
        try {
            call(http, "DELETE", base + "/session/" + session, null);
        } catch (Exception | AssertionError e) {
            // The browser may be gone already; the process kill below ends what is left.
        }
        driver.destroy();
        if (!driver.waitFor(5, TimeUnit.SECONDS)) driver.destroyForcibly();
        if (profile.getFileName().toString().startsWith("junction-webdriver-")) {
            try (var walk = Files.walk(profile)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
