package dev.junction.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.gateway.session.MediaSessions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One node's pipes ({@code b}) against a stand-in home node ({@code a}): the home's end of the event bus is a
 * consumer on a local Vert.x, its pipe socket a plain UDP socket on loopback. Shows, at the counter level, that the
 * key crosses the event bus wrapped, that datagrams under another key or replayed are dropped and counted, and
 * that an {@code open} whose wrapped key does not authenticate is refused and counted.
 */
class NodePipesTest {

    private static final String SECRET = "a-secret-of-16-chars-or-more";
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    private MediaSessions sessions;
    private Vertx vertx;
    private DatagramSocket home;
    private NodePipes b;

    @BeforeEach
    void start() throws Exception {
        sessions = MediaSessions.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "1"}));
        vertx = Vertx.vertx();
        home = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress homeAddress = (InetSocketAddress) home.getLocalSocketAddress();
        b = new NodePipes("b", "127.0.0.1", sessions, node -> node.equals("a") ? Optional.of(homeAddress) : Optional.empty(),
                new PipeKeyWrap(SECRET));
        b.listen(vertx);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            b.close();
            vertx.close().await(10, TimeUnit.SECONDS);
        } finally {
            home.close();
            sessions.close();
        }
    }

    @Test
    void shouldSendTheKeyWrappedAndDropAndCountDatagramsUnderAnotherKeyOrReplayed() throws Exception {
        // The stand-in home accepts the pipe b opens for its viewers of "stage", and keeps the open message.
        CompletableFuture<JsonObject> opened = new CompletableFuture<>();
        vertx.eventBus().<JsonObject>consumer(NodePipes.ADDRESS + "a", m -> {
            if ("open".equals(m.body().getString("op"))) {
                opened.complete(m.body());
                m.reply(new JsonObject().put("ok", true));
            }
        });
        sessions.roomDirectory().enter("stage", true);
        b.tick(rooms -> Map.of("stage", "a"));
        JsonObject open = opened.get(20, TimeUnit.SECONDS);
        int pipeId = open.getInteger("pipe");
        assertNull(open.getValue("key"), "no key in the clear");
        byte[] key = new PipeKeyWrap(SECRET).unwrap(open.getString("wrapped_key"), pipeId, "stage", "b", "a").orElseThrow();
        assertTrue(new PipeKeyWrap("another-secret-of-16-chars").unwrap(open.getString("wrapped_key"), pipeId, "stage", "b", "a").isEmpty(),
                "an eavesdropper without the secret cannot open it");
        await(() -> b.carriedRooms().equals(Set.of("stage")), "the accepted pipe's room is published as carried");

        // A datagram sealed with the pipe's key, from the home's announced address: taken.
        byte[] good = sealed(new PipeSeal(key, PipeSeal.FROM_HOME), pipeId);
        sendToB(good);
        await(() -> metric("junction_cluster_pipe_packets_total{direction=\"in\",node=\"a\"}") == 1, "the sealed datagram is taken");

        // The same datagram again: a replay.
        sendToB(good);
        await(() -> metric("junction_cluster_pipe_dropped_total{reason=\"replay\"}") == 1, "the replay is dropped and counted");

        // The pipe's id and the home's address, but sealed under another key (a forger who knows the pipe id).
        byte[] otherKey = key.clone();
        otherKey[0] ^= 1;
        PipeSeal forger = new PipeSeal(otherKey, PipeSeal.FROM_HOME);
        sealed(forger, pipeId); // counter 0 was taken: a datagram on it would only be a replay
        sendToB(sealed(forger, pipeId));
        await(() -> metric("junction_cluster_pipe_dropped_total{reason=\"bad_auth\"}") == 1, "the datagram under another key is dropped and counted");

        // The pipe's own key, but the direction towards the home: its nonces are the other direction's.
        PipeSeal wrongWay = new PipeSeal(key, PipeSeal.TO_HOME);
        sealed(wrongWay, pipeId);
        sendToB(sealed(wrongWay, pipeId));
        await(() -> metric("junction_cluster_pipe_dropped_total{reason=\"bad_auth\"}") == 2, "the other direction's datagram is refused");

        // The genuine pipe still works after all that: counter 1 was never taken (refused datagrams move no window).
        PipeSeal sealer = new PipeSeal(key, PipeSeal.FROM_HOME);
        sealed(sealer, pipeId);
        sendToB(sealed(sealer, pipeId));
        await(() -> metric("junction_cluster_pipe_packets_total{direction=\"in\",node=\"a\"}") == 2, "the pipe carries on");
        assertEquals(1, metric("junction_cluster_pipe_dropped_total{reason=\"replay\"}"));
        assertEquals(2, metric("junction_cluster_pipe_dropped_total{reason=\"bad_auth\"}"));
        assertEquals(0, metric("junction_cluster_pipe_dropped_total{reason=\"unknown_source\"}"));
    }

    @Test
    void shouldRefuseAndCountAnOpenWhoseWrappedKeyDoesNotAuthenticate() throws Exception {
        byte[] key = new byte[16];
        // Wrapped under another cluster's secret.
        JsonObject foreign = open(41, new PipeKeyWrap("another-secret-of-16-chars").wrap(key, 41, "stage", "a", "b"));
        assertFalse(foreign.getBoolean("ok"), foreign.encode());
        assertEquals(1, metric("junction_cluster_pipe_opens_refused_total{reason=\"bad_key\"}"));
        // Wrapped under this cluster's secret, but for another pipe (taken off the wire and replayed).
        JsonObject replayed = open(42, new PipeKeyWrap(SECRET).wrap(key, 41, "stage", "a", "b"));
        assertFalse(replayed.getBoolean("ok"), replayed.encode());
        assertEquals(2, metric("junction_cluster_pipe_opens_refused_total{reason=\"bad_key\"}"));
        // A key in the clear, as a node of another version would send it.
        JsonObject clear = vertx.eventBus().<JsonObject>request(NodePipes.ADDRESS + "b", new JsonObject().put("op", "open").put("pipe", 43)
                .put("room", "stage").put("node", "a").put("key", java.util.Base64.getEncoder().encodeToString(key)))
                .await(20, TimeUnit.SECONDS).body();
        assertFalse(clear.getBoolean("ok"), clear.encode());
        assertEquals(3, metric("junction_cluster_pipe_opens_refused_total{reason=\"bad_key\"}"));
        // Wrapped right for its pipe: the key passes, and the open is refused for what it asks (no publisher here), uncounted.
        JsonObject right = open(44, new PipeKeyWrap(SECRET).wrap(key, 44, "stage", "a", "b"));
        assertFalse(right.getBoolean("ok"));
        assertTrue(right.getString("reason").contains("no publisher"), right.encode());
        assertEquals(3, metric("junction_cluster_pipe_opens_refused_total{reason=\"bad_key\"}"));
        assertEquals("[]", b.describe().encode(), "no pipe opened");
    }

    /** An {@code open} from node a for room "stage" to b, with {@code wrapped} as its key; b's reply. */
    private JsonObject open(int pipeId, String wrapped) throws Exception {
        return vertx.eventBus().<JsonObject>request(NodePipes.ADDRESS + "b", new JsonObject().put("op", "open").put("pipe", pipeId)
                .put("room", "stage").put("node", "a").put("wrapped_key", wrapped)).await(20, TimeUnit.SECONDS).body();
    }

    /** One RTP datagram of pipe {@code pipeId} sealed by {@code seal}, for producer 7. */
    private static byte[] sealed(PipeSeal seal, int pipeId) {
        ByteBuf rtp = Unpooled.buffer(12).writeByte(0x80).writeByte(96).writeShort(1).writeInt(1000).writeInt(0x1234);
        ByteBuf out = Unpooled.buffer(PipeSeal.MIN_DATAGRAM + rtp.readableBytes());
        try {
            seal.seal(PipeSeal.RTP, 0, 0, pipeId, 7, rtp, out);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            rtp.release();
            out.release();
        }
    }

    private void sendToB(byte[] datagram) throws Exception {
        home.send(new DatagramPacket(datagram, datagram.length, b.localAddress()));
    }

    /** The value of the {@code /metrics} line starting with {@code series}, or -1 without one. */
    private long metric(String series) {
        StringBuilder out = new StringBuilder();
        b.appendMetrics(out);
        for (String line : out.toString().split("\n")) {
            if (line.startsWith(series + " ")) return Long.parseLong(line.substring(series.length() + 1).trim());
        }
        return -1;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting: " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
