package dev.junction.gateway.browser;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One headless Chromium process showing one page, with its own throw-away profile.
 *
 * <p>Flags: the WebRTC-in-a-test set from DESIGN §6 (fake camera and microphone, no permission prompt,
 * loopback candidates allowed and not hidden behind mDNS, autoplay) plus everything that would make
 * the browser talk to the internet turned off. Chromium's stderr, including the page's console messages
 * ({@code --enable-logging=stderr}), goes to a log file whose tail the harness puts into failure messages.
 *
 * <p>{@link #close()} kills only this process and the children it started (by their handles), then
 * deletes the temporary directory. Not thread-safe: owned by the test thread.
 */
public final class Chromium implements AutoCloseable {

    /** Debian's launcher; it {@code exec}s the real binary, so our Process handle is the browser process. */
    public static final Path DEFAULT_EXECUTABLE = Path.of("/usr/bin/chromium");

    private static final String TEMP_PREFIX = "junction-chromium-";
    private static final Pattern LOG_NOISE = Pattern.compile(
            "dbus/|bluez|Floss|vaapi_wrapper|InitializeSandbox|^/usr/bin/chromium: |Fontconfig|gcm/engine|ALSA lib");

    private final Process process;
    private final Path tempDir;
    private final Path log;

    private Chromium(Process process, Path tempDir, Path log) {
        this.process = process;
        this.tempDir = tempDir;
        this.log = log;
    }

    /**
     * The executable the tests use: {@code -Djunction.chromium=PATH}, else {@link #DEFAULT_EXECUTABLE}.
     *
     * @throws IllegalStateException when it is missing: a browser test without a browser is a failure, never a skip
     */
    public static Path requireExecutable() {
        Path executable = Path.of(System.getProperty("junction.chromium", DEFAULT_EXECUTABLE.toString()));
        if (!Files.isExecutable(executable)) {
            throw new IllegalStateException("Chromium is not installed at " + executable
                    + ": the browser tests need Debian's chromium (apt-get install chromium chromium-driver),"
                    + " or point -Djunction.chromium=PATH at another Chromium");
        }
        return executable;
    }

    /** Starts {@code executable} on {@code url}. */
    public static Chromium launch(Path executable, URI url) throws IOException {
        Path tempDir = Files.createTempDirectory(TEMP_PREFIX);
        Path profile = Files.createDirectory(tempDir.resolve("profile"));
        Path log = tempDir.resolve("chromium.log");
        List<String> command = List.of(executable.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile,
                // 30 fps rather than the fake camera's default 20, so "100 frames decoded" comes in ~3.5 s.
                "--use-fake-device-for-media-stream=fps=30", "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection",
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--autoplay-policy=no-user-gesture-required",
                "--disable-audio-output",
                // Every page is a foreground page: Chromium lowers the CPU priority of renderers it deems in the
                // background and throttles their timers, which on a loaded machine starved a page's reporting.
                "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows",
                "--enable-logging=stderr",
                // One-port mode's server has a self-signed certificate (OnePortBrowserIT); no other test uses HTTPS.
                "--ignore-certificate-errors",
                url.toString());
        try {
            Process process = new ProcessBuilder(withoutRealtimeScheduling(command))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            return new Chromium(process, tempDir, log);
        } catch (IOException | RuntimeException e) {
            deleteTree(tempDir);
            throw e;
        }
    }

    /**
     * {@code command} run without the right to real-time scheduling. Running as root (CAP_SYS_NICE), Chromium puts
     * its audio threads under SCHED_RR; on a loaded two-core machine they starved its pages' main threads once
     * received audio started to play: a page froze for good a few seconds in (issue 12, defect 8). Dropping the
     * capability from the bounding set (util-linux {@code setpriv}) makes Chromium keep normal priorities, as it
     * does for any non-root user. Without {@code setpriv} the command runs as it is.
     */
    static List<String> withoutRealtimeScheduling(List<String> command) {
        Path setpriv = Path.of("/usr/bin/setpriv");
        if (!Files.isExecutable(setpriv)) return command;
        List<String> out = new java.util.ArrayList<>(List.of(setpriv.toString(), "--bounding-set", "-sys_nice", "--"));
        out.addAll(command);
        return out;
    }

    /** The temporary directory holding the profile and the log; deleted by {@link #close()}. */
    public Path tempDir() {
        return tempDir;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while running. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /**
     * The last {@code lines} lines of Chromium's output, for failure messages, without the noise a
     * container always produces (no D-Bus, no GPU device, Debian's launcher script).
     */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(line -> !LOG_NOISE.matcher(line).find())
                    .toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no Chromium log: " + e + ")";
        }
    }

    @Override
    public void close() {
        // NOTE: collect the children first: once the browser process is gone they are re-parented and
        // no longer reachable from our handle.
        List<ProcessHandle> children = new ArrayList<>();
        try (Stream<ProcessHandle> descendants = process.descendants()) {
            descendants.forEach(children::add);
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) child.destroyForcibly();
        }
        deleteTree(tempDir);
    }

    private static void deleteTree(Path root) {
        if (!root.getFileName().toString().startsWith(TEMP_PREFIX)) return; // only what we created
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Chromium's late writes may race the delete; the second pass below gets them.
                }
            }
        } catch (IOException e) {
            return;
        }
        if (Files.exists(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException e) {
                System.err.println("browser harness: could not delete " + root + ": " + e);
            }
        }
    }
}
