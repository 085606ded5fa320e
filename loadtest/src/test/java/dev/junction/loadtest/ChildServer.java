package dev.junction.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Junction server in its own JVM ({@code dev.junction.gateway.Main} on this test's classpath), for figures that
 * must be the server's alone: its threads, fds and heap, not the test's or the tool's. It runs with Netty's paranoid
 * leak detection like the tests; {@link #leakReports()} returns what it reported.
 */
final class ChildServer implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("HTTP on http://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final int httpPort;
    private final List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Starts a server with {@code properties} as its config file, on free ports; waits until it listens. */
    ChildServer(Path dir, String properties) throws IOException, InterruptedException {
        Path config = Files.writeString(dir.resolve("junction.properties"), properties);
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dio.netty.leakDetection.level=paranoid", "-cp", System.getProperty("java.class.path"),
                "dev.junction.gateway.Main", "--config", config.toString(), "--http-port", "0", "--media-port", "0"));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("child-server-output").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) port.complete(Integer.parseInt(m.group(1)));
                }
            } catch (IOException e) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("the server exited before listening: " + output));
        });
        try {
            httpPort = port.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("server did not start: " + e.getMessage() + "; output: " + output, e);
        }
    }

    int httpPort() {
        return httpPort;
    }

    long pid() {
        return process.pid();
    }

    /** Lines of the server's output that report a leaked buffer. */
    List<String> leakReports() {
        synchronized (output) {
            return output.stream().filter(l -> l.contains("LEAK:")).toList();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: the server's shutdown hook closes it cleanly
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
