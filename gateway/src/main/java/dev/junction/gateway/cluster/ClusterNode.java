package dev.junction.gateway.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import dev.junction.config.ClusterSettings;
import dev.junction.config.JunctionConfig;
import dev.junction.gateway.ClusterMembership;
import dev.junction.gateway.http.DirectorySource;
import dev.junction.gateway.http.MetricsSource;
import dev.junction.gateway.http.Placement;
import dev.junction.gateway.http.SessionException;
import dev.junction.gateway.http.SessionKind;
import dev.junction.gateway.session.MediaSessions;
import dev.junction.gateway.session.RoomDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node in a cluster (issue 14): a clustered Vert.x over Hazelcast, the cluster-wide room directory, and
 * placement of WHIP/WHEP POSTs from it (RFC 9725 §4.5).
 *
 * <p>Who is in the cluster, and where each node's clients go, is Hazelcast's membership: every node joins with its
 * name and public URL as member attributes ({@link MemberConfig}). The directory is two Hazelcast maps of strings.
 * {@value #ROOMS}: room name to its home node's name, the node that holds its publishers; a room is claimed with
 * {@code putIfAbsent}, so two nodes racing for a new room agree on one home. {@value #NODES}: node name to its
 * {@link NodeRecord} (member UUID, public URL, load), republished every {@value #TICK_MS} ms. Every member can
 * write these maps, so their entries are checked against the membership before use ({@link ClusterView}): a 307
 * only ever names a live member's own URL. Entries leave the maps when:
 * <ul>
 *   <li>the home's last publisher leaves (at once);</li>
 *   <li>a room claimed for a node gets no publisher there within {@value #CLAIM_GRACE_MS} ms (the client did not
 *       follow the 307, or its offer was refused): the home's own sweep;</li>
 *   <li>a node leaves the cluster, cleanly or by the membership timeout: every survivor removes its rooms and its
 *       record on the membership event, and the oldest member sweeps whatever names no live member.</li>
 * </ul>
 *
 * <p>Threading: Hazelcast is never called on a Vert.x event loop or a media loop. Placement decisions and
 * {@code /admin/cluster} run on virtual threads ({@code junction-placement-*}), which may block on Hazelcast's
 * synchronous calls; the tick, the sweeps and membership clean-up run on one platform thread
 * ({@code junction-cluster}); Hazelcast's own threads only hand events to it. The room directory's last-publisher
 * callback arrives on a session's thread and is handed to {@code junction-cluster} as well.
 */
public final class ClusterNode implements ClusterMembership, Placement, DirectorySource, MetricsSource {

    static final String ROOMS = "junction.rooms";
    static final String NODES = "junction.nodes";
    static final long TICK_MS = 1_000;
    static final long CLAIM_GRACE_MS = 10_000;
    /** Joining waits this long for the cluster to form (Hazelcast waits a few seconds for other members itself). */
    private static final long JOIN_TIMEOUT_S = 120;
    /** A placement that keeps losing races (homes dying under it) gives up with 503 after this many tries. */
    private static final int PLACEMENT_TRIES = 4;
    private static final Logger LOG = LoggerFactory.getLogger("dev.junction.cluster");

    // Passed by argument.
    private final ClusterSettings settings;
    private final MediaSessions sessions;
    private final Vertx vertx;
    private final HazelcastInstance hazelcast;

    // Allocated by this.
    private final String name;
    private final IMap<String, String> rooms;
    private final IMap<String, String> nodes;
    private final ScheduledExecutorService clusterThread = new ScheduledThreadPoolExecutor(1,
            Thread.ofPlatform().name("junction-cluster").daemon().factory());
    private final ExecutorService placementThreads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("junction-placement-", 0).factory());
    private final String memberUuid;
    /** This node's public URL, announced with its membership. */
    private final String url;
    /** Node pipes: this node's rooms to other nodes' viewers, and theirs to this node's. */
    private final NodePipes pipes;
    /** Redirects answered (WHIP/WHEP POSTs sent to a room's home or the least-loaded node). */
    private final AtomicLong redirects = new AtomicLong();
    /** WHEP POSTs sent to another node because this one takes no new session. */
    private final AtomicLong overflowRedirects = new AtomicLong();
    /** Room entries naming no live member that a placement found and cleared (stale or forged; never followed). */
    private final AtomicLong roomEntriesRejected = new AtomicLong();
    /** Node records matching no live member that this node removed (departed, damaged or forged; never used). */
    private final AtomicLong nodeRecordsRejected = new AtomicLong();

    // Published for any thread.
    /** The cluster as of the last tick (placement reads loads from it; URLs always come from the membership). */
    private volatile ClusterView view = ClusterView.of(List.of(), Map.of());
    private volatile boolean closed;

    // On junction-cluster only.
    /** Rooms homed here without a publisher, since when (ms). */
    private final Map<String, Long> unusedSinceMs = new HashMap<>();
    private long lastPackets;
    private long lastCpuNs;
    private long lastTickNs;
    private UUID membershipRegistration;

    private ClusterNode(ClusterSettings settings, MediaSessions sessions, Vertx vertx, HazelcastInstance hazelcast, String url, NodePipes pipes) {
        this.settings = settings;
        this.url = url;
        this.pipes = pipes;
        this.sessions = sessions;
        this.vertx = vertx;
        this.hazelcast = hazelcast;
        this.name = settings.effectiveNodeName();
        this.rooms = hazelcast.getMap(ROOMS);
        this.nodes = hazelcast.getMap(NODES);
        this.memberUuid = hazelcast.getCluster().getLocalMember().getUuid().toString();
    }

    /**
     * Starts a clustered Vert.x and joins (or forms) the cluster of {@code config.cluster()}; blocks until joined.
     * The node enters the directory once its HTTP API listens ({@link #serving}).
     */
    public static ClusterMembership join(JunctionConfig config, MediaSessions sessions) {
        ClusterSettings s = config.cluster();
        String url = publicUrl(config);
        // The pipe socket first: its address is announced with the membership. Which member owns an address is
        // looked up per use, once the node exists.
        java.util.concurrent.atomic.AtomicReference<ClusterNode> self = new java.util.concurrent.atomic.AtomicReference<>();
        NodePipes pipes = new NodePipes(s.effectiveNodeName(), s.host(), sessions,
                node -> self.get() == null ? Optional.empty() : self.get().membership(Map.of()).member(node).flatMap(ClusterView.Member::pipeAddress),
                new PipeKeyWrap(s.secret()));
        HazelcastClusterManager manager = new HazelcastClusterManager(MemberConfig.of(s, url, pipes.localAddress()));
        // The event bus (node pipes' control messages, their keys wrapped by PipeKeyWrap) listens on the cluster address too.
        VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(s.host()).setPort(0));
        Vertx vertx;
        try {
            vertx = Vertx.builder().with(options).withClusterManager(manager).buildClustered().await(JOIN_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            pipes.close();
            throw new IllegalStateException("cannot join the cluster on " + s.host() + ":" + s.port() + " (members " + s.members() + "): "
                    + e.getMessage(), e);
        }
        ClusterNode node = new ClusterNode(s, sessions, vertx, manager.getHazelcastInstance(), url, pipes);
        self.set(node);
        LOG.info("cluster joined node={} member={} address={}:{} members={}", node.name, node.memberUuid, s.host(), s.port(),
                manager.getHazelcastInstance().getCluster().getMembers().size());
        return node;
    }

    /**
     * {@code cluster.public-url}, or the HTTP API's bound address; the config refuses a cluster whose HTTP port is
     * chosen at bind time (0) without a public URL, since the URL must be announced when the node joins.
     */
    static String publicUrl(JunctionConfig config) {
        if (!config.cluster().publicUrl().isEmpty()) return config.cluster().publicUrl();
        String bind = config.http().bindAddress();
        return "http://" + (bind.indexOf(':') >= 0 ? "[" + bind + "]" : bind) + ":" + config.http().port();
    }

    @Override
    public Vertx vertx() {
        return vertx;
    }

    @Override
    public Placement placement() {
        return this;
    }

    @Override
    public DirectorySource directory() {
        return this;
    }

    @Override
    public MetricsSource metrics() {
        return this;
    }

    @Override
    public void serving() {
        try {
            clusterThread.submit(() -> {
                // Two nodes with one name would steal each other's rooms: the second one refuses to start.
                for (Member m : hazelcast.getCluster().getMembers()) {
                    if (!m.localMember() && name.equals(m.getAttribute(MemberConfig.NODE_ATTRIBUTE))) {
                        throw new IllegalStateException("cluster.node-name '" + name + "' is already used by another node ("
                                + m.getAttribute(MemberConfig.URL_ATTRIBUTE) + ")");
                    }
                }
                pipes.listen(vertx);
                tick();
                membershipRegistration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
                    @Override
                    public void memberAdded(MembershipEvent event) {
                        LOG.info("cluster member joined node={} member={} members={}", event.getMember().getAttribute(MemberConfig.NODE_ATTRIBUTE),
                                event.getMember().getUuid(), event.getMembers().size());
                    }

                    @Override
                    public void memberRemoved(MembershipEvent event) {
                        // On a Hazelcast event thread: hand over, never block it.
                        String gone = event.getMember().getUuid().toString();
                        String goneName = event.getMember().getAttribute(MemberConfig.NODE_ATTRIBUTE);
                        clusterThread.execute(() -> forgetMember(gone, goneName));
                    }
                });
                return null;
            }).get(JOIN_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot enter the cluster directory: " + cause.getMessage(), cause);
        }
        sessions.roomDirectory().onLastPublisherLeft(room -> {
            if (!closed) clusterThread.execute(() -> releaseIfUnused(room));
        });
        clusterThread.scheduleWithFixedDelay(this::tickSafely, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        LOG.info("cluster directory entered node={} url={}", name, url);
    }

    // ---- placement (virtual threads) ------------------------------------------------------------------------------

    @Override
    public CompletionStage<Decision> place(SessionKind kind, String room) {
        return CompletableFuture.supplyAsync(() -> decide(kind, room), placementThreads);
    }

    /**
     * WHIP for a room with a home: here if it is this node, else 307 to the home. WHIP for a new room: claims it for
     * the least-loaded node ({@link NodeRecord#leastLoaded}), or for this node when the room already has sessions here
     * (subscribers waiting for their publisher). WHEP is served here: for a room homed elsewhere a node pipe brings
     * its media ({@link NodePipes}); for a room with no home the subscriber waits for a publisher, as on a single
     * node, and a pipe opens once the publisher lands elsewhere. A home that announces no pipe socket gets WHEP a
     * 307 to its own URL; a home that is no live member is cleared and the room placed anew. WHEP to a node that
     * takes no new session (drained, or at {@code media.max-sessions}) is a 307 to the least-loaded node that does,
     * among those that already carry the room if any (RFC 9725 §4.5's "when the local node is full"); a new room is
     * then not homed here either.
     */
    private Decision decide(SessionKind kind, String room) {
        if (kind == SessionKind.WHEP && !sessions.takesNewSessions()) {
            Decision elsewhere = overflow(room);
            if (elsewhere != null) return elsewhere;
            return Decision.HERE; // no node takes it: answered 503 here
        }
        for (int attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
            String home = rooms.get(room);
            if (home == null) {
                if (kind == SessionKind.WHEP) return Decision.HERE;
                RoomDirectory.Entry local = sessions.roomDirectory().find(room);
                String target = local != null && local.members() > 0 && sessions.takesNewSessions() ? name
                        : NodeRecord.leastLoaded(name, candidates());
                String previous = rooms.putIfAbsent(room, target);
                if (previous == null) {
                    LOG.info("room claimed room={} home={}{}", room, target, target.equals(name) ? "" : " (least loaded)");
                    home = target;
                } else {
                    home = previous; // another node won the race: follow its claim
                }
            }
            if (home.equals(name)) return Decision.HERE;
            if (kind == SessionKind.WHEP && membership(Map.of()).member(home).flatMap(ClusterView.Member::pipeAddress).isPresent()) {
                // Viewers are served on every node: the home's media comes through a node pipe, opened at the next
                // tick (soon after the session exists).
                if (!closed) clusterThread.schedule(this::tickSafely, 300, TimeUnit.MILLISECONDS);
                return Decision.HERE;
            }
            // The URL comes from the membership of now, never from a map entry (ClusterView).
            Optional<String> homeUrl = membership(Map.of()).urlOf(home);
            if (homeUrl.isPresent()) {
                redirects.incrementAndGet();
                return new Elsewhere(home, homeUrl.get());
            }
            // No live member has that name: a departed home not cleaned up yet, or a forged entry. Clear it (only if
            // unchanged) and place again.
            if (rooms.remove(room, home)) {
                roomEntriesRejected.incrementAndGet();
                LOG.warn("room entry names no live node, removed room={} home={}", room, home);
            }
        }
        throw SessionException.unavailable("the cluster's room directory is changing; try again", 1);
    }

    /**
     * Every live node's record as the directory holds it now (a new room is rare next to packets: one read of the
     * node map is worth not placing on a record a tick old), this node's with its session count of now.
     */
    private java.util.Collection<NodeRecord> candidates() {
        Map<String, NodeRecord> all = new HashMap<>(membership(new HashMap<>(nodes)).liveRecords());
        NodeRecord self = all.get(name);
        all.put(name, new NodeRecord(name, memberUuid, url, sessions.sessionCount(), self == null ? 0 : self.packetsPerSecond(),
                self == null ? 0 : self.cpuPercent(), sessions.draining(), full(), pipes.carriedRooms()));
        return all.values();
    }

    /** At {@code media.max-sessions}, though not draining. */
    private boolean full() {
        return !sessions.takesNewSessions() && !sessions.draining();
    }

    /**
     * A viewer this node cannot take (drained or full) goes to the least-loaded node that can and already carries the
     * room, else to the least-loaded that can ({@link NodeRecord#overflow}); null when none can, and this node
     * answers 503 itself.
     */
    private Decision overflow(String room) {
        Optional<String> target = NodeRecord.overflow(name, room, rooms.get(room), candidates());
        Optional<String> targetUrl = target.flatMap(node -> membership(Map.of()).urlOf(node));
        if (targetUrl.isEmpty()) return null;
        overflowRedirects.incrementAndGet();
        return new Elsewhere(target.get(), targetUrl.get());
    }

    // ---- /admin/cluster (virtual threads) ---------------------------------------------------------------------------

    @Override
    public CompletionStage<String> directoryJson() {
        return CompletableFuture.supplyAsync(() -> {
            JsonArray nodeList = new JsonArray();
            Map<String, String> records = new TreeMap<>(nodes);
            ClusterView now = membership(records);
            for (Map.Entry<String, String> e : records.entrySet()) {
                NodeRecord.parse(e.getValue()).ifPresent(r -> nodeList.add(r.toJsonObject().put("live", now.liveRecords().containsKey(e.getKey()))));
            }
            JsonObject roomMap = new JsonObject();
            new TreeMap<>(rooms).forEach(roomMap::put);
            return new JsonObject().put("node", name).put("pipe_address", pipes.localAddress().getAddress().getHostAddress() + ":"
                    + pipes.localAddress().getPort()).put("pipes", pipes.describe()).put("members", hazelcast.getCluster().getMembers().size()).put("nodes", nodeList)
                    .put("rooms", roomMap).encode();
        }, placementThreads);
    }

    // ---- junction-cluster thread ------------------------------------------------------------------------------------

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // A failed tick (a member leaving mid-call) is retried by the next one.
            if (!closed) LOG.warn("cluster tick failed: {}", e.toString());
        }
    }

    /** Republishes this node's load, refreshes the view, sweeps this node's rooms, and the oldest member sweeps orphans. */
    private void tick() {
        if (closed) return;
        nodes.set(name, sample().toJson());
        boolean oldest = hazelcast.getCluster().getMembers().iterator().next().localMember();
        Map<String, String> records = new HashMap<>(nodes);
        ClusterView now = membership(records);
        view = now;
        sweepOwnRooms();
        pipes.tick(names -> new HashMap<>(rooms.getAll(names)));
        if (!oldest) return;
        for (String key : now.rejectedRecords()) {
            if (nodes.remove(key, records.get(key))) {
                nodeRecordsRejected.incrementAndGet();
                LOG.info("node record removed node={} (it matches no live member)", key);
            }
        }
        for (Map.Entry<String, String> e : rooms.entrySet()) {
            if (!membership(Map.of()).isLive(e.getValue()) && rooms.remove(e.getKey(), e.getValue())) {
                roomEntriesRejected.incrementAndGet();
                LOG.info("room removed from the directory room={} home={} (no live node)", e.getKey(), e.getValue());
            }
        }
    }

    /** The members of now, with {@code records} checked against them. */
    private ClusterView membership(Map<String, String> records) {
        List<ClusterView.Member> members = new ArrayList<>();
        for (Member m : hazelcast.getCluster().getMembers()) {
            members.add(new ClusterView.Member(m.getUuid().toString(), m.getAttribute(MemberConfig.NODE_ATTRIBUTE),
                    m.getAttribute(MemberConfig.URL_ATTRIBUTE), m.getAttribute(MemberConfig.PIPE_ATTRIBUTE)));
        }
        return ClusterView.of(members, records);
    }

    /** This node's load now: sessions, and packets and CPU per second since the last sample. */
    private NodeRecord sample() {
        long nowNs = System.nanoTime();
        long packets = sessions.packetsTotal();
        long cpuNs = processCpuNs();
        double seconds = lastTickNs == 0 ? 0 : (nowNs - lastTickNs) / 1e9;
        long pps = seconds <= 0 ? 0 : Math.round(Math.max(0, packets - lastPackets) / seconds);
        double cpu = seconds <= 0 || cpuNs < 0 ? 0 : Math.max(0, cpuNs - lastCpuNs) / 1e9 / seconds * 100;
        lastTickNs = nowNs;
        lastPackets = packets;
        lastCpuNs = cpuNs;
        return new NodeRecord(name, memberUuid, url, sessions.sessionCount(), pps, cpu, sessions.draining(), full(), pipes.carriedRooms());
    }

    private static long processCpuNs() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /**
     * Rooms homed here: one with no publisher here for {@value #CLAIM_GRACE_MS} ms leaves the directory; a local room
     * with publishers that the directory lost (a release racing a new publisher) is claimed again.
     */
    private void sweepOwnRooms() {
        long nowMs = System.currentTimeMillis();
        RoomDirectory local = sessions.roomDirectory();
        Set<String> mine = new HashSet<>(rooms.keySet(Predicates.equal("this", name)));
        for (String room : mine) {
            if (local.publishers(room) > 0) {
                unusedSinceMs.remove(room);
                continue;
            }
            long since = unusedSinceMs.computeIfAbsent(room, r -> nowMs);
            if (nowMs - since >= CLAIM_GRACE_MS && rooms.remove(room, name)) {
                unusedSinceMs.remove(room);
                LOG.info("room removed from the directory room={} (no publisher came within {} ms)", room, CLAIM_GRACE_MS);
            }
        }
        unusedSinceMs.keySet().retainAll(mine);
        for (RoomDirectory.Entry e : local.entries()) {
            String room = e.key().name();
            if (e.publishers() > 0 && !mine.contains(room)) {
                String previous = rooms.putIfAbsent(room, name);
                if (previous != null && !previous.equals(name)) {
                    LOG.warn("room has publishers here but the directory homes it elsewhere room={} home={}", room, previous);
                }
            }
        }
    }

    /** The room's last publisher here left: it leaves the directory unless one came back meanwhile. */
    private void releaseIfUnused(String room) {
        if (closed || sessions.roomDirectory().publishers(room) > 0) return;
        if (rooms.remove(room, name)) LOG.info("room removed from the directory room={} (its last publisher left)", room);
    }

    /**
     * A member left (cleanly or by the membership timeout): its node record and its rooms leave the directory,
     * unless a live member carries its name again (a restarted node that rejoined first).
     */
    private void forgetMember(String uuid, String node) {
        if (closed || node == null || membership(Map.of()).isLive(node)) return;
        String record = nodes.get(node);
        if (record != null && NodeRecord.parse(record).map(r -> r.member().equals(uuid)).orElse(true)) nodes.remove(node, record);
        int removed = 0;
        for (String room : rooms.keySet(Predicates.equal("this", node))) {
            if (rooms.remove(room, node)) removed++;
        }
        view = membership(new HashMap<>(nodes));
        pipes.forgetNode(node);
        LOG.info("node left the cluster node={} member={} rooms-removed={}", node, uuid, removed);
    }

    // ---- /metrics (any thread) --------------------------------------------------------------------------------------

    @Override
    public void appendMetrics(StringBuilder out) {
        ClusterView now = view;
        out.append("# HELP junction_cluster_nodes Live cluster members with a node name, as of the last directory tick.\n")
                .append("# TYPE junction_cluster_nodes gauge\n")
                .append("junction_cluster_nodes ").append(now.size()).append('\n')
                .append("# HELP junction_cluster_redirects_total WHIP/WHEP POSTs answered 307 to another node: to the room's home, or (WHEP) away from this node while it takes no new session.\n")
                .append("# TYPE junction_cluster_redirects_total counter\n")
                .append("junction_cluster_redirects_total{reason=\"home\"} ").append(redirects.get()).append('\n')
                .append("junction_cluster_redirects_total{reason=\"overflow\"} ").append(overflowRedirects.get()).append('\n')
                .append("# HELP junction_cluster_directory_rejected_total Directory entries that named no live member (departed, damaged or forged), removed and never followed.\n")
                .append("# TYPE junction_cluster_directory_rejected_total counter\n")
                .append("junction_cluster_directory_rejected_total{entry=\"room\"} ").append(roomEntriesRejected.get()).append('\n')
                .append("junction_cluster_directory_rejected_total{entry=\"node\"} ").append(nodeRecordsRejected.get()).append('\n');
        pipes.appendMetrics(out);
    }

    /** Out of the directory: this node's rooms and record (bounded wait; the others' clean-up covers a failure). */
    @Override
    public void close() {
        if (closed) return;
        try {
            clusterThread.submit(() -> {
                closed = true;
                if (membershipRegistration != null) hazelcast.getCluster().removeMembershipListener(membershipRegistration);
                for (String room : rooms.keySet(Predicates.equal("this", name))) rooms.remove(room, name);
                nodes.remove(name);
                return null;
            }).get(5, TimeUnit.SECONDS);
            LOG.info("cluster directory left node={}", name);
        } catch (Exception e) {
            LOG.warn("cannot leave the cluster directory cleanly: {}; the other nodes remove this node's entries when it leaves", e.toString());
        } finally {
            closed = true;
            clusterThread.shutdownNow();
            placementThreads.shutdownNow();
            pipes.close();
        }
    }
}
