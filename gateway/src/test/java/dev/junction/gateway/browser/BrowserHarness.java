package dev.junction.gateway.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs test pages in headless Chromium and collects what they report.
 *
 * <p>A tiny HTTP server on 127.0.0.1 serves the pages in the test resources folder {@code browser/}
 * (for example {@code loopback.html}) and accepts {@code POST /report/{pageId}} with a JSON object; the
 * pages include {@code report.js}, which does that. A page reports as often as it likes (its stats every
 * few hundred ms); the test waits with {@link #awaitReport} until one report satisfies a condition. A
 * report with an {@code error} field fails the wait at once with the page's message.
 *
 * <p>The browser must not see any interface but loopback, or ICE pairs the machine's external address
 * (DESIGN §6). {@link #start()} therefore fails unless this JVM runs in a loopback-only network
 * namespace, which the {@code browser-tests} surefire execution provides through
 * {@code gateway/src/test/browser/bin/java}.
 *
 * <p>Threading: reports arrive on the server's thread and are handed over under this object's monitor;
 * everything else is called from the test thread. {@link #close()} kills every Chromium this harness
 * started, deletes their profiles and stops the server.
 */
public final class BrowserHarness implements AutoCloseable {

    private static final Pattern PAGE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern RESOURCE = Pattern.compile("[a-z0-9-]{1,64}\\.(html|js)");
    private static final int MAX_REPORT_BYTES = 1 << 20;
    private static final int LOG_TAIL_LINES = 40;

    private final Path chromiumExecutable;
    private final HttpServer server;
    private final ExecutorService serverThreads;
    private final Map<String, Chromium> browsers = new LinkedHashMap<>();

    // Guarded by this: latest report and first error per page id.
    private final Map<String, JsonObject> latestReports = new HashMap<>();
    private final Map<String, String> pageErrors = new HashMap<>();

    private BrowserHarness(Path chromiumExecutable, HttpServer server, ExecutorService serverThreads) {
        this.chromiumExecutable = chromiumExecutable;
        this.server = server;
        this.serverThreads = serverThreads;
    }

    /** Checks Chromium and the network namespace, then starts the report server. */
    public static BrowserHarness start() throws IOException {
        return start(Chromium.requireExecutable());
    }

    static BrowserHarness start(Path chromiumExecutable) throws IOException {
        requireLoopbackOnlyNetwork();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService threads = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("browser-harness-http-", 0).daemon().factory());
        server.setExecutor(threads);
        BrowserHarness harness = new BrowserHarness(chromiumExecutable, server, threads);
        server.createContext("/", harness::handle);
        server.start();
        return harness;
    }

    /**
     * Fails unless every interface that is up is a loopback one: Chromium would otherwise gather (and
     * pair) the machine's real addresses, and a test could pass for the wrong reason.
     */
    static void requireLoopbackOnlyNetwork() throws SocketException {
        List<String> external;
        try (var interfaces = NetworkInterface.networkInterfaces()) {
            external = interfaces.filter(BrowserHarness::isUpAndNotLoopback)
                    .map(i -> i.getName() + " " + i.inetAddresses().map(InetAddress::getHostAddress).toList())
                    .toList();
        }
        if (!external.isEmpty()) {
            throw new IllegalStateException("browser tests must run in a loopback-only network namespace, but this JVM sees "
                    + external + ". Run them with the browser-tests surefire execution (its forked JVM is started by"
                    + " gateway/src/test/browser/bin/java, which does `unshare --net` + `ip link set lo up`),"
                    + " e.g. ./junction test -pl gateway -Dtest='**/browser/*Test.java'");
        }
    }

    private static boolean isUpAndNotLoopback(NetworkInterface i) {
        try {
            return i.isUp() && !i.isLoopback();
        } catch (SocketException e) {
            return true;
        }
    }

    /** The harness server's origin, e.g. {@code http://127.0.0.1:41234}. */
    public URI origin() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Opens {@code resource} (a file in the test resources' {@code browser/} folder) in a new Chromium, with
     * {@code page=pageId} and {@code query} in its query string. The page reports under {@code pageId}.
     */
    public Chromium open(String pageId, String resource, Map<String, String> query) throws IOException {
        if (!PAGE_ID.matcher(pageId).matches()) throw new IllegalArgumentException("bad page id: " + pageId);
        if (browsers.containsKey(pageId)) throw new IllegalArgumentException("page id already open: " + pageId);
        Map<String, String> all = new LinkedHashMap<>();
        all.put("page", pageId);
        all.putAll(query);
        String queryString = all.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        Chromium chromium = Chromium.launch(chromiumExecutable, URI.create(origin() + "/" + resource + "?" + queryString));
        browsers.put(pageId, chromium);
        return chromium;
    }

    public Chromium open(String pageId, String resource) throws IOException {
        return open(pageId, resource, Map.of());
    }

    /**
     * Waits until page {@code pageId} reports a JSON object for which {@code until} holds, and returns it.
     *
     * @param expectation what {@code until} checks, in words, for the failure message
     * @throws AssertionError on timeout, on a page error or when its Chromium exits; the message carries
     *         the last report and the tail of Chromium's log
     */
    public JsonObject awaitReport(String pageId, String expectation, Predicate<JsonObject> until, Duration timeout) {
        return await(pageId, "report with " + expectation, timeout, (latest, error) -> {
            if (error != null) throw new PageFailure("reported an error: " + error);
            return latest != null && until.test(latest) ? latest : null;
        });
    }

    /**
     * Waits until page {@code pageId} reports an error (an uncaught exception, or an {@code error} field
     * such as e2e.html's "WHIP 401: reason") and returns its message.
     *
     * @throws AssertionError on timeout or when its Chromium exits first
     */
    public String awaitPageError(String pageId, Duration timeout) {
        return await(pageId, "error report", timeout, (latest, error) -> error);
    }

    /** Looks at a page's latest report and first error; returns the result, null to keep waiting. */
    private interface Probe<T> {
        T check(JsonObject latest, String error);
    }

    /** Thrown by a probe to fail the wait at once. */
    private static final class PageFailure extends RuntimeException {
        PageFailure(String message) {
            super(message, null, false, false);
        }
    }

    private <T> T await(String pageId, String what, Duration timeout, Probe<T> probe) {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        Chromium chromium = browsers.get(pageId);
        synchronized (this) {
            while (true) {
                T result;
                try {
                    result = probe.check(latestReports.get(pageId), pageErrors.get(pageId));
                } catch (PageFailure e) {
                    throw failure(pageId, e.getMessage(), chromium);
                }
                if (result != null) return result;
                if (chromium != null && !chromium.isAlive()) {
                    throw failure(pageId, "Chromium exited with code " + chromium.exitCode() + " before any " + what, chromium);
                }
                long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0) throw failure(pageId, "no " + what + " within " + timeout.toMillis() + " ms", chromium);
                try {
                    // Bounded so a dead Chromium is noticed even when no report wakes us.
                    long waitNs = Math.min(leftNs, 200_000_000L);
                    wait(waitNs / 1_000_000L, (int) (waitNs % 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for page " + pageId, e);
                }
            }
        }
    }

    /** The latest report of {@code pageId}, or null. */
    public synchronized JsonObject latestReport(String pageId) {
        return latestReports.get(pageId);
    }

    private synchronized AssertionError failure(String pageId, String what, Chromium chromium) {
        JsonObject latest = latestReports.get(pageId);
        return new AssertionError("page " + pageId + ": " + what
                + "\n  last report: " + (latest == null ? "none" : latest.encode())
                + "\n  Chromium log (tail):\n" + (chromium == null ? "(page was not opened by this harness)" : chromium.logTail(LOG_TAIL_LINES)));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (method.equals("POST") && path.startsWith("/report/")) {
                handleReport(exchange, path.substring("/report/".length()));
            } else if (method.equals("GET") && RESOURCE.matcher(path.substring(1)).matches()) {
                try (InputStream in = BrowserHarness.class.getResourceAsStream("/browser/" + path.substring(1))) {
                    if (in == null) {
                        respond(exchange, 404, "no such test page: " + path);
                    } else {
                        byte[] body = in.readAllBytes();
                        exchange.getResponseHeaders().set("Content-Type",
                                (path.endsWith(".js") ? "text/javascript" : "text/html") + "; charset=utf-8");
                        exchange.getResponseHeaders().set("Cache-Control", "no-store");
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                    }
                }
            } else {
                respond(exchange, 404, "not found: " + method + " " + path);
            }
        }
    }

    private void handleReport(HttpExchange exchange, String pageId) throws IOException {
        if (!PAGE_ID.matcher(pageId).matches()) {
            respond(exchange, 400, "bad page id");
            return;
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_REPORT_BYTES + 1);
        if (body.length > MAX_REPORT_BYTES) {
            respond(exchange, 413, "report too large");
            return;
        }
        JsonObject report;
        try {
            report = new JsonObject(new String(body, StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            synchronized (this) {
                pageErrors.putIfAbsent(pageId, "unparsable report: " + e.getMessage());
                notifyAll();
            }
            respond(exchange, 400, "not a JSON object");
            return;
        }
        synchronized (this) {
            latestReports.put(pageId, report);
            if (report.getValue("error") != null) pageErrors.putIfAbsent(pageId, String.valueOf(report.getValue("error")));
            notifyAll();
        }
        exchange.sendResponseHeaders(204, -1);
    }

    private static void respond(HttpExchange exchange, int status, String reason) throws IOException {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        List<RuntimeException> problems = new ArrayList<>();
        for (Chromium chromium : browsers.values()) {
            try {
                chromium.close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        browsers.clear();
        server.stop(0);
        serverThreads.shutdownNow();
        if (!problems.isEmpty()) throw problems.getFirst();
    }
}
