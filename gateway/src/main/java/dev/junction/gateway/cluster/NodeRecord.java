package dev.junction.gateway.cluster;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One node's entry in the directory's node map: who it is and how loaded, republished by the node every
 * {@link ClusterNode#TICK_MS}. Stored as a JSON string, so the map holds only strings and no member ever
 * deserializes a class another member chose.
 *
 * @param name             the node's name ({@code cluster.node-name})
 * @param member           its Hazelcast member UUID: the entry is live while that member is in the cluster
 * @param url              its public HTTP URL, without a trailing slash (the base of a 307's {@code Location})
 * @param sessions         its open WHIP/WHEP sessions
 * @param packetsPerSecond media packets in and out per second, over the last tick
 * @param cpuPercent       the process's CPU over the last tick, in percent of one core ({@code top}'s figure)
 * @param draining         whether it refuses new sessions (drain mode): placement skips it
 * @param full             whether it is at {@code media.max-sessions}: placement skips it
 * @param pipedRooms       the rooms it carries through a node pipe from their home (it has their media without being
 *                         their home); with the room directory's homes, where a room's media already is. Gone with the
 *                         record when the node leaves, and a tick old at most
 */
record NodeRecord(String name, String member, String url, int sessions, long packetsPerSecond, double cpuPercent, boolean draining,
        boolean full, Set<String> pipedRooms) {

    NodeRecord {
        pipedRooms = Set.copyOf(pipedRooms);
    }

    String toJson() {
        return new JsonObject().put("name", name).put("member", member).put("url", url).put("sessions", sessions)
                .put("packets_per_s", packetsPerSecond).put("cpu_percent", Math.round(cpuPercent * 10) / 10.0)
                .put("draining", draining).put("full", full).put("piped_rooms", new JsonArray(new ArrayList<>(new TreeSet<>(pipedRooms))))
                .encode();
    }

    JsonObject toJsonObject() {
        return new JsonObject(toJson());
    }

    /** The record in {@code json}, or empty when it is not one (a foreign or damaged entry is ignored, never trusted). */
    static Optional<NodeRecord> parse(String json) {
        if (json == null) return Optional.empty();
        try {
            JsonObject o = new JsonObject(json);
            String name = o.getString("name");
            String member = o.getString("member");
            String url = o.getString("url");
            if (name == null || member == null || url == null || !(url.startsWith("http://") || url.startsWith("https://"))) return Optional.empty();
            Set<String> piped = new HashSet<>();
            JsonArray rooms = o.getJsonArray("piped_rooms", new JsonArray());
            for (Object room : rooms) {
                if (!(room instanceof String r)) return Optional.empty();
                piped.add(r);
            }
            return Optional.of(new NodeRecord(name, member, url, o.getInteger("sessions", 0), o.getLong("packets_per_s", 0L),
                    o.getDouble("cpu_percent", 0.0), o.getBoolean("draining", false), o.getBoolean("full", false), piped));
        } catch (DecodeException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /**
     * Where a new room goes (RFC 9725 §4.5 load balancing): the node with the fewest sessions that takes new ones,
     * {@code self} on a tie (no redirect when nothing is gained, so a cluster of one, or an idle cluster, serves where
     * asked), then by name so that every node picks the same. {@code self} when every node is draining: it then
     * answers 503 itself.
     */
    static String leastLoaded(String self, Collection<NodeRecord> nodes) {
        return nodes.stream().filter(NodeRecord::takesNewSessions)
                .min(Comparator.comparingInt(NodeRecord::sessions)
                        .thenComparing(n -> !n.name().equals(self))
                        .thenComparing(NodeRecord::name))
                .map(NodeRecord::name).orElse(self);
    }

    /**
     * Where a viewer of {@code room} goes when this node takes no new session (drained, or at
     * {@code media.max-sessions}), among the other nodes that take one (RFC 9725 §4.5, issue 14): the least-loaded
     * that already carries the room (its {@code home}, or a node with a pipe of it), so the viewer costs no new pipe;
     * only when none does, the least-loaded of all. The home first on a tie (no pipe in its path), then by name.
     * Empty when no other node takes one: this node then answers 503 itself.
     */
    static Optional<String> overflow(String self, String room, String home, Collection<NodeRecord> nodes) {
        List<NodeRecord> open = nodes.stream().filter(n -> !n.name().equals(self) && n.takesNewSessions()).toList();
        List<NodeRecord> carrying = open.stream().filter(n -> n.name().equals(home) || n.pipedRooms().contains(room)).toList();
        return (carrying.isEmpty() ? open : carrying).stream()
                .min(Comparator.comparingInt(NodeRecord::sessions)
                        .thenComparing(n -> !n.name().equals(home))
                        .thenComparing(NodeRecord::name))
                .map(NodeRecord::name);
    }

    boolean takesNewSessions() {
        return !draining && !full;
    }
}
