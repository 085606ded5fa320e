package dev.junction.gateway.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's small-room figure, measured its own way: real headless Chromium, one publisher (fake camera, VP8) and
 * four subscribers in one room, a 60 s warm-up once every subscriber decodes, then the server's CPU (all its
 * threads, from {@code /proc/PID/stat}) and its packets out ({@code junction_media_datagrams_out_total}) over a 30 s
 * window: µs of server CPU per packet out, split by thread group (media loops, JIT, GC, Vert.x, the dashboard
 * sampler, others).
 *
 * <p>The server is not this JVM: each measurement starts {@code CHECKOUT/junction serve} as a child process (so it
 * shares this test's loopback-only network namespace) from each checkout in {@code -Dperf.checkouts} (comma
 * separated, default this one), alternating checkouts, for each loop count in {@code -Dperf.loops} (default
 * {@code 1,2}), {@code -Dperf.runs} times (default 2). The jars must be built in every checkout first; the
 * launcher would otherwise build them inside the measurement. {@code -Dperf.profile=1} also records the media loop
 * with {@code perf record -g} for 15 s of the window and writes the JIT's symbol map ({@code jcmd
 * Compiler.perfmap}) next to it, under {@code /tmp/small-room-chromium/}.
 *
 * <p>Not in the suite (tag {@code perf}): {@code gateway/src/perf/small-room-chromium.sh} runs it.
 */
@Tag("perf")
class SmallRoomCpuBrowserIT {
    private static final int SUBSCRIBERS = 4;
    private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("perf.warmupSeconds", 60));
    private static final Duration WINDOW = Duration.ofSeconds(Long.getLong("perf.windowSeconds", 30));
    private static final int PORT = Integer.getInteger("perf.port", 18640);
    private static final Path OUT = Path.of("/tmp/small-room-chromium");
    /** Thread-name prefixes ({@code /proc/.../comm}, at most 15 characters) of each reported group, in order. */
    private static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put("loop", List.of("junction-media"));
        GROUPS.put("JIT", List.of("C1 CompilerThre", "C2 CompilerThre"));
        GROUPS.put("GC", List.of("GC Thread", "G1 ", "VM Thread"));
        GROUPS.put("Vert.x", List.of("vert.x-"));
        GROUPS.put("dashboard", List.of("junction-dashbo"));
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void measureServerCpuPerPacketOutInOneByFourRoom() throws Exception {
        List<Path> checkouts = new ArrayList<>();
        for (String c : System.getProperty("perf.checkouts", Path.of("").toAbsolutePath().getParent().toString()).split(",")) {
            checkouts.add(Path.of(c.trim()).toAbsolutePath());
        }
        int runs = Integer.getInteger("perf.runs", 2);
        List<String> lines = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (String loops : System.getProperty("perf.loops", "1,2").split(",")) {
                for (Path checkout : checkouts) {
                    String line = measure(checkout, Integer.parseInt(loops.trim()), run);
                    System.out.println(line);
                    lines.add(line);
                }
            }
        }
        System.out.println("small room, real Chromium, 1 x " + SUBSCRIBERS + ":");
        lines.forEach(System.out::println);
    }

    private String measure(Path checkout, int loops, int run) throws Exception {
        Files.createDirectories(OUT);
        Path log = OUT.resolve("serve-" + checkout.getFileName() + "-" + loops + "-" + run + ".log");
        Process server = new ProcessBuilder(checkout.resolve("junction").toString(), "serve", "--bind", "127.0.0.1",
                "--announce", "127.0.0.1", "--http-port", String.valueOf(PORT), "--media-port", "0",
                "--media-loops", String.valueOf(loops))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (BrowserHarness harness = BrowserHarness.start()) {
            awaitHealth(server, log);
            long pid = server.pid(); // the launcher execs java
            String base = "http://127.0.0.1:" + PORT;
            String room = "small-" + loops + "-" + run;
            harness.open("publisher", "e2e.html", page(base, room, "publish"));
            WhipWhepBrowserIT.awaitPublishing(harness, "publisher", Duration.ofSeconds(30));
            for (int i = 1; i <= SUBSCRIBERS; i++) harness.open("subscriber" + i, "e2e.html", page(base, room, "watch"));
            for (int i = 1; i <= SUBSCRIBERS; i++) WhipWhepBrowserIT.awaitDecoding(harness, "subscriber" + i, Duration.ofSeconds(60));
            sleep(WARMUP);
            long[] framesAtStart = framesDecoded(harness);
            Sample a = sample(pid);
            Process perf = null;
            if (Boolean.getBoolean("perf.profile")) perf = startProfile(pid, checkout, loops, run);
            sleep(WINDOW);
            Sample b = sample(pid);
            if (perf != null) {
                perf.waitFor(30, TimeUnit.SECONDS);
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid), "Compiler.perfmap")
                        .redirectErrorStream(true).redirectOutput(OUT.resolve("jcmd.log").toFile()).start().waitFor(30, TimeUnit.SECONDS);
            }
            long[] framesAtEnd = framesDecoded(harness);
            for (int i = 0; i < SUBSCRIBERS; i++) {
                // The fake camera sends 30 fps: a window that decoded far less measured a stalled room.
                long frames = framesAtEnd[i] - framesAtStart[i];
                assertTrue(frames > 10 * WINDOW.toSeconds(), "subscriber" + (i + 1) + " decoded only " + frames + " frames in the window");
            }
            long packets = b.packetsOut - a.packetsOut;
            double ticksToUs = 1e6 / 100 / packets; // /proc counts clock ticks of 10 ms
            StringBuilder s = new StringBuilder(String.format("%s, %d loop(s), run %d: %.1f us per packet out (%d packets, %.0f/s; ",
                    checkout.getFileName(), loops, run, (b.total - a.total) * ticksToUs, packets, packets / (double) WINDOW.toSeconds()));
            long grouped = 0;
            for (String g : GROUPS.keySet()) {
                long t = b.groups.get(g) - a.groups.get(g);
                grouped += t;
                s.append(String.format("%s %.1f, ", g, t * ticksToUs));
            }
            s.append(String.format("others %.1f); loop wake-ups %.0f/s; load average %s", ((b.total - a.total) - grouped) * ticksToUs,
                    (b.loopWakeUps - a.loopWakeUps) / (double) WINDOW.toSeconds(), loadAverage()));
            return s.toString();
        } finally {
            server.destroy(); // SIGTERM: the server's own shutdown
            if (!server.waitFor(20, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
        }
    }

    private Process startProfile(long pid, Path checkout, int loops, int run) throws IOException {
        List<String> tids = new ArrayList<>();
        for (Path task : listTasks(pid)) {
            if (comm(task).startsWith("junction-media")) tids.add(task.getFileName().toString());
        }
        Path data = OUT.resolve("perf-" + checkout.getFileName() + "-" + loops + "-" + run + ".data");
        return new ProcessBuilder("perf", "record", "-g", "-o", data.toString(), "-t", String.join(",", tids), "--", "sleep", "15")
                .redirectErrorStream(true).redirectOutput(OUT.resolve("perf.log").toFile()).start();
    }

    private static long[] framesDecoded(BrowserHarness harness) {
        long[] frames = new long[SUBSCRIBERS];
        for (int i = 0; i < SUBSCRIBERS; i++) {
            frames[i] = harness.latestReport("subscriber" + (i + 1)).getJsonObject("video").getLong("framesDecoded");
        }
        return frames;
    }

    private static Map<String, String> page(String base, String room, String role) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("base", base);
        query.put("room", room);
        query.put("role", role);
        query.put("codec", "vp8");
        query.put("simulcast", "0");
        return query;
    }

    private void awaitHealth(Process server, Path log) throws Exception {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadlineNs < 0) {
            if (!server.isAlive()) throw new AssertionError("the server exited: " + Files.readString(log));
            try {
                if (get("/health").statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            LockSupport.parkNanos(250_000_000L);
        }
        throw new AssertionError("no /health within 60 s: " + Files.readString(log));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The server's CPU, in total and per thread group (clock ticks), and its packets out. */
    private record Sample(long total, Map<String, Long> groups, long packetsOut, long loopWakeUps) {
    }

    private Sample sample(long pid) throws IOException, InterruptedException {
        long total = ticks(Path.of("/proc/" + pid + "/stat"));
        Map<String, Long> groups = new LinkedHashMap<>();
        for (String g : GROUPS.keySet()) groups.put(g, 0L);
        long wakeUps = 0;
        for (Path task : listTasks(pid)) {
            String name = comm(task);
            if (name.startsWith("junction-media")) wakeUps += voluntarySwitches(task);
            for (Map.Entry<String, List<String>> g : GROUPS.entrySet()) {
                if (g.getValue().stream().anyMatch(name::startsWith)) {
                    try {
                        groups.merge(g.getKey(), ticks(task.resolve("stat")), Long::sum);
                    } catch (IOException e) {
                        // the thread ended meanwhile: its time stays in the total ("others")
                    }
                    break;
                }
            }
        }
        long packets = 0;
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith("junction_media_datagrams_out_total")) packets += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return new Sample(total, groups, packets, wakeUps);
    }

    /** How often the thread slept and was woken (its voluntary context switches): the loops' wake-ups. */
    private static long voluntarySwitches(Path task) {
        try {
            for (String line : Files.readAllLines(task.resolve("status"))) {
                if (line.startsWith("voluntary_ctxt_switches:")) return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        } catch (IOException | RuntimeException e) {
            // the thread ended meanwhile
        }
        return 0;
    }

    private static List<Path> listTasks(long pid) throws IOException {
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.toList();
        }
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** utime + stime of a {@code stat} file (fields 14 and 15; the name in field 2 may hold spaces). */
    private static long ticks(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static void sleep(Duration d) {
        long deadlineNs = System.nanoTime() + d.toNanos();
        for (long left; (left = deadlineNs - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
    }
}
