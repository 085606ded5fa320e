package dev.junction.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Join/leave cycles against a server, then whether it gave everything back (issue 12, churn). Each cycle is one
 * subscriber session that connects and receives a packet, then ends one of four ways, in turn ({@link Kind}):
 * DELETE; vanishing without a word (consent expiry must free it); an ICE restart (PATCH with new credentials,
 * a packet after it) then DELETE; or vanishing and a new session POSTed from the very same address, which must
 * connect at once (it takes the address over) and then leaves with DELETE.
 *
 * <p>A warm-up round first (so pools, caches and the JIT reach their working set), then: wait until the server's
 * sessions, rooms, ufrags, bound addresses, timer participants and pending room removals are back where they
 * were, run a full GC in the server ({@code jcmd PID GC.run}, needs {@code --server-pid}) and take the baseline;
 * run the cycles; wait and GC again; compare ({@link ServerResources}).
 *
 * <p>Threading: {@link #run} blocks the caller; cycles run on the given executor, {@code parallel} at a time.
 */
final class Churn {

    /** How a cycle's session ends. */
    enum Kind {
        DELETE, VANISH, RESTART, REUSE;

        String flag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a cycle needs of one of the tool's peers. */
    interface Peer {
        /** POSTs the offer and starts ICE/DTLS; throws {@link LoadTest.NotConnected} with the reason. */
        void connect();

        CompletableFuture<Void> firstPacket();

        /** Completed by the first packet after the last {@link #restartIce()}. */
        CompletableFuture<Void> nextPacket();

        void restartIce();

        /** DELETE, then close. */
        void leave();

        /** Close without a word: no DELETE, no close_notify. */
        void vanish();

        int localPort();
    }

    /** Makes a subscriber peer in {@code room}, its socket bound to {@code port} (0: any). */
    interface PeerFactory {
        Peer subscriber(int room, int port);
    }

    /** A session's life on the server ends within this after its peer vanished (the consent timeout is 30 s). */
    static final long DRAIN_TIMEOUT_S = 120;
    private static final long STEP_TIMEOUT_S = 30;
    private static final int KEPT_FAILURES = 5;
    private static final Kind[] KINDS = Kind.values();

    private final int cycles;
    private final int parallel;
    private final int rooms;
    private final long serverPid;
    private final ExecutorService executor;
    private final PeerFactory peers;
    private final Supplier<String> metrics;
    private final PrintStream progress;
    private final AtomicLongArray ok = new AtomicLongArray(KINDS.length);
    private final AtomicLongArray failed = new AtomicLongArray(KINDS.length);
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> reuseConnectNs = Collections.synchronizedList(new ArrayList<>());

    Churn(int cycles, int parallel, int rooms, long serverPid, ExecutorService executor, PeerFactory peers,
            Supplier<String> metrics, PrintStream progress) {
        this.cycles = cycles;
        this.parallel = parallel;
        this.rooms = rooms;
        this.serverPid = serverPid;
        this.executor = executor;
        this.peers = peers;
        this.metrics = metrics;
        this.progress = progress;
    }

    /** Runs warm-up, baseline, cycles and comparison; the result's {@code churn} object. */
    JsonObject run() {
        ServerResources start = resources();
        int warm = Math.max(4 * parallel, Math.min(200, cycles / 10));
        progress.printf(Locale.ROOT, "loadtest: churn warm-up, %d cycles%n", warm);
        cycles(warm);
        ServerResources baseline = settle(start, "warm-up");
        for (int i = 0; i < KINDS.length; i++) {
            ok.set(i, 0);
            failed.set(i, 0);
        }
        failures.clear();
        reuseConnectNs.clear();
        progress.printf(Locale.ROOT, "loadtest: churn, %d cycles, %d at a time%n", cycles, parallel);
        long startNs = System.nanoTime();
        cycles(cycles);
        double elapsedS = (System.nanoTime() - startNs) / 1e9;
        long drainStartNs = System.nanoTime();
        ServerResources after = settle(baseline, "churn");
        double drainS = (System.nanoTime() - drainStartNs) / 1e9;

        JsonObject byKind = new JsonObject();
        for (Kind k : KINDS) {
            byKind.put(k.flag(), new JsonObject().put("ok", ok.get(k.ordinal())).put("failed", failed.get(k.ordinal())));
        }
        List<Long> reuse = new ArrayList<>(reuseConnectNs);
        Collections.sort(reuse);
        return ServerResources.compare(baseline, after)
                .put("cycles", cycles)
                .put("parallel", parallel)
                .put("warmup_cycles", warm)
                .put("by_kind", byKind)
                .put("failures", new JsonArray(new ArrayList<>(failures)))
                .put("elapsed_s", LoadTest.round(elapsedS, 3))
                .put("cycles_per_s", LoadTest.round(cycles / elapsedS, 1))
                .put("drain_s", LoadTest.round(drainS, 3))
                .put("reuse_connect_ms_p50", reuse.isEmpty() ? null : LoadTest.round(LoadTest.percentile(reuse, 0.50) / 1e6, 1))
                .put("reuse_connect_ms_max", reuse.isEmpty() ? null : LoadTest.round(reuse.get(reuse.size() - 1) / 1e6, 1))
                .put("server_gc", serverPid > 0);
    }

    /** Whether every cycle of the measured round succeeded. */
    boolean allSucceeded() {
        for (int i = 0; i < KINDS.length; i++) if (failed.get(i) != 0) return false;
        return true;
    }

    private void cycles(int n) {
        Semaphore slots = new Semaphore(parallel);
        List<CompletableFuture<Void>> running = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slots.acquireUninterruptibly();
            Kind kind = KINDS[i % KINDS.length];
            int room = i % rooms;
            running.add(CompletableFuture.runAsync(() -> {
                try {
                    cycle(kind, room);
                } finally {
                    slots.release();
                }
            }, executor));
            if ((i + 1) % 500 == 0) progress.printf(Locale.ROOT, "loadtest: churn %d/%d started%n", i + 1, n);
        }
        for (CompletableFuture<Void> c : running) c.join();
    }

    private void cycle(Kind kind, int room) {
        Peer first = null;
        try {
            first = peers.subscriber(room, 0);
            first.connect();
            await(first.firstPacket(), "no packet");
            switch (kind) {
                case DELETE -> first.leave();
                case VANISH -> first.vanish();
                case RESTART -> {
                    first.restartIce();
                    await(first.nextPacket(), "no packet after the ICE restart");
                    first.leave();
                }
                case REUSE -> {
                    int port = first.localPort();
                    first.vanish();
                    first = null;
                    long startNs = System.nanoTime();
                    Peer second = peers.subscriber(room, port);
                    first = second;
                    second.connect();
                    await(second.firstPacket(), "the new session on the abandoned address received nothing");
                    reuseConnectNs.add(System.nanoTime() - startNs);
                    second.leave();
                }
            }
            ok.incrementAndGet(kind.ordinal());
        } catch (RuntimeException e) {
            failed.incrementAndGet(kind.ordinal());
            if (failures.size() < KEPT_FAILURES) failures.add(kind.flag() + ": " + e.getMessage());
            if (first != null) first.vanish();
        }
    }

    /**
     * Waits until the server holds no more than at {@code reference} (its sessions gone, consent expiry
     * included), then collects its garbage and reads what it holds.
     */
    private ServerResources settle(ServerResources reference, String after) {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_TIMEOUT_S);
        ServerResources now = resources();
        while (!now.drainedTo(reference)) {
            if (System.nanoTime() - deadlineNs > 0) {
                progress.printf(Locale.ROOT, "loadtest: warning: after the %s the server still holds more than before after %d s: %s%n",
                        after, DRAIN_TIMEOUT_S, now.gauges());
                break;
            }
            LoadTest.sleepUntil(System.nanoTime() + 200_000_000L);
            now = resources();
        }
        if (serverPid > 0) {
            // Twice: buffers and sockets freed by the first collection's cleaners are gone by the second.
            gc();
            gc();
        }
        return resources();
    }

    private ServerResources resources() {
        String text = metrics.get();
        if (text == null) throw new LoadTest.NotConnected("--churn needs the server's /metrics (a Junction server)");
        return ServerResources.parse(text);
    }

    /** A full GC in the server, by {@code jcmd} from this JDK. */
    private void gc() {
        String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            Process p = new ProcessBuilder(jcmd, Long.toString(serverPid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                progress.println("loadtest: warning: jcmd GC.run did not finish within 60 s");
            } else if (p.exitValue() != 0) {
                progress.println("loadtest: warning: jcmd " + serverPid + " GC.run exited " + p.exitValue());
            }
        } catch (java.io.IOException e) {
            progress.println("loadtest: warning: cannot run jcmd: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CompletableFuture<Void> future, String what) {
        try {
            future.get(STEP_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new LoadTest.NotConnected(what + ": " + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
        } catch (TimeoutException e) {
            throw new LoadTest.NotConnected(what + " within " + STEP_TIMEOUT_S + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoadTest.NotConnected("interrupted");
        }
    }
}
