package dev.junction.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Junction server holds, read from its {@code /metrics} gauges (labelled series summed), and whether a
 * churn run gave all of it back (issue 12, churn): every session, room, ufrag, bound address, timer participant
 * and scheduled room removal is gone; threads and file descriptors are not above the baseline; heap after GC is
 * within {@link #HEAP_TOLERANCE} of it and direct memory not above it by more than that plus one Netty chunk.
 *
 * <p>Threading: immutable.
 */
record ServerResources(Map<String, Long> gauges) {

    /** Counts that must be exactly the baseline's. */
    static final List<String> EXACT = List.of("junction_sessions", "junction_rooms", "junction_rooms_pending_removal",
            "junction_media_ice_ufrags", "junction_media_bound_addresses", "junction_media_timer_participants");
    /** Counts that must not be above the baseline (pools may shrink while the server idles). */
    static final List<String> AT_MOST = List.of("junction_process_threads", "junction_process_open_fds");
    static final String HEAP = "junction_jvm_heap_after_gc_bytes";
    static final List<String> DIRECT = List.of("junction_jvm_direct_buffer_bytes", "junction_netty_direct_bytes",
            "junction_netty_pooled_direct_bytes");
    static final double HEAP_TOLERANCE = 0.05;
    /** Netty's pooled arenas grow a chunk at a time (4 MiB by default). */
    static final long DIRECT_SLACK_BYTES = 4L << 20;

    /** The gauges above from a {@code /metrics} text; a gauge the server does not have is left out. */
    static ServerResources parse(String metrics) {
        Map<String, Long> gauges = new LinkedHashMap<>();
        for (String line : metrics.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            if (space < 0) continue;
            int brace = line.indexOf('{');
            String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            if (!EXACT.contains(name) && !AT_MOST.contains(name) && !name.equals(HEAP) && !DIRECT.contains(name)) continue;
            try {
                gauges.merge(name, (long) Double.parseDouble(line.substring(space + 1).trim()), Long::sum);
            } catch (NumberFormatException e) {
                // not a sample we understand
            }
        }
        return new ServerResources(gauges);
    }

    long get(String name) {
        return gauges.getOrDefault(name, -1L);
    }

    /** Whether the sessions and what they hold are gone back to {@code baseline} (before a GC is worth it). */
    boolean drainedTo(ServerResources baseline) {
        for (String name : EXACT) {
            if (gauges.containsKey(name) && get(name) != baseline.get(name)) return false;
        }
        return true;
    }

    /** The names of the gauges that are not back to {@code baseline} by the rules above. */
    List<String> notBackTo(ServerResources baseline) {
        List<String> out = new java.util.ArrayList<>();
        for (String name : gauges.keySet()) {
            if (!baseline.gauges.containsKey(name)) continue;
            long now = get(name);
            long before = baseline.get(name);
            boolean ok;
            if (EXACT.contains(name)) ok = now == before;
            else if (AT_MOST.contains(name)) ok = now <= before;
            else if (name.equals(HEAP)) ok = Math.abs(now - before) <= before * HEAP_TOLERANCE;
            else ok = before < 0 || now <= before + before * HEAP_TOLERANCE + DIRECT_SLACK_BYTES; // direct memory
            if (!ok) out.add(name);
        }
        return out;
    }

    /** {"name": {"baseline": b, "after": a}} for every gauge both have, and the verdict. */
    static JsonObject compare(ServerResources baseline, ServerResources after) {
        JsonObject figures = new JsonObject();
        for (String name : after.gauges.keySet()) {
            if (!baseline.gauges.containsKey(name)) continue;
            figures.put(name, new JsonObject().put("baseline", baseline.get(name)).put("after", after.get(name)));
        }
        List<String> notBack = after.notBackTo(baseline);
        return new JsonObject().put("resources", figures).put("back_to_baseline", notBack.isEmpty())
                .put("not_back", new JsonArray(notBack));
    }
}
