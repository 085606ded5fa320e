package dev.junction.gateway.session;

import dev.junction.gateway.http.SessionException;
import dev.junction.gateway.http.SessionKind;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.metrics.DurationHistogram;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every open session by id, for the HTTP resources (PATCH, DELETE), capacity and /metrics, with the setup-time
 * histograms its sessions record into.
 *
 * <p>Threading: any thread (a concurrent map; each session's state is owned by its loop).
 */
final class SessionTable {
    /** Sessions beyond this are refused with 503 (memory and CPU bound a single process): {@code media.max-sessions}. */
    private final int maxSessions;

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final DurationHistogram setupTime = new DurationHistogram();
    private final DurationHistogram connectTime = new DurationHistogram();

    SessionTable(int maxSessions) {
        this.maxSessions = maxSessions;
    }

    /** Why new sessions are refused (drain mode, shutting down), or null while they are taken. */
    private volatile String refusal;

    /** From now on, new sessions get 503 with {@code reason}. */
    void refuse(String reason) {
        refusal = reason;
    }

    boolean refusing() {
        return refusal != null;
    }

    /** Whether a new session would be taken now: not refusing, and below the limit. */
    boolean takesNewSessions() {
        return refusal == null && sessions.size() < maxSessions;
    }

    /** Fails with 503 while draining or shutting down, or when the process is at capacity. */
    void checkCapacity() {
        String refused = refusal;
        if (refused != null) throw SessionException.unavailable(refused, 30);
        if (sessions.size() >= maxSessions) {
            throw SessionException.unavailable("at capacity: " + maxSessions + " sessions (media.max-sessions)", 5);
        }
    }

    void add(Session s) {
        sessions.put(s.id, s);
    }

    void remove(Session s) {
        sessions.remove(s.id, s);
    }

    /** The session {@code id} of {@code kind} in {@code room}; 404 otherwise. */
    Session find(SessionKind kind, String room, String id) {
        Session s = sessions.get(id);
        if (s == null || s.kind != kind || !s.roomName.equals(room)) {
            throw SessionException.notFound("no " + kind.pathSegment() + " session " + id + " in room " + room);
        }
        return s;
    }

    Collection<Session> all() {
        return sessions.values();
    }

    int size() {
        return sessions.size();
    }

    /** Sessions whose transport has finished DTLS and has SRTP keys. */
    int connected() {
        int n = 0;
        for (Session s : sessions.values()) {
            if (s.transport != null && s.transport.state() == WebRtcTransport.State.CONNECTED) n++;
        }
        return n;
    }

    /** {@code junction_session_setup_seconds}: offer to the first RTP packet in (publisher) or out (subscriber). */
    DurationHistogram setupTime() {
        return setupTime;
    }

    /** {@code junction_session_connect_seconds}: offer to SRTP keys (ICE and DTLS done). */
    DurationHistogram connectTime() {
        return connectTime;
    }
}
