package dev.junction.transport.dtls;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@code openssl} command line tool run as a test peer: its combined output is collected line by line
 * and tests wait for patterns in it. Closing stdin makes {@code s_client} shut down (close_notify).
 */
final class OpenSslProcess implements AutoCloseable {

    private final Process process;
    private final OutputStream stdin;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader;

    private OpenSslProcess(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.reader = Thread.ofPlatform().daemon().name("openssl-output").start(this::collect);
    }

    /** The openssl binary on PATH; fails the test (never skips) when there is none. */
    static String binary() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory, "openssl");
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        return fail("The DTLS interop test needs the OpenSSL 3 command line tool, and `openssl` is not on PATH ("
                + path + "). Install it (Debian/Ubuntu: apt-get install openssl) and run the tests again.");
    }

    static OpenSslProcess start(List<String> arguments, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(binary());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        return new OpenSslProcess(builder.start());
    }

    /** Runs a short openssl command to completion and returns its output; fails on a non-zero exit. */
    static String run(String... arguments) throws IOException, InterruptedException {
        try (OpenSslProcess process = start(List.of(arguments), Map.of())) {
            process.stdin.close();
            if (!process.process.waitFor(30, TimeUnit.SECONDS) || process.process.exitValue() != 0) {
                process.reader.join(1000);
                fail("openssl " + String.join(" ", arguments) + " failed:\n" + process.output());
            }
            process.reader.join(5000);
            return process.output();
        }
    }

    /** Waits until a line matches {@code pattern} and returns its first group (or the whole match). */
    String await(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (true) {
                Matcher matcher = pattern.matcher(output);
                if (matcher.find()) return matcher.groupCount() > 0 ? matcher.group(1) : matcher.group();
                long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    return fail("openssl never printed /" + pattern + "/; its output:\n" + output);
                }
                TimeUnit.NANOSECONDS.timedWait(output, Math.min(leftNs, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** EOF on stdin: s_client and s_server shut the connection down and send close_notify. */
    void closeStdin() throws IOException {
        stdin.close();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void collect() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.append(line).append('\n');
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process went away; what it printed so far stays available.
        } finally {
            synchronized (output) {
                output.notifyAll();
            }
        }
    }
}
