package dev.junction.gateway.cluster;

import static dev.junction.gateway.cluster.NodeProcess.await;
import static dev.junction.gateway.cluster.NodeProcess.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.junction.gateway.browser.ClientPublisher;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.dtls.DtlsCertificate;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three real Junction servers, each its own JVM on loopback with its own HTTP, media and cluster ports, forming a
 * cluster over the TCP/IP member list (issue 14): placement by the room directory, WHIP 307 to a room's home, WHEP
 * served on every node through node pipes (each stream crossing each pipe once, with layer tags, keyframe requests
 * and repairs), a killed viewing node and a killed home leaving the directory within the membership timeout while the
 * others keep serving and a remote viewer's transport stays up, and a fourth node named by its {@code --public-url}.
 *
 * <p>The steps share the three nodes and run in order; every wait is on a condition, with deadlines generous
 * enough for a busy two-core machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterThreeNodesTest {

    private static final String SECRET = "three-node-test-secret";
    /** Short, so that the killed node's entries go within the test's time (production: 60 s). */
    private static final int MEMBER_TIMEOUT_S = 4;
    private static final Duration DEADLINE = Duration.ofSeconds(45);
    private static final DtlsCertificate PEER_CERT = DtlsCertificate.generate();

    private NodeProcess a;
    private NodeProcess b;
    private NodeProcess c;
    /** A fourth node, started late with a public URL of its own, to be the home that dies. */
    private NodeProcess d;
    private ClientPublisher publisherOnA;
    private ClientSubscriber viewerOnC;
    private int[] clusterPorts;
    private String members;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeAll
    void startThreeNodes() throws Exception {
        int[] ports = NodeProcess.freePorts(6);
        clusterPorts = new int[] {ports[0], ports[1], ports[2]};
        members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        // A first, so that B and C join it rather than racing to form clusters of their own.
        a = node("a", ports[0], ports[3], members, SECRET);
        // c runs two media loops and spreads from the first viewer: its second viewer sits on the loop that is not
        // the room's home there, fed by an in-process pipe from the loop the node pipe feeds.
        a.awaitReady();
        b = node("b", ports[1], ports[4], members, SECRET);
        c = node("c", ports[2], ports[5], members, SECRET, "--media-loops", "2", "--spread-after", "0");
        b.awaitReady();
        c.awaitReady();
        await("every node sees three live nodes", DEADLINE, () -> liveNodes(a).size() == 3 && liveNodes(b).size() == 3
                && liveNodes(c).size() == 3, a, b, c);
    }

    /** A node whose HTTP port is fixed up front: its URL is announced with its membership when it joins. */
    private NodeProcess node(String name, int clusterPort, int httpPort, String members, String secret, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--cluster", "--node-name", name, "--cluster-host", "127.0.0.1", "--cluster-port",
                Integer.toString(clusterPort), "--cluster-members", members, "--cluster-secret", secret, "--http-port", Integer.toString(httpPort)));
        args.addAll(List.of(more));
        NodeProcess n = NodeProcess.start(name, List.of("-Dhazelcast.wait.seconds.before.join=1"), args,
                // Sessions made by a bare POST never connect: keep them long enough for the test.
                Map.of("JUNCTION_CLUSTER_MEMBER_TIMEOUT_S", Integer.toString(MEMBER_TIMEOUT_S), "JUNCTION_MEDIA_CONSENT_TIMEOUT_MS", "300000"));
        cleanup.add(n);
        return n;
    }

    @AfterAll
    void stopNodes() throws Exception {
        if (viewerOnC != null) viewerOnC.close();
        if (publisherOnA != null) publisherOnA.close();
        for (AutoCloseable n : cleanup.reversed()) n.close();
        for (NodeProcess n : new NodeProcess[] {a, b, c, d}) {
            if (n != null) assertEquals(List.of(), n.leaks(), "no buffer leaked on a node");
        }
    }

    @Test
    @Order(1)
    void shouldRedirectWhipForARoomHomedElsewhereToItsHome() throws Exception {
        // Every node idle: a new room stays where it was asked for.
        publisherOnA = new ClientPublisher(a.url(), "stage");
        await("the directory homes room stage on a, on every node", DEADLINE,
                () -> "a".equals(home(a, "stage")) && "a".equals(home(b, "stage")) && "a".equals(home(c, "stage")), a, b, c);

        HttpResponse<String> redirected = post(b.url() + "/whip/stage", publisherOffer());
        assertEquals(307, redirected.statusCode(), redirected.body());
        assertEquals(a.url() + "/whip/stage", redirected.headers().firstValue("Location").orElseThrow());
        assertTrue(redirected.body().contains("node a"), redirected.body());

        // The client re-POSTs where it was sent, and the home serves it.
        HttpResponse<String> followed = post(a.url() + "/whep/stage", subscriberOffer());
        assertEquals(201, followed.statusCode(), followed.body());
    }

    @Test
    @Order(2)
    void shouldCarryTheHomesMediaToViewersOnEveryNodeOncePerNodePair() throws Exception {
        List<ClientSubscriber> onB = List.of(new ClientSubscriber(b.url() + "/whep/stage"), new ClientSubscriber(b.url() + "/whep/stage"));
        viewerOnC = new ClientSubscriber(c.url() + "/whep/stage");
        ClientSubscriber secondOnC = new ClientSubscriber(c.url() + "/whep/stage");
        try {
            List<ClientSubscriber> all = List.of(onB.get(0), onB.get(1), viewerOnC, secondOnC);
            await("every viewer on b and c receives a's audio and video through the node pipes", DEADLINE,
                    () -> all.stream().allMatch(v -> v.video() >= 50 && v.audio() >= 50), a, b, c);
            assertEquals(2, metric(a, "junction_cluster_pipes{direction=\"out\"}"), "one pipe per node pair, not per viewer");
            assertEquals(1, metric(b, "junction_cluster_pipes{direction=\"in\"}"));
            assertEquals(1, metric(c, "junction_cluster_pipes{direction=\"in\"}"));

            long[] before = pipeFigures();
            long videoBefore = viewerOnC.video();
            long[] videoOnB = {onB.get(0).video(), onB.get(1).video()};
            await("three more seconds of media", DEADLINE, () -> viewerOnC.video() >= videoBefore + 150, a, b, c);
            long[] after = pipeFigures();
            double published = after[0] - before[0];
            System.out.printf("node pipes over %.0f packets published on a: %d to b, %d to c; b received %d and forwarded %d to its two viewers%n",
                    published, after[1] - before[1], after[2] - before[2], after[3] - before[3], after[4] - before[4]);
            assertTrue(published >= 200, "a received the publisher's packets: " + published);
            assertBetween((after[1] - before[1]) / published, 0.8, 1.2, "each stream crosses the pipe to b once, though b has two viewers");
            assertBetween((after[2] - before[2]) / published, 0.8, 1.2, "and the pipe to c once");
            assertBetween((after[3] - before[3]) / (double) (after[1] - before[1]), 0.8, 1.2, "b receives what a sends it");
            assertBetween((after[4] - before[4]) / (double) (after[3] - before[3]), 1.6, 2.4, "b fans out to its two viewers itself");
            assertBetween((after[6] - before[6]) / (double) (after[5] - before[5]), 1.6, 2.4,
                    "c's rooms take each piped packet twice: from the node pipe on the home loop, and from the loop pipe on the other");
            assertTrue(onB.get(0).video() > videoOnB[0] && onB.get(1).video() > videoOnB[1], "both viewers on b keep receiving");

            // Hostile input: datagrams to c's pipe socket from this test (no member's pipe address) are dropped and
            // counted, whether they name c's open pipe, no pipe, or are not pipe datagrams at all.
            JsonObject dc = c.directory();
            String[] hostPort = dc.getString("pipe_address").split(":");
            int pipeId = dc.getJsonArray("pipes").getJsonObject(0).getInteger("id");
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
                java.net.InetSocketAddress to = new java.net.InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
                byte[] forged = new byte[64];
                forged[0] = 'J';
                forged[1] = 1;
                java.nio.ByteBuffer.wrap(forged, 4, 4).putInt(pipeId);
                socket.send(new java.net.DatagramPacket(forged, forged.length, to));
                byte[] unknown = forged.clone();
                java.nio.ByteBuffer.wrap(unknown, 4, 4).putInt(pipeId + 1);
                socket.send(new java.net.DatagramPacket(unknown, unknown.length, to));
                socket.send(new java.net.DatagramPacket(new byte[] {1, 2, 3}, 3, to));
            }
            await("c counts the three datagrams as dropped", DEADLINE,
                    () -> metric(c, "junction_cluster_pipe_dropped_total{reason=\"unknown_source\"}") == 1
                            && metric(c, "junction_cluster_pipe_dropped_total{reason=\"unknown_pipe\"}") == 1
                            && metric(c, "junction_cluster_pipe_dropped_total{reason=\"malformed\"}") == 1, c);
        } finally {
            // b's viewers leave (the later steps want b idle); c's stays, to show c carries on when b dies.
            for (ClientSubscriber v : onB) v.close();
            secondOnC.close();
        }
        await("b's viewers gone, its pipe closed", DEADLINE, () -> metric(b, "junction_cluster_pipes{direction=\"in\"}") == 0
                && metric(a, "junction_cluster_pipes{direction=\"out\"}") == 1, a, b, c);
    }

    /**
     * a's room RTP in, a's pipe packets to b and to c, b's pipe packets from a, b's RTP forwarded to its viewers, c's
     * pipe packets from a, c's rooms' piped RTP in (node pipe and loop pipe).
     */
    private long[] pipeFigures() throws Exception {
        return new long[] {metric(a, "junction_room_rtp_in_total"), metric(a, "junction_cluster_pipe_packets_total{direction=\"out\",node=\"b\"}"),
                metric(a, "junction_cluster_pipe_packets_total{direction=\"out\",node=\"c\"}"),
                metric(b, "junction_cluster_pipe_packets_total{direction=\"in\",node=\"a\"}"), metric(b, "junction_room_rtp_forwarded_total"),
                metric(c, "junction_cluster_pipe_packets_total{direction=\"in\",node=\"a\"}"), metric(c, "junction_room_rtp_piped_in_total")};
    }

    private static void assertBetween(double value, double low, double high, String what) {
        assertTrue(value >= low && value <= high, what + ": " + value + " not in [" + low + ", " + high + "]");
    }

    /**
     * A simulcast room homed on b, viewed on c through a node pipe: the layer tags cross the pipe, so c's viewer pins
     * the low layer through the WHEP layer endpoint and gets it, then returns to the top, as it would on b (each switch
     * asks the home for a keyframe over the pipe). A NACK c can answer from its own cache is answered there; one for a
     * packet c no longer holds is asked of the home over the pipe (issue 14: "keyframe requests and NACKs travel back
     * on it").
     */
    @Test
    @Order(3)
    void shouldCarryLayerTagsKeyframeRequestsAndRepairsOverThePipe() throws Exception {
        // b idle in its own view, so the new room stays where it is asked for.
        await("b's own record shows no session", DEADLINE, () -> sessions(b, "b") == 0, b);
        ClientPublisher simulcast = new ClientPublisher(b.url(), "layers", List.of("q", "f"));
        ClientSubscriber viewer = null;
        try {
            await("room layers homed on b, as c sees it", DEADLINE, () -> "b".equals(home(c, "layers")), b, c);
            ClientSubscriber v = viewer = new ClientSubscriber(c.url() + "/whep/layers");
            await("c's viewer receives b's top layer through the pipe", DEADLINE, () -> v.lastVideoLayer() == 1 && v.video() >= 50, b, c);
            String layer = link(v, "urn:ietf:params:whep:ext:core:layer");

            long[] keyframes = {metric(b, KEYFRAME_REQUESTS), metric(c, KEYFRAME_REQUESTS)};
            HttpResponse<String> pinned = postJson(c.url() + layer, "{\"mediaId\":\"1\",\"encodingId\":\"q\"}");
            assertEquals(200, pinned.statusCode(), pinned.body());
            awaitLayer(v, 0, b, c);
            await("the switch's keyframe request crossed the pipe: sent by c, taken by b", DEADLINE,
                    () -> metric(c, KEYFRAME_REQUESTS) > keyframes[1] && metric(b, KEYFRAME_REQUESTS) > keyframes[0], b, c);

            long[] again = {metric(b, KEYFRAME_REQUESTS), metric(c, KEYFRAME_REQUESTS)};
            assertEquals(200, postJson(c.url() + layer, "{\"mediaId\":\"1\"}").statusCode(), "back to automatic");
            awaitLayer(v, 1, b, c);
            await("and the switch back up asked again", DEADLINE,
                    () -> metric(c, KEYFRAME_REQUESTS) > again[1] && metric(b, KEYFRAME_REQUESTS) > again[0], b, c);

            // A NACK for the newest packet: c holds it, and resends it as RTX itself; nothing is asked of b.
            long[] repairs = {metric(b, REPAIR_REQUESTS), metric(c, REPAIR_REQUESTS)};
            int newest = v.lastVideoSeq();
            long rtxBefore = v.retransmissions();
            v.nack(newest);
            await("c resends the NACKed packet from its cache", DEADLINE,
                    () -> v.retransmissions() > rtxBefore && v.lastRetransmittedSeq() == newest, b, c);
            assertEquals(repairs[1], metric(c, REPAIR_REQUESTS), "answered on c, not asked of the home");

            // A NACK for a packet c no longer resends (older than its cache's age limit, still within its ring): c asks
            // the home for it over the pipe, and b takes the sealed request. b's copy is as old, so it sends nothing:
            // on loopback the pipe loses nothing, and a retransmission through it would need a loss there.
            long shown = v.video();
            await("two more seconds on the top layer", DEADLINE, () -> v.video() >= shown + 100, b, c);
            int old = (v.lastVideoSeq() - 75) & 0xFFFF;
            v.nack(old);
            await("the repair request crossed the pipe: sent by c, taken by b", DEADLINE,
                    () -> metric(c, REPAIR_REQUESTS) == repairs[1] + 1 && metric(b, REPAIR_REQUESTS) == repairs[0] + 1, b, c);
            assertEquals(0, metric(b, "junction_cluster_pipe_dropped_total{reason=\"bad_auth\"}"), "b opened every request");
            assertEquals(null, v.closedReason());
        } finally {
            if (viewer != null) viewer.close();
            simulcast.delete();
        }
        await("room layers gone, its pipe closed", DEADLINE, () -> home(c, "layers") == null
                && metric(b, "junction_cluster_pipes{direction=\"out\"}") == 0 && metric(c, "junction_cluster_pipes{direction=\"in\"}") == 1, b, c);
    }

    private static final String KEYFRAME_REQUESTS = "junction_cluster_pipe_requests_total{kind=\"keyframe\"}";
    private static final String REPAIR_REQUESTS = "junction_cluster_pipe_requests_total{kind=\"repair\"}";

    /** Waits until {@code viewer} receives {@code layer}, and still does twenty packets later. */
    private static void awaitLayer(ClientSubscriber viewer, int layer, NodeProcess... nodes) throws InterruptedException {
        await("the viewer receives layer " + layer, DEADLINE, () -> viewer.lastVideoLayer() == layer, nodes);
        long seen = viewer.video();
        await("more video", DEADLINE, () -> viewer.video() > seen + 20, nodes);
        assertEquals(layer, viewer.lastVideoLayer(), "it stays on layer " + layer);
    }

    @Test
    @Order(4)
    void shouldShowEachNodesLoadAndHomeNewRoomsOnTheLeastLoaded() throws Exception {
        await("a's load shows its sessions everywhere, and b's none (its viewers left)", DEADLINE,
                () -> sessions(b, "a") >= 2 && sessions(c, "a") >= 2 && sessions(a, "b") == 0, a, b, c);
        JsonObject fromB = b.directory();
        assertTrue(record(fromB, "a").getLong("packets_per_s") > 0, "the publisher's media counts as a's load: " + fromB);
        assertEquals(a.url(), record(fromB, "a").getString("url"));

        // A new room asked of the busy node goes to an idle one, and the claim is the same for every node.
        HttpResponse<String> placed = post(a.url() + "/whip/second", publisherOffer());
        assertEquals(307, placed.statusCode(), placed.body());
        String location = placed.headers().firstValue("Location").orElseThrow();
        String target = location.equals(b.url() + "/whip/second") ? "b" : "c";
        assertEquals((target.equals("b") ? b : c).url() + "/whip/second", location);
        assertEquals(target, home(a, "second"));

        // Two nodes asked for one new room agree on one home (putIfAbsent).
        HttpResponse<String> again = post(c.url() + "/whip/second", publisherOffer());
        if (target.equals("c")) {
            assertEquals(201, again.statusCode(), again.body());
        } else {
            assertEquals(307, again.statusCode(), again.body());
            assertEquals(b.url() + "/whip/second", again.headers().firstValue("Location").orElseThrow());
        }
    }

    @Test
    @Order(5)
    void shouldNeverRedirectToAForgedDirectoryEntry() throws Exception {
        // Whoever holds the secret can write the directory's maps (here a Hazelcast client, as a compromised host
        // could): a room homed on a name no member carries, a record for it, and a's record with another URL.
        ClientConfig config = new ClientConfig().setClusterName(MemberConfig.clusterName(SECRET)).setProperty("hazelcast.phone.home.enabled", "false")
                .setProperty("hazelcast.logging.type", "none");
        config.getNetworkConfig().addAddress("127.0.0.1:" + clusterPorts[0]);
        HazelcastInstance intruder = HazelcastClient.newHazelcastClient(config);
        try {
            IMap<String, String> rooms = intruder.getMap(ClusterNode.ROOMS);
            IMap<String, String> nodes = intruder.getMap(ClusterNode.NODES);
            String evil = "http://evil.example";
            String aUuid = NodeRecord.parse(nodes.get("a")).orElseThrow().member();
            nodes.put("mallory", new NodeRecord("mallory", aUuid, evil, 0, 0, 0, false, false, java.util.Set.of()).toJson());
            nodes.put("a", new NodeRecord("a", aUuid, evil, 0, 0, 0, false, false, java.util.Set.of()).toJson());
            rooms.put("forged", "mallory");

            HttpResponse<String> toA = post(c.url() + "/whip/stage", publisherOffer());
            assertEquals(307, toA.statusCode(), toA.body());
            assertEquals(a.url() + "/whip/stage", toA.headers().firstValue("Location").orElseThrow(), "a's URL from its membership, not its record");

            HttpResponse<String> forged = post(b.url() + "/whip/forged", publisherOffer());
            String location = forged.headers().firstValue("Location").orElse("");
            assertTrue(forged.statusCode() == 201 || (forged.statusCode() == 307
                    && List.of(a.url(), b.url(), c.url()).stream().anyMatch(u -> location.equals(u + "/whip/forged"))),
                    "placed anew on a member, never sent to mallory: " + forged.statusCode() + " " + location);
            assertTrue(!"mallory".equals(rooms.get("forged")), "the forged home is gone");
            if (forged.statusCode() == 201) {
                // Leave b without sessions, as the later steps expect.
                String session = b.url() + forged.headers().firstValue("Location").orElseThrow();
                assertEquals(200, NodeProcess.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(session)).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            assertTrue(metric(b, "junction_cluster_directory_rejected_total{entry=\"room\"}") >= 1);
            await("the oldest member removes the forged record", DEADLINE, () -> !nodes.containsKey("mallory")
                    && !NodeRecord.parse(nodes.get("a")).map(r -> r.url().equals(evil)).orElse(true), a, b, c);
        } finally {
            intruder.shutdown();
        }
    }

    @Test
    @Order(6)
    void shouldKeepANodeWithAnotherSecretOut() throws Exception {
        int[] ports = NodeProcess.freePorts(2);
        NodeProcess outsider = node("outsider", ports[0], ports[1], members, "another-secret-entirely");
        outsider.awaitReady();
        // Listening means its join is over: it formed a cluster of its own.
        JsonObject own = outsider.directory();
        assertEquals(1, own.getInteger("members"), own.encode());
        assertEquals(3, a.directory().getInteger("members"));
        assertTrue(!liveNodes(a).contains("outsider") && !a.directory().getJsonObject("rooms").getMap().containsValue("outsider"));
        outsider.close();
    }

    @Test
    @Order(7)
    void shouldDropAKilledNodeFromTheDirectoryWhileTheOthersServe() throws Exception {
        // A room homed on b, with a publisher session there: b has no session, so it is among the least loaded
        // and keeps the room it was asked for.
        HttpResponse<String> onB = post(b.url() + "/whip/on-b", publisherOffer());
        assertEquals(201, onB.statusCode(), onB.body());
        await("room on-b homed on b everywhere", DEADLINE, () -> "b".equals(home(a, "on-b")) && "b".equals(home(c, "on-b")), a, b, c);
        // And a viewer of a's room on b, so that b dies with a pipe from a open.
        ClientSubscriber viewerOnB = new ClientSubscriber(b.url() + "/whep/stage");
        cleanup.add(viewerOnB);
        await("b's viewer receives a's media, a feeding b and c", DEADLINE, () -> viewerOnB.video() >= 50
                && metric(a, "junction_cluster_pipes{direction=\"out\"}") == 2, a, b, c);

        b.kill();
        long killedNs = System.nanoTime();

        await("a and c drop b's record and rooms", DEADLINE, () -> {
            JsonObject da = a.directory();
            JsonObject dc = c.directory();
            return da != null && dc != null && !names(da).contains("b") && !names(dc).contains("b")
                    && !da.getJsonObject("rooms").getMap().containsValue("b") && !dc.getJsonObject("rooms").getMap().containsValue("b")
                    && da.getInteger("members") == 2 && dc.getInteger("members") == 2;
        }, a, c);
        assertWithinMembershipTimeout("b", killedNs);

        // a's pipe to b ended with b; its pipe to c and its publisher carry on.
        await("a closes its pipe to the dead node", DEADLINE, () -> metric(a, "junction_cluster_pipes{direction=\"out\"}") == 1
                && a.directory().getJsonArray("pipes").stream().map(JsonObject.class::cast).noneMatch(p -> "b".equals(p.getString("node"))), a, c);
        long inOnA = metric(a, "junction_room_rtp_in_total");
        long videoOnC = viewerOnC.video();
        await("c's viewer keeps receiving a's media after b died, a's publisher still sending", DEADLINE,
                () -> viewerOnC.video() >= videoOnC + 50 && metric(a, "junction_room_rtp_in_total") >= inOnA + 100, a, c);
        assertEquals("a", home(c, "stage"));
        HttpResponse<String> redirected = post(c.url() + "/whip/stage", publisherOffer());
        assertEquals(307, redirected.statusCode(), redirected.body());
        assertEquals(a.url() + "/whip/stage", redirected.headers().firstValue("Location").orElseThrow());

        // b's room is homed anew on a survivor: c itself (201) or the node its 307 names; the directory agrees.
        HttpResponse<String> again = post(c.url() + "/whip/on-b", publisherOffer());
        String newHome;
        if (again.statusCode() == 201) {
            newHome = "c";
        } else {
            assertEquals(307, again.statusCode(), again.body());
            assertEquals(a.url() + "/whip/on-b", again.headers().firstValue("Location").orElseThrow());
            newHome = "a";
        }
        assertEquals(newHome, home(a, "on-b"), "b's room has its new home in the directory");
        assertEquals(newHome, home(c, "on-b"));
        assertEquals(200, NodeProcess.get(a.url() + "/health", null).statusCode());
        assertEquals(200, NodeProcess.get(c.url() + "/health", null).statusCode());
    }

    /**
     * The directory dropped {@code node} within the membership timeout: Hazelcast's no-heartbeat limit, a heartbeat
     * interval (1 s at this timeout, MemberConfig), the cluster tick that republishes (1 s), and slack for a busy
     * machine running four JVMs.
     */
    private static void assertWithinMembershipTimeout(String node, long killedNs) {
        long tookMs = (System.nanoTime() - killedNs) / 1_000_000;
        long boundMs = MEMBER_TIMEOUT_S * 1_000L + 2_000 + 6_000;
        System.out.printf("node %s left the directory %d ms after its kill (membership timeout %d s, bound %d ms)%n", node, tookMs,
                MEMBER_TIMEOUT_S, boundMs);
        assertTrue(tookMs <= boundMs, node + " left the directory " + tookMs + " ms after its kill, more than " + boundMs + " ms");
    }

    /**
     * The home dies while a viewer elsewhere is connected through its pipe: a fourth node d, announced under a public
     * URL that differs from its bound address (localhost, not 127.0.0.1), homes a room viewed on a. When d is killed,
     * a's pipe from it ends and the room leaves the directory, while the viewer's transport stays up; a new publisher
     * on a survivor becomes the home, and the same viewer session receives video again without renegotiating.
     */
    @Test
    @Order(8)
    void shouldKeepARemoteViewerUpWhenItsHomeDiesAndRefillItFromTheNextHome() throws Exception {
        int[] ports = NodeProcess.freePorts(2);
        String publicUrl = "http://localhost:" + ports[1];
        d = node("d", ports[0], ports[1], members, SECRET, "--public-url", publicUrl);
        d.awaitReady();
        await("a and c see d live", DEADLINE, () -> liveNodes(a).contains("d") && liveNodes(c).contains("d") && sessions(a, "d") == 0, a, c, d);

        // --public-url is what the cluster names d by: in /admin/cluster and in a 307's Location.
        assertEquals(publicUrl, record(a.directory(), "d").getString("url"));
        assertEquals(publicUrl, record(c.directory(), "d").getString("url"));
        assertEquals(publicUrl, d.directory().getJsonArray("nodes").stream().map(JsonObject.class::cast)
                .filter(n -> "d".equals(n.getString("name"))).findFirst().orElseThrow().getString("url"));
        HttpResponse<String> toD = post(a.url() + "/whip/on-d", publisherOffer());
        assertEquals(307, toD.statusCode(), "a new room asked of busy a goes to idle d: " + toD.body());
        assertEquals(publicUrl + "/whip/on-d", toD.headers().firstValue("Location").orElseThrow());
        // The client follows the Location: the public name reaches d.
        ClientPublisher onD = new ClientPublisher(publicUrl, "on-d");
        cleanup.add(onD);
        await("room on-d homed on d, as a sees it", DEADLINE, () -> "d".equals(home(a, "on-d")), a, d);

        ClientSubscriber viewer = new ClientSubscriber(a.url() + "/whep/on-d");
        cleanup.add(viewer);
        await("a's viewer receives d's media through the pipe d to a", DEADLINE, () -> viewer.video() >= 50
                && metric(a, "junction_cluster_pipes{direction=\"in\"}") == 1, a, d);

        d.kill();
        long killedNs = System.nanoTime();
        await("a and c drop d and its room; a's pipe from d ends", DEADLINE, () -> {
            JsonObject da = a.directory();
            JsonObject dc = c.directory();
            return da != null && dc != null && !names(da).contains("d") && !names(dc).contains("d") && home(a, "on-d") == null
                    && home(c, "on-d") == null && da.getInteger("members") == 2 && dc.getInteger("members") == 2;
        }, a, c);
        assertWithinMembershipTimeout("d", killedNs);
        await("the viewer side's pipe is gone", DEADLINE, () -> metric(a, "junction_cluster_pipes{direction=\"in\"}") == 0, a, c);
        assertEquals(null, viewer.closedReason(), "the viewer's transport stays up");
        assertTrue(viewer.transportConnected(), "the viewer's transport stays up");

        // A new publisher asked of c becomes the home: c is no busier than a (which holds the viewer), so it keeps
        // the room it is asked for.
        await("c no busier than a in c's view", DEADLINE, () -> sessions(c, "c") >= 0 && sessions(c, "c") <= sessions(c, "a"), a, c);
        ClientPublisher next = new ClientPublisher(c.url(), "on-d");
        cleanup.add(next);
        await("the directory homes on-d on c", DEADLINE, () -> "c".equals(home(a, "on-d")) && "c".equals(home(c, "on-d")), a, c);
        long videoBefore = viewer.video();
        await("the same viewer session receives the new home's video through a new pipe", DEADLINE,
                () -> viewer.video() >= videoBefore + 50, a, c);
        assertTrue(a.directory().getJsonArray("pipes").stream().map(JsonObject.class::cast)
                .anyMatch(p -> "on-d".equals(p.getString("room")) && "in".equals(p.getString("direction")) && "c".equals(p.getString("node"))));
        assertEquals(null, viewer.closedReason());

        // Leave the room, so the later steps see c with only its viewer of a's room.
        viewer.close();
        next.delete();
        await("on-d gone, c's pipe to a closed", DEADLINE, () -> home(c, "on-d") == null
                && metric(c, "junction_cluster_pipes{direction=\"out\"}") == 0 && metric(a, "junction_cluster_pipes{direction=\"in\"}") == 0, a, c);
    }

    @Test
    @Order(9)
    void shouldSendViewersAndNewRoomsAwayFromADrainedNode() throws Exception {
        c.drain();
        await("the directory shows c draining", DEADLINE, () -> {
            JsonObject da = a.directory();
            return da != null && da.getJsonArray("nodes").stream().map(JsonObject.class::cast)
                    .anyMatch(n -> "c".equals(n.getString("name")) && n.getBoolean("draining"));
        }, a, c);

        // A viewer asking c goes to a, which takes it (RFC 9725 §4.5: the local node is full).
        HttpResponse<String> toA = post(c.url() + "/whep/stage", subscriberOffer());
        assertEquals(307, toA.statusCode(), toA.body());
        assertEquals(a.url() + "/whep/stage", toA.headers().firstValue("Location").orElseThrow());
        assertEquals(1, metric(c, "junction_cluster_redirects_total{reason=\"overflow\"}"));
        HttpResponse<String> onA = post(a.url() + "/whep/stage", subscriberOffer());
        assertEquals(201, onA.statusCode(), onA.body());

        // A new room is not homed on the drained node, though it was asked.
        HttpResponse<String> newRoom = post(c.url() + "/whip/after-drain", publisherOffer());
        assertEquals(307, newRoom.statusCode(), newRoom.body());
        assertEquals(a.url() + "/whip/after-drain", newRoom.headers().firstValue("Location").orElseThrow());

        // Drained, not stopped: c's viewer keeps receiving.
        long videoOnC = viewerOnC.video();
        await("c's viewer keeps receiving while c drains", DEADLINE, () -> viewerOnC.video() >= videoOnC + 50, a, c);
    }

    /**
     * The home's room goes (its publisher leaves): the pipe to c closes and c's viewer keeps its transport, its slots
     * empty. A new publisher homes the room again, and the same viewer receives it through a new pipe without
     * renegotiating (issue 14, node pipes: "when a new home appears, the slots refill without renegotiation").
     */
    @Test
    @Order(10)
    void shouldRefillARemoteViewersSlotsWhenTheRoomHasAHomeAgain() throws Exception {
        publisherOnA.delete();
        publisherOnA = null;
        await("the room leaves the directory and c's pipe closes", DEADLINE,
                () -> home(c, "stage") == null && metric(c, "junction_cluster_pipes{direction=\"in\"}") == 0, a, c);
        assertEquals(null, viewerOnC.closedReason(), "the viewer's transport stays up");

        ClientPublisher again = new ClientPublisher(a.url(), "stage");
        cleanup.add(again);
        long videoBefore = viewerOnC.video();
        await("c's viewer receives the new publisher through a new pipe, on the session it has", DEADLINE,
                () -> viewerOnC.video() >= videoBefore + 50, a, c);
        assertEquals("a", home(c, "stage"));
        assertEquals(1, metric(c, "junction_cluster_pipes{direction=\"in\"}"));
        assertEquals(null, viewerOnC.closedReason());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static String publisherOffer() {
        return ClientOffer.publisher(PEER_CERT.fingerprint(), new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp();
    }

    private static String subscriberOffer() {
        return ClientOffer.subscriber(PEER_CERT.fingerprint(), new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp();
    }

    private static String link(ClientSubscriber viewer, String rel) {
        for (String l : viewer.links()) {
            if (l.contains("rel=\"" + rel + "\"")) return l.substring(l.indexOf('<') + 1, l.indexOf('>'));
        }
        throw new AssertionError("no Link with rel " + rel + " in " + viewer.links());
    }

    private static HttpResponse<String> postJson(String url, String json) throws Exception {
        return NodeProcess.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of {@code sample} (name and labels, exactly as printed) in {@code n}'s {@code /metrics}. */
    private static long metric(NodeProcess n, String sample) {
        String text;
        try {
            text = NodeProcess.get(n.url() + "/metrics", null).body();
        } catch (Exception e) {
            throw new AssertionError("no /metrics from " + n.url(), e);
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(sample + " ")) return Long.parseLong(line.substring(sample.length() + 1).trim());
        }
        throw new AssertionError("no " + sample + " in /metrics of " + n.url());
    }

    private static String home(NodeProcess n, String room) {
        JsonObject d = n.directory();
        return d == null ? null : d.getJsonObject("rooms").getString(room);
    }

    private static Set<String> liveNodes(NodeProcess n) {
        JsonObject d = n.directory();
        if (d == null) return Set.of();
        Set<String> live = new java.util.HashSet<>();
        d.getJsonArray("nodes").forEach(o -> {
            JsonObject r = (JsonObject) o;
            if (r.getBoolean("live")) live.add(r.getString("name"));
        });
        return live;
    }

    private static Set<String> names(JsonObject directory) {
        Set<String> out = new java.util.HashSet<>();
        directory.getJsonArray("nodes").forEach(o -> out.add(((JsonObject) o).getString("name")));
        return out;
    }

    private static JsonObject record(JsonObject directory, String node) {
        for (Object o : directory.getJsonArray("nodes")) {
            if (((JsonObject) o).getString("name").equals(node)) return (JsonObject) o;
        }
        throw new AssertionError("no record of node " + node + " in " + directory);
    }

    private static int sessions(NodeProcess n, String node) {
        JsonObject d = n.directory();
        if (d == null) return -1;
        for (Object o : d.getJsonArray("nodes")) {
            if (((JsonObject) o).getString("name").equals(node)) return ((JsonObject) o).getInteger("sessions");
        }
        return -1;
    }
}
