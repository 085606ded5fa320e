package dev.junction.transport;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which media loop serves each local ICE ufrag, for a connection that arrives on a port every loop shares (the one
 * public port, issue 10): its first STUN check names the session (USERNAME {@code local:remote}, RFC 8445 §7.2.2),
 * and the connection moves to that session's loop. Each {@link MediaDemux} that is told to
 * ({@link MediaDemux#routeUfragsTo}) publishes its ufrags here as sessions register and leave them.
 *
 * <p>Threading: any thread (a concurrent map). Written once per session setup, ICE restart and close, never per
 * packet.
 */
public final class UfragRoutes {

    private final ConcurrentHashMap<String, Integer> loops = new ConcurrentHashMap<>();

    /** The loop index serving {@code localUfrag}, or -1 when no session has it. */
    public int loopOf(String localUfrag) {
        Integer loop = loops.get(localUfrag);
        return loop == null ? -1 : loop;
    }

    /** Ufrags routed now (tests, diagnostics). */
    public int size() {
        return loops.size();
    }

    /** {@code localUfrag} is served by loop {@code loopIndex} (its demux calls this; tests may too). */
    public void add(String localUfrag, int loopIndex) {
        loops.put(localUfrag, loopIndex);
    }

    /** {@code localUfrag} left loop {@code loopIndex}. */
    public void remove(String localUfrag, int loopIndex) {
        loops.remove(localUfrag, loopIndex);
    }
}
