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
 * cluster over the TCP/IP member list (issue 14): placement by the room directory, WHIP/WHEP 307 to a room's home,
 * and a killed node leaving the directory within the membership timeout while the others keep serving.
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
    private ClientPublisher publisherOnA;
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
        a.awaitReady();
        b = node("b", ports[1], ports[4], members, SECRET);
        c = node("c", ports[2], ports[5], members, SECRET);
        b.awaitReady();
        c.awaitReady();
        await("every node sees three live nodes", DEADLINE, () -> liveNodes(a).size() == 3 && liveNodes(b).size() == 3
                && liveNodes(c).size() == 3, a, b, c);
    }

    /** A node whose HTTP port is fixed up front: its URL is announced with its membership when it joins. */
    private NodeProcess node(String name, int clusterPort, int httpPort, String members, String secret) throws Exception {
        NodeProcess n = NodeProcess.start(name, List.of("-Dhazelcast.wait.seconds.before.join=1"),
                List.of("--cluster", "--node-name", name, "--cluster-host", "127.0.0.1", "--cluster-port", Integer.toString(clusterPort),
                        "--cluster-members", members, "--cluster-secret", secret, "--http-port", Integer.toString(httpPort)),
                // Sessions made by a bare POST never connect: keep them long enough for the test.
                Map.of("JUNCTION_CLUSTER_MEMBER_TIMEOUT_S", Integer.toString(MEMBER_TIMEOUT_S), "JUNCTION_MEDIA_CONSENT_TIMEOUT_MS", "300000"));
        cleanup.add(n);
        return n;
    }

    @AfterAll
    void stopNodes() throws Exception {
        if (publisherOnA != null) publisherOnA.close();
        for (AutoCloseable n : cleanup.reversed()) n.close();
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

        HttpResponse<String> viewer = post(c.url() + "/whep/stage", subscriberOffer());
        assertEquals(307, viewer.statusCode(), "WHEP goes to the home too until node pipes exist: " + viewer.body());
        assertEquals(a.url() + "/whep/stage", viewer.headers().firstValue("Location").orElseThrow());

        // The client re-POSTs where it was sent, and the home serves it.
        HttpResponse<String> followed = post(a.url() + "/whep/stage", subscriberOffer());
        assertEquals(201, followed.statusCode(), followed.body());
    }

    @Test
    @Order(2)
    void shouldShowEachNodesLoadAndHomeNewRoomsOnTheLeastLoaded() throws Exception {
        await("a's load shows its sessions everywhere", DEADLINE, () -> sessions(b, "a") >= 2 && sessions(c, "a") >= 2, a, b, c);
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
    @Order(3)
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
            nodes.put("mallory", new NodeRecord("mallory", aUuid, evil, 0, 0, 0, false).toJson());
            nodes.put("a", new NodeRecord("a", aUuid, evil, 0, 0, 0, false).toJson());
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
    @Order(4)
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
    @Order(5)
    void shouldDropAKilledNodeFromTheDirectoryWhileTheOthersServe() throws Exception {
        // A room homed on b, with a publisher session there: b has no session, so it is among the least loaded
        // and keeps the room it was asked for.
        HttpResponse<String> onB = post(b.url() + "/whip/on-b", publisherOffer());
        assertEquals(201, onB.statusCode(), onB.body());
        await("room on-b homed on b everywhere", DEADLINE, () -> "b".equals(home(a, "on-b")) && "b".equals(home(c, "on-b")), a, b, c);

        b.kill();

        await("a and c drop b's record and rooms", DEADLINE, () -> {
            JsonObject da = a.directory();
            JsonObject dc = c.directory();
            return da != null && dc != null && !names(da).contains("b") && !names(dc).contains("b")
                    && !da.getJsonObject("rooms").getMap().containsValue("b") && !dc.getJsonObject("rooms").getMap().containsValue("b")
                    && da.getInteger("members") == 2 && dc.getInteger("members") == 2;
        }, a, c);

        // A and C carry on: the publisher on a is still there, redirects still point at a, and a new room works.
        assertEquals("a", home(c, "stage"));
        HttpResponse<String> redirected = post(c.url() + "/whip/stage", publisherOffer());
        assertEquals(307, redirected.statusCode(), redirected.body());
        assertEquals(a.url() + "/whip/stage", redirected.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> again = post(c.url() + "/whip/on-b", publisherOffer());
        assertTrue(again.statusCode() == 201 || again.statusCode() == 307, "b's room can be homed anew: " + again.body());
        assertEquals(200, NodeProcess.get(a.url() + "/health", null).statusCode());
        assertEquals(200, NodeProcess.get(c.url() + "/health", null).statusCode());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static String publisherOffer() {
        return ClientOffer.publisher(PEER_CERT.fingerprint(), new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp();
    }

    private static String subscriberOffer() {
        return ClientOffer.subscriber(PEER_CERT.fingerprint(), new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp();
    }

    /** The value of {@code sample} (name and labels, exactly as printed) in {@code n}'s {@code /metrics}. */
    private static long metric(NodeProcess n, String sample) throws Exception {
        String text = NodeProcess.get(n.url() + "/metrics", null).body();
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
