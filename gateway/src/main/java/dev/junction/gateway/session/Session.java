package dev.junction.gateway.session;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.gateway.http.SessionKind;
import dev.junction.gateway.loop.LoopProxy;
import dev.junction.gateway.loop.RoomMember;
import dev.junction.transport.WebRtcTransport;
import java.util.concurrent.CompletableFuture;

/**
 * One WHIP or WHEP session as the control plane keeps it: its resource (kind, room, id, ETag), its transport
 * on its media loop, and its place in the room there. It hears its transport's life events and keeps the table,
 * the directory and the setup-time metrics in step; it is not on the per-packet path (the transport hands its
 * packets to the room's publisher or subscriber directly).
 *
 * <p>Threading: the fields set at construction on any thread; {@link #member} and the listener methods on the
 * session's loop; {@link #etag} and {@link #remoteIce} on the control plane (volatile).
 */
final class Session implements WebRtcTransport.Listener {
    final SessionKind kind;
    final String roomName;
    final String id;
    final RoomDirectory.Entry room;
    /** Its room and loop in the directory, given back when it closes. */
    private final RoomDirectory.Seat seat;
    final LoopProxy loop;
    /** When the offer reached the service (System.nanoTime): the setup time's start. */
    final long setupStartNs;
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final SessionTable table;
    private final RoomDirectory directory;
    /** One line per session event (issue 13), never per packet; each carries the room and the session id. */
    static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("dev.junction.session");
    /** Whether its transport reached SRTP keys: a close before that is a failure. */
    private volatile boolean connected;

    volatile String etag;
    /** The offerer's current ICE credentials: a PATCH with them is a trickle, with new ones an ICE restart. */
    volatile IceCredentials remoteIce;
    WebRtcTransport transport;
    /** Its publisher or subscriber, on the loop; null until joined. */
    private RoomMember member;

    Session(SessionKind kind, String roomName, String id, String etag, RoomDirectory.Seat seat, LoopProxy loop,
            IceCredentials remoteIce, long setupStartNs, SessionTable table, RoomDirectory directory) {
        this.kind = kind;
        this.roomName = roomName;
        this.id = id;
        this.etag = etag;
        this.seat = seat;
        this.room = seat.room();
        this.loop = loop;
        this.remoteIce = remoteIce;
        this.setupStartNs = setupStartNs;
        this.table = table;
        this.directory = directory;
    }

    /** Joined its room (on the loop, before its transport starts). */
    void onJoined(RoomMember joined) {
        this.member = joined;
    }

    /** Its subscriber, or null (a WHIP session, or not joined yet, or gone). On its loop. */
    dev.junction.gateway.room.Subscriber subscriberOnLoop() {
        RoomMember m = member;
        return m == null ? null : m.subscriber();
    }

    @Override
    public void onConnected(WebRtcTransport t) {
        long setupNs = System.nanoTime() - setupStartNs;
        table.connectTime().record(setupNs);
        connected = true;
        LOG.info("session connected kind={} room={} session={} after={}ms path={}", kind.pathSegment(), roomName, id,
                setupNs / 1_000_000, t.path());
        // The keyframe asked for at join went out before this subscriber could receive it: ask again.
        if (member != null && member.subscriber() != null) member.subscriber().requestKeyframes(System.nanoTime());
    }

    @Override
    public void onMediaFlowing(WebRtcTransport t) {
        table.setupTime().record(System.nanoTime() - setupStartNs);
    }

    /** Decrypted packets go to the room's publisher or subscriber (the transport's media sink), never here. */
    @Override
    public void onRtp(WebRtcTransport t, io.netty.buffer.ByteBuf packet, long nowNs) {
    }

    @Override
    public void onRtcp(WebRtcTransport t, io.netty.buffer.ByteBuf packet, long nowNs) {
    }

    @Override
    public void onClosed(WebRtcTransport t, String reason) {
        if (connected) {
            LOG.info("session closed kind={} room={} session={} reason=\"{}\"", kind.pathSegment(), roomName, id, reason);
        } else {
            LOG.warn("session failed kind={} room={} session={} reason=\"{}\"", kind.pathSegment(), roomName, id, reason);
        }
        if (member != null) loop.roomsOnLoop().leave(member, System.nanoTime());
        member = null;
        directory.leave(seat);
        table.remove(this);
        closed.complete(reason);
    }

    /**
     * What the dashboard shows of this session now: its transport's state and path, and its publisher's tracks or its
     * subscriber's slots with their figures. On its loop (the member is the loop's).
     */
    io.vertx.core.json.JsonObject figures(long nowNs) {
        io.vertx.core.json.JsonObject out = new io.vertx.core.json.JsonObject()
                .put("id", id)
                .put("kind", kind.pathSegment())
                .put("loop", loop.index());
        WebRtcTransport t = transport;
        out.put("state", t == null ? "new" : t.state().name().toLowerCase(java.util.Locale.ROOT));
        out.put("path", t == null || t.path() == null ? null : t.path().toString());
        RoomMember m = member;
        if (m != null && m.publisher() != null) {
            DashboardJson.publisher(out, m.publisher().figures(nowNs));
        } else if (m != null && m.subscriber() != null) {
            DashboardJson.subscriber(out, m.subscriber().figures(nowNs));
        }
        return out;
    }

    @Override
    public String toString() {
        return "Session[" + kind + " " + roomName + "/" + id + "]";
    }
}
