package dev.junction.gateway.session;

import dev.junction.gateway.http.DashboardSource;
import dev.junction.gateway.loop.LoopProxy;
import dev.junction.gateway.loop.LoopSnapshot;
import dev.junction.gateway.loop.RoomTotals;
import dev.junction.gateway.room.RoomDrop;
import dev.junction.transport.DropReason;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.socket.IceTcpListener;
import dev.junction.transport.socket.KernelUdpTable;
import dev.junction.transport.socket.MediaSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live dashboard's data (issue 13): once a second it samples what {@code /metrics} exposes, plus what only
 * the loops can say (their lag, their sessions' loss and round-trip time, their rooms' figures), into a
 * {@link SeriesRing} of the last five minutes; the page polls it. Counters become rates per second here, so the
 * page plots what it gets.
 *
 * <p>The series: packets and bits in and out (UDP datagrams and ICE-TCP frames); sessions, publishers,
 * subscribers and rooms; loss and RTT p50/p99 across the transports that reported one; every drop reason of the
 * demuxes, the rooms, the pipes, ICE-TCP back-pressure and the kernel's full receive buffers, per second; per
 * media loop its busy share (its thread's CPU time) and its lag (how long a task waited for it); heap, heap after
 * GC and direct memory; GC pause time per second; process CPU in percent of one core, as {@code top} shows it.
 *
 * <p>Nobody watching: once nobody has read {@link #series}, {@link #rooms} or {@link #room} for {@link #WATCHED_NS},
 * a sample takes only what is cheap to read (the published counters, the session table, the JVM's figures, and
 * from each loop only its lag and thread, which walks nothing); what would walk every room and session on the
 * loops or parse {@code /proc/net/udp} (loss, RTT, kernel drops, the room table) is a gap in the plots until
 * someone looks again, and the first look asks for a full sample at once (issue 15: the full sample cost 3-5 µs
 * per packet out in a small room with real browsers).
 *
 * <p>Threading: one control-plane thread ({@code junction-dashboard}) samples; it asks each loop through its
 * {@link LoopProxy} and waits at most {@link #LOOP_WAIT_MS} (a stuck loop shows as that lag, never as a stuck
 * dashboard). {@link #series} and {@link #rooms} are served from the last sample on any thread.
 */
final class DashboardFeed implements DashboardSource, AutoCloseable {
    static final long INTERVAL_MS = 1_000;
    /** Five minutes of one-second samples. */
    static final int POINTS = 300;
    static final long LOOP_WAIT_MS = 800;
    /** After this long without a reader, samples skip the loops' rooms and sessions and /proc (see the class comment). */
    static final long WATCHED_NS = 60_000_000_000L;
    private static final double[] NO_FIGURES = new double[0];

    /** A series: its name, whether its raw value is a counter to turn into a rate, and a scale for the result. */
    private record Column(String name, boolean rate, double scale) {
    }

    private final LoopProxy[] loops;
    private final List<MediaSocket> sockets;
    private final List<IceTcpListener> tcp;
    private final MediaDemux[] demuxes;
    private final RoomTotals[] roomTotals;
    private final AtomicLong pipeDrops;
    private final SessionTable table;
    private final RoomDirectory directory;

    private final List<Column> columns = new ArrayList<>();
    private final SeriesRing ring;
    private final ScheduledExecutorService timer;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    // On the sampling thread.
    private double[] previousRaw;
    private long previousNs;
    private final long[] loopThreads;
    private Map<String, long[]> previousRoomCounters = Map.of();
    /** When {@link #previousRoomCounters} were taken (the last full sample). */
    private long previousRoomNs;

    // Published for any thread.
    private volatile String roomsJson = "{\"rooms\":[]}";
    /** When a reader last asked for the dashboard's data (any thread writes it). */
    private volatile long lastReadNs = System.nanoTime() - WATCHED_NS;
    /** Whether the last sample was a full one (sampling thread writes, readers read). */
    private volatile boolean lastFull;
    /** Samples taken, and how many of them were full (sampling thread writes; tests read). */
    private volatile long samples;
    private volatile long fullSamples;

    DashboardFeed(LoopProxy[] loops, List<MediaSocket> sockets, List<IceTcpListener> tcp, MediaDemux[] demuxes,
            RoomTotals[] roomTotals, AtomicLong pipeDrops, SessionTable table, RoomDirectory directory) {
        this.loops = loops;
        this.sockets = sockets;
        this.tcp = tcp;
        this.demuxes = demuxes;
        this.roomTotals = roomTotals;
        this.pipeDrops = pipeDrops;
        this.table = table;
        this.directory = directory;
        this.loopThreads = new long[loops.length];
        Arrays.fill(loopThreads, -1);
        rate("packets_in", 1);
        rate("packets_out", 1);
        rate("bits_in", 8);
        rate("bits_out", 8);
        gauge("sessions");
        gauge("publishers");
        gauge("subscribers");
        gauge("rooms");
        gauge("loss_p50");
        gauge("loss_p99");
        gauge("rtt_p50");
        gauge("rtt_p99");
        for (DropReason r : DropReason.values()) rate("drop:" + r.name().toLowerCase(Locale.ROOT), 1);
        for (RoomDrop r : RoomDrop.values()) rate("drop:room_" + r.name().toLowerCase(Locale.ROOT), 1);
        rate("drop:pipe_full", 1);
        rate("drop:tcp_slow_reader", 1);
        rate("drop:kernel_receive_buffer", 1);
        for (int i = 0; i < loops.length; i++) rate("loop" + i + ":busy", 100 / 1e9);
        for (int i = 0; i < loops.length; i++) gauge("loop" + i + ":lag");
        gauge("heap_used");
        gauge("heap_after_gc");
        gauge("direct_memory");
        rate("gc_pause", 1);
        rate("cpu", 100 / 1e9);
        this.ring = new SeriesRing(columns.stream().map(Column::name).toList(), POINTS);
        this.timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("junction-dashboard").daemon().factory());
    }

    private void rate(String name, double scale) {
        columns.add(new Column(name, true, scale));
    }

    private void gauge(String name) {
        columns.add(new Column(name, false, 1));
    }

    /** Its sampler thread, which the WHEP sessions' event streams share ({@link ViewerFeed}); closed with this. */
    ScheduledExecutorService sampler() {
        return timer;
    }

    /** Samples now, then once a second. */
    DashboardFeed start() {
        timer.scheduleAtFixedRate(this::sampleSafely, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            // A failed sample is a gap in the plots, never the end of them.
            org.slf4j.LoggerFactory.getLogger(DashboardFeed.class).warn("dashboard sample failed", e);
        }
    }

    /** Whether someone read the dashboard's data within {@link #WATCHED_NS}. */
    boolean watched() {
        return System.nanoTime() - lastReadNs < WATCHED_NS;
    }

    /** A reader asked for data: samples are full from now on, and the first look after a quiet spell gets one at once. */
    private void onRead() {
        lastReadNs = System.nanoTime();
        if (!lastFull) {
            lastFull = true; // one catch-up sample per quiet spell
            try {
                timer.execute(this::sampleSafely);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** One sample of every series (package-private: tests sample by hand); a cheap one while nobody watches. */
    void sample() {
        boolean full = watched();
        lastFull = full;
        List<LoopSnapshot> snapshots = snapshots(full);
        long nowNs = System.nanoTime();
        double[] raw = new double[columns.size()];
        int c = 0;
        long packetsIn = 0;
        long packetsOut = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        for (MediaSocket s : sockets) {
            packetsIn += s.counter(MediaSocket.DATAGRAMS_IN);
            packetsOut += s.counter(MediaSocket.DATAGRAMS_OUT);
            bytesIn += s.counter(MediaSocket.BYTES_IN);
            bytesOut += s.counter(MediaSocket.BYTES_OUT);
        }
        long tcpDrops = 0;
        for (IceTcpListener l : tcp) {
            packetsIn += l.counter(IceTcpListener.FRAMES_IN);
            packetsOut += l.counter(IceTcpListener.FRAMES_OUT);
            bytesIn += l.counter(IceTcpListener.BYTES_IN);
            bytesOut += l.counter(IceTcpListener.BYTES_OUT);
            tcpDrops += l.counter(IceTcpListener.SEND_DROPPED);
        }
        raw[c++] = packetsIn;
        raw[c++] = packetsOut;
        raw[c++] = bytesIn;
        raw[c++] = bytesOut;
        int publishers = 0;
        for (Session s : table.all()) {
            if (s.kind == dev.junction.gateway.http.SessionKind.WHIP) publishers++;
        }
        int sessions = table.size();
        raw[c++] = sessions;
        raw[c++] = publishers;
        raw[c++] = Math.max(0, sessions - publishers);
        raw[c++] = directory.size();
        double[] losses = snapshots.stream().filter(java.util.Objects::nonNull).flatMapToDouble(s -> Arrays.stream(s.losses())).sorted().toArray();
        double[] rtts = snapshots.stream().filter(java.util.Objects::nonNull).flatMapToDouble(s -> Arrays.stream(s.rttsMs())).sorted().toArray();
        raw[c++] = percentile(losses, 50) * 100;
        raw[c++] = percentile(losses, 99) * 100;
        raw[c++] = percentile(rtts, 50);
        raw[c++] = percentile(rtts, 99);
        for (DropReason r : DropReason.values()) {
            long total = 0;
            for (MediaDemux d : demuxes) total += d.drops(r);
            raw[c++] = total;
        }
        for (RoomDrop r : RoomDrop.values()) raw[c++] = RoomTotals.dropped(roomTotals, r);
        raw[c++] = pipeDrops.get();
        raw[c++] = tcpDrops;
        long kernelDrops = 0;
        boolean kernelKnown = false;
        if (full) {
            KernelUdpTable kernel = KernelUdpTable.read();
            for (MediaSocket s : sockets) {
                long d = kernel.lookup(s).drops();
                if (d >= 0) {
                    kernelDrops += d;
                    kernelKnown = true;
                }
            }
        }
        raw[c++] = kernelKnown ? kernelDrops : Double.NaN;
        for (int i = 0; i < loops.length; i++) {
            long cpu = loopThreads[i] < 0 ? -1 : threads.getThreadCpuTime(loopThreads[i]);
            raw[c++] = cpu < 0 ? Double.NaN : cpu;
        }
        for (int i = 0; i < loops.length; i++) {
            LoopSnapshot s = snapshots.get(i);
            raw[c++] = s == null ? LOOP_WAIT_MS : s.lagNs() / 1e6;
        }
        raw[c++] = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        raw[c++] = ProcessGauges.heapAfterGc();
        raw[c++] = ProcessGauges.directMemory();
        long gcMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            // Pauses only: G1's and ZGC's concurrent work does not stop the loops.
            String name = gc.getName();
            if (name.contains("Concurrent") || name.contains("Cycles")) continue;
            gcMs += Math.max(0, gc.getCollectionTime());
        }
        raw[c++] = gcMs;
        raw[c++] = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : Double.NaN;
        if (c != columns.size()) throw new IllegalStateException(c + " values for " + columns.size() + " series");

        double[] row = new double[raw.length];
        double seconds = previousRaw == null ? 0 : (nowNs - previousNs) / 1e9;
        for (int i = 0; i < row.length; i++) {
            Column col = columns.get(i);
            if (!col.rate) {
                row[i] = raw[i];
            } else if (seconds <= 0 || Double.isNaN(previousRaw[i]) || Double.isNaN(raw[i])) {
                row[i] = Double.NaN;
            } else {
                row[i] = Math.max(0, raw[i] - previousRaw[i]) / seconds * col.scale;
            }
        }
        previousRaw = raw;
        previousNs = nowNs;
        ring.add(System.currentTimeMillis(), row);
        samples++;
        if (full) {
            fullSamples++;
            roomsJson = roomsJson(snapshots, previousRoomCounters.isEmpty() ? 0 : (nowNs - previousRoomNs) / 1e9);
            previousRoomNs = nowNs;
        }
    }

    long samples() {
        return samples;
    }

    long fullSamples() {
        return fullSamples;
    }

    /**
     * Every loop's snapshot (null for a loop that did not answer in time), learning the loops' threads; unless
     * {@code full}, only each loop's lag and thread (no room or session is walked).
     */
    private List<LoopSnapshot> snapshots(boolean full) {
        List<CompletableFuture<LoopSnapshot>> asked = new ArrayList<>(loops.length);
        for (LoopProxy l : loops) {
            long queuedNs = System.nanoTime();
            asked.add(full ? l.snapshot() : l.query(() -> new LoopSnapshot(Thread.currentThread().threadId(),
                    Math.max(0, System.nanoTime() - queuedNs), List.of(), NO_FIGURES, NO_FIGURES)));
        }
        long deadlineNs = System.nanoTime() + LOOP_WAIT_MS * 1_000_000;
        List<LoopSnapshot> out = new ArrayList<>(loops.length);
        for (int i = 0; i < loops.length; i++) {
            LoopSnapshot s;
            try {
                s = asked.get(i).get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s = null;
            } catch (Exception e) {
                s = null;
            }
            if (s != null) loopThreads[i] = s.threadId();
            out.add(s);
        }
        return out;
    }

    /** Nearest-rank percentile of sorted {@code values}; NaN when there are none. */
    static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The room table: every room of the directory with its parts' figures summed, rates against the last sample. */
    private String roomsJson(List<LoopSnapshot> snapshots, double seconds) {
        Map<String, long[]> sums = new HashMap<>();
        Map<String, int[]> members = new HashMap<>();
        for (LoopSnapshot s : snapshots) {
            if (s == null) continue;
            for (LoopSnapshot.RoomPart p : s.rooms()) {
                long[] c = sums.computeIfAbsent(p.name(), k -> new long[3]);
                c[0] += p.rtpIn();
                c[1] += p.rtpForwarded();
                c[2] += p.bytesForwarded();
                int[] m = members.computeIfAbsent(p.name(), k -> new int[2]);
                m[0] += p.publishers();
                m[1] += p.subscribers();
            }
        }
        List<RoomDirectory.Entry> entries = new ArrayList<>(directory.entries());
        entries.sort(Comparator.comparing(e -> e.key().name()));
        JsonArray rooms = new JsonArray();
        for (RoomDirectory.Entry e : entries) {
            String name = e.key().name();
            long[] now = sums.getOrDefault(name, new long[3]);
            long[] before = previousRoomCounters.get(name);
            int[] m = members.getOrDefault(name, new int[2]);
            JsonObject room = new JsonObject()
                    .put("name", name)
                    .put("home_loop", e.key().home())
                    .put("sessions", e.members())
                    .put("publishers", m[0])
                    .put("subscribers", m[1]);
            boolean rates = before != null && seconds > 0;
            room.put("packets_in_per_s", rates ? Math.round(Math.max(0, now[0] - before[0]) / seconds) : null);
            room.put("packets_out_per_s", rates ? Math.round(Math.max(0, now[1] - before[1]) / seconds) : null);
            room.put("kbps_out", rates ? Math.round(Math.max(0, now[2] - before[2]) * 8 / 1000.0 / seconds) : null);
            rooms.add(room);
        }
        previousRoomCounters = sums;
        return new JsonObject().put("rooms", rooms).encode();
    }

    @Override
    public String series(long sinceMs) {
        onRead();
        return ring.json(sinceMs, INTERVAL_MS);
    }

    @Override
    public String rooms() {
        onRead();
        return roomsJson;
    }

    /**
     * Asks each loop with a session of room {@code name} for those sessions' figures (on the loop), then puts the
     * answers together off the loops, on the dashboard's thread.
     */
    @Override
    public CompletionStage<String> room(String name) {
        onRead();
        RoomDirectory.Entry entry = directory.find(name);
        Map<LoopProxy, List<Session>> byLoop = new HashMap<>();
        for (Session s : table.all()) {
            if (s.roomName.equals(name)) byLoop.computeIfAbsent(s.loop, k -> new ArrayList<>()).add(s);
        }
        if (entry == null && byLoop.isEmpty()) return CompletableFuture.completedFuture(null);
        List<CompletableFuture<List<JsonObject>>> asked = new ArrayList<>();
        byLoop.forEach((loop, sessions) -> asked.add(loop.query(() -> {
            long nowNs = System.nanoTime();
            List<JsonObject> out = new ArrayList<>(sessions.size());
            for (Session s : sessions) out.add(s.figures(nowNs));
            return out;
        })));
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
                .orTimeout(2, TimeUnit.SECONDS)
                .thenApplyAsync(done -> {
                    JsonArray publishers = new JsonArray();
                    JsonArray subscribers = new JsonArray();
                    List<JsonObject> all = new ArrayList<>();
                    for (CompletableFuture<List<JsonObject>> a : asked) all.addAll(a.join());
                    all.sort(Comparator.comparing(o -> o.getString("id")));
                    for (JsonObject o : all) (o.getString("kind").equals("whip") ? publishers : subscribers).add(o);
                    return new JsonObject()
                            .put("name", name)
                            .put("home_loop", entry == null ? null : entry.key().home())
                            .put("publishers", publishers)
                            .put("subscribers", subscribers)
                            .encode();
                }, timer);
    }

    /**
     * Asks each loop once for the figures of all its sessions, then groups them by room off the loops, as
     * {@link #room} does for one.
     */
    @Override
    public CompletionStage<String> stats() {
        Map<LoopProxy, List<Session>> byLoop = new HashMap<>();
        for (Session s : table.all()) byLoop.computeIfAbsent(s.loop, k -> new ArrayList<>()).add(s);
        List<CompletableFuture<List<JsonObject>>> asked = new ArrayList<>();
        byLoop.forEach((loop, sessions) -> asked.add(loop.query(() -> {
            long nowNs = System.nanoTime();
            List<JsonObject> out = new ArrayList<>(sessions.size());
            for (Session s : sessions) out.add(s.figures(nowNs).put("room", s.roomName));
            return out;
        })));
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
                .orTimeout(2, TimeUnit.SECONDS)
                .thenApplyAsync(done -> {
                    java.util.TreeMap<String, JsonObject> rooms = new java.util.TreeMap<>();
                    List<JsonObject> all = new ArrayList<>();
                    for (CompletableFuture<List<JsonObject>> a : asked) all.addAll(a.join());
                    all.sort(Comparator.comparing(o -> o.getString("id")));
                    for (JsonObject o : all) {
                        String name = (String) o.remove("room");
                        JsonObject room = rooms.computeIfAbsent(name, n -> {
                            RoomDirectory.Entry entry = directory.find(n);
                            return new JsonObject().put("name", n).put("home_loop", entry == null ? null : entry.key().home())
                                    .put("publishers", new JsonArray()).put("subscribers", new JsonArray());
                        });
                        room.getJsonArray(o.getString("kind").equals("whip") ? "publishers" : "subscribers").add(o);
                    }
                    return new JsonObject().put("rooms", new JsonArray(new ArrayList<>(rooms.values()))).encode();
                }, timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
