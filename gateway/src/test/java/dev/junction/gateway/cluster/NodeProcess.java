package dev.junction.gateway.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Junction server in its own JVM ({@code dev.junction.gateway.Main} on this test's classpath), as
 * {@code ./junction serve} runs it: HTTP and media on free ports (port 0, the bound HTTP port read from its
 * "HTTP on" line), one media loop, a small heap, Netty's paranoid leak detection ({@link #leaks()}). The test owns the process: {@link #close()} ends it, SIGKILL if it
 * does not stop, so a failing test leaves no JVM behind.
 */
public final class NodeProcess implements AutoCloseable {

    static final String ADMIN_TOKEN = "cluster-test-admin";
    private static final Pattern LISTENING = Pattern.compile("HTTP on (http://127\\.0\\.0\\.1:\\d+)/");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final String label;
    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<String> url = new CompletableFuture<>();

    private NodeProcess(String label, Process process) {
        this.label = label;
        this.process = process;
        Thread.ofPlatform().daemon().name("node-" + label + "-output").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) url.complete(m.group(1));
                }
            } catch (IOException e) {
                // the process ended
            }
            url.completeExceptionally(new IllegalStateException("node " + label + " exited before listening"));
        });
    }

    /**
     * Starts a node with {@code args} after the test defaults, and {@code jvmArgs} before the main class. Returns at
     * once; {@link #awaitReady()} waits for it to listen.
     */
    static NodeProcess start(String label, List<String> jvmArgs, List<String> args, Map<String, String> environment) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Dio.netty.leakDetectionLevel=paranoid", "-Djna.tmpdir=" + System.getProperty("jna.tmpdir", System.getProperty("java.io.tmpdir"))));
        if (Runtime.version().feature() >= 23) command.add("--sun-misc-unsafe-memory-access=allow");
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.junction.gateway.Main",
                "--http-port", "0", "--media-port", "0", "--media-loops", "1", "--ice-tcp", "off", "--admin-token", ADMIN_TOKEN));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("JUNCTION_"));
        builder.environment().putAll(environment);
        return new NodeProcess(label, builder.start());
    }

    /** Waits until the node's HTTP API listens; returns its base URL ({@code http://127.0.0.1:port}). */
    String awaitReady() {
        try {
            return url.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("node " + label + " did not start: " + e.getMessage() + "\n" + tail(), e);
        }
    }

    String url() {
        return url.join();
    }

    /** SIGKILL, as when a machine dies: no clean leave, the others notice by the membership timeout. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process.isAlive();
    }

    String tail() {
        synchronized (output) {
            return "---- node " + label + " output (last 60 lines) ----\n"
                    + String.join("\n", output.subList(Math.max(0, output.size() - 60), output.size()));
        }
    }

    /** Lines in which Netty reported a leaked buffer. */
    List<String> leaks() {
        return output().stream().filter(l -> l.contains("LEAK:")).toList();
    }

    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** SIGTERM (the server's shutdown hook leaves cleanly), SIGKILL after 20 s. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    static HttpResponse<String> post(String url, String sdp) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(sdp)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST /admin/drain} on this node: it takes no new session from now on. */
    void drain() throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/admin/drain")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new AssertionError("drain answered " + r.statusCode() + ": " + r.body());
    }

    /** {@code GET /admin/cluster} on this node, or null while it does not answer 200. */
    io.vertx.core.json.JsonObject directory() {
        try {
            HttpResponse<String> r = get(url() + "/admin/cluster", ADMIN_TOKEN);
            return r.statusCode() == 200 ? new io.vertx.core.json.JsonObject(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Free TCP ports on loopback for the cluster (Hazelcast's port must be known to the other members up front). */
    public static int[] freePorts(int count) throws IOException {
        return dev.junction.codec.testing.LoopbackPorts.tcp(count);
    }

    /** Polls {@code condition} every 200 ms until it holds or {@code deadline} passes; fails with {@code what}. */
    static void await(String what, Duration deadline, BooleanSupplier condition, NodeProcess... nodes) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                StringBuilder logs = new StringBuilder();
                for (NodeProcess n : nodes) logs.append('\n').append(n.tail());
                throw new AssertionError("timed out waiting for: " + what + logs);
            }
            Thread.sleep(200);
        }
    }
}
