package dev.junction.gateway.session;

import dev.junction.codec.sdp.jsep.AnswerParameters;
import dev.junction.codec.sdp.jsep.AnswerResult;
import dev.junction.codec.sdp.jsep.CodecCapability;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.RtcpFeedback;
import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.sdp.jsep.MediaCapabilities;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import dev.junction.config.JunctionConfig;
import dev.junction.gateway.http.Created;
import dev.junction.gateway.http.MetricsSource;
import dev.junction.gateway.http.Patched;
import dev.junction.gateway.http.SessionException;
import dev.junction.gateway.http.SessionKind;
import dev.junction.gateway.http.SessionService;
import dev.junction.gateway.room.Publisher;
import dev.junction.gateway.room.Room;
import dev.junction.gateway.room.SlotSsrcAllocator;
import dev.junction.gateway.room.Subscriber;
import dev.junction.transport.DropReason;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.dtls.Fingerprint;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.srtp.AesBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real {@link SessionService}: answers WHIP/WHEP offers with the {@link SdpNegotiator}, runs each
 * session as a server-role {@link WebRtcTransport} on its room's media loop, and registers it with the
 * {@link Room} as a publisher or subscriber.
 *
 * <p>Threading: the {@code SessionService} methods run on a Vert.x loop and only answer the offer there;
 * everything touching a room or a transport is submitted to the room's media loop, and the returned stage
 * completes from that loop. Rooms are spread over the media loops (fewest rooms first) and stay on theirs.
 * The session and room tables are concurrent maps: written by both sides, each entry's state owned by its loop.
 *
 * <p>Lifecycle: a session ends on DELETE, consent expiry, DTLS close_notify or {@link #close()}; each path
 * ends in the transport's {@code onClosed}, which removes it from its room and from the table. A room left
 * empty is removed after {@link #ROOM_GRACE_MS} unless someone joined again.
 */
public final class MediaSessions implements SessionService, MetricsSource, AutoCloseable {

    /** How long an empty room waits for someone to (re)join before it is removed. */
    public static final long ROOM_GRACE_MS = 5_000;
    /** Sessions beyond this are refused with 503 (memory and CPU bound a single process). */
    public static final int MAX_SESSIONS = 10_000;
    private static final long ROOM_TICK_MS = 20;

    // Allocated by this.
    private final MediaPlane plane;
    private final MediaDemux[] demuxes;
    private final List<String> announce;
    private final DtlsCertificate certificate = DtlsCertificate.generate();
    private final SdpNegotiator negotiator = new SdpNegotiator(capabilities());
    private final SecureRandom random = new SecureRandom();
    private final WebRtcTransport.Options options;
    private final Map<String, RoomHost> rooms = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger[] roomsPerLoop;

    private MediaSessions(JunctionConfig config, WebRtcTransport.Options options) {
        // Choose and warm the SRTP AES backend now, off the media loops (it benchmarks on first use).
        AesBackend.warmUp();
        this.options = options;
        this.announce = config.media().announce();
        int loops = config.media().effectiveLoops();
        this.demuxes = new MediaDemux[loops];
        for (int i = 0; i < loops; i++) demuxes[i] = new MediaDemux();
        this.roomsPerLoop = new AtomicInteger[loops];
        for (int i = 0; i < loops; i++) roomsPerLoop[i] = new AtomicInteger();
        this.plane = MediaPlane.start(config.media(), i -> demuxes[i]);
    }

    /**
     * What the gateway negotiates: the codec defaults less transport-wide congestion control. Junction does not
     * send TWCC feedback yet, and a Chrome sender that negotiated it and hears none backs its bitrate off to a
     * trickle; without it Chrome keeps its start bitrate. The capability returns with the feedback.
     */
    static MediaCapabilities capabilities() {
        MediaCapabilities defaults = MediaCapabilities.defaults();
        List<CodecCapability> codecs = defaults.codecs().stream()
                .map(c -> new CodecCapability(c.kind(), c.name(), c.clockRate(), c.channels(), c.parameters(),
                        c.rtcpFeedback().stream().filter(f -> !f.equals(RtcpFeedback.TRANSPORT_CC))
                                .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new)),
                        c.rtx()))
                .toList();
        List<String> extensions = defaults.headerExtensions().stream().filter(u -> !u.equals(HeaderExtensionUri.TRANSPORT_CC)).toList();
        return new MediaCapabilities(codecs, extensions);
    }

    /** Binds the media sockets and makes the process's DTLS certificate. */
    public static MediaSessions start(JunctionConfig config) {
        return new MediaSessions(config, WebRtcTransport.Options.DEFAULT);
    }

    /** As {@link #start(JunctionConfig)} with other transport options (tests shorten consent). */
    public static MediaSessions start(JunctionConfig config, WebRtcTransport.Options options) {
        return new MediaSessions(config, options);
    }

    // ---- SessionService, on a Vert.x loop ------------------------------------------------------------

    @Override
    public CompletionStage<Created> publish(String room, byte[] offer) {
        return open(SessionKind.WHIP, room, offer);
    }

    @Override
    public CompletionStage<Created> subscribe(String room, byte[] offer) {
        return open(SessionKind.WHEP, room, offer);
    }

    @Override
    public CompletionStage<Patched> patch(SessionKind kind, String room, String id, String ifMatch, byte[] sdpFrag) {
        Session session = find(kind, room, id);
        String frag = new String(sdpFrag, StandardCharsets.UTF_8);
        String ufrag = attribute(frag, "ice-ufrag");
        String pwd = attribute(frag, "ice-pwd");
        if (!ifMatch.equals("*") && !ifMatch.equals(session.etag)) {
            throw SessionException.preconditionFailed("If-Match does not match the session's current ETag");
        }
        if (ufrag == null && pwd == null) return CompletableFuture.completedFuture(Patched.trickled()); // ICE-lite: remote candidates are not needed
        if (ufrag == null || pwd == null) throw SessionException.badRequest("an ICE restart needs both a=ice-ufrag and a=ice-pwd");
        String problem = IceCredentials.ufragProblem(ufrag) + IceCredentials.pwdProblem(pwd);
        if (!problem.isEmpty()) throw SessionException.badRequest(problem);
        IceCredentials local = IceCredentials.generate(random);
        session.transport.restartIceAsync(local, new IceCredentials(ufrag, pwd));
        session.etag = newToken(8);
        StringBuilder answer = new StringBuilder()
                .append("a=ice-lite\r\n")
                .append("a=ice-ufrag:").append(local.ufrag()).append("\r\n")
                .append("a=ice-pwd:").append(local.pwd()).append("\r\n");
        int priority = 2_130_706_431;
        for (InetSocketAddress a : hostAddresses(session.host.loopIndex)) {
            answer.append("a=candidate:").append(priority).append(" 1 udp ").append(priority).append(' ')
                    .append(a.getAddress().getHostAddress()).append(' ').append(a.getPort()).append(" typ host\r\n");
            priority--;
        }
        answer.append("a=end-of-candidates\r\n");
        return CompletableFuture.completedFuture(Patched.restarted(session.etag, answer.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public CompletionStage<Void> delete(SessionKind kind, String room, String id) {
        Session session = find(kind, room, id);
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.closed.whenComplete((reason, error) -> done.complete(null));
        session.transport.closeAsync("deleted by the client (DELETE)");
        return done;
    }

    // ---- opening a session -----------------------------------------------------------------------------

    private CompletionStage<Created> open(SessionKind kind, String roomName, byte[] offer) {
        if (sessions.size() >= MAX_SESSIONS) {
            throw SessionException.unavailable("at capacity: " + MAX_SESSIONS + " sessions", 5);
        }
        RoomHost host = rooms.computeIfAbsent(roomName, this::newRoomHost);
        List<InetSocketAddress> addresses = hostAddresses(host.loopIndex);
        AnswerParameters parameters = kind == SessionKind.WHIP
                ? AnswerParameters.publisher(certificate.fingerprint().toSdpAttribute(), addresses, random)
                : AnswerParameters.subscriber(certificate.fingerprint().toSdpAttribute(), addresses, random,
                        new SlotSsrcAllocator(new SplittableRandom(random.nextLong()), newToken(8), roomName));
        AnswerResult result = negotiator.answer(offer, parameters);
        if (result instanceof AnswerResult.Rejected rejected) {
            throw SessionException.badRequest(rejected.error().message());
        }
        AnswerResult.Answered answered = (AnswerResult.Answered) result;
        NegotiatedSession negotiated = answered.negotiated();
        List<Fingerprint> remoteFingerprints = negotiated.remoteFingerprints().stream()
                .flatMap(f -> Fingerprint.fromSdp(f).stream()).toList();
        if (remoteFingerprints.isEmpty()) throw SessionException.badRequest("the offer has no fingerprint Junction can verify");

        Session session = new Session(kind, roomName, newToken(16), newToken(8), host);
        MediaSocket socket = plane.sockets().get(host.loopIndex);
        session.transport = WebRtcTransport.server(socket, demuxes[host.loopIndex], negotiated.localIce(),
                negotiated.remoteIce(), certificate, remoteFingerprints, options, session);
        CompletableFuture<Created> created = new CompletableFuture<>();
        host.loop.execute(() -> {
            if (host.closed) {
                // The room was removed between lookup and now: start over with a fresh one.
                open(kind, roomName, offer).whenComplete((c, e) -> {
                    if (e != null) created.completeExceptionally(e);
                    else created.complete(c);
                });
                return;
            }
            try {
                long nowNs = System.nanoTime();
                host.cancelRemoval();
                if (kind == SessionKind.WHIP) session.publisher = host.room.addPublisher(negotiated, session.transport, nowNs);
                else session.subscriber = host.room.addSubscriber(negotiated, session.transport, nowNs);
                sessions.put(session.id, session);
                session.transport.start();
                created.complete(new Created(session.id, session.etag, answered.sdp().getBytes(StandardCharsets.UTF_8)));
            } catch (RuntimeException e) {
                // A bug must not leave the request hanging or the session half-made: undo and answer 500.
                session.transport.closeAsync("could not join the room: " + e);
                created.completeExceptionally(new SessionException(500, "could not join room " + roomName + ": " + e.getMessage()));
            }
        });
        return created;
    }

    private RoomHost newRoomHost(String name) {
        int best = 0;
        for (int i = 1; i < roomsPerLoop.length; i++) {
            if (roomsPerLoop[i].get() < roomsPerLoop[best].get()) best = i;
        }
        roomsPerLoop[best].incrementAndGet();
        return new RoomHost(name, best, plane.sockets().get(best).eventLoop());
    }

    private List<InetSocketAddress> hostAddresses(int loopIndex) {
        int port = plane.sockets().get(loopIndex).localAddress().getPort();
        List<InetSocketAddress> out = new ArrayList<>(announce.size());
        for (String ip : announce) out.add(new InetSocketAddress(ip, port));
        return out;
    }

    private Session find(SessionKind kind, String room, String id) {
        Session s = sessions.get(id);
        if (s == null || s.kind != kind || !s.roomName.equals(room)) {
            throw SessionException.notFound("no " + kind.pathSegment() + " session " + id + " in room " + room);
        }
        return s;
    }

    private String newToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String attribute(String frag, String name) {
        for (String line : frag.split("\r?\n")) {
            if (line.startsWith("a=" + name + ":")) return line.substring(name.length() + 3).strip();
        }
        return null;
    }

    // ---- counts, for tests and /metrics ------------------------------------------------------------------

    /** Open sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * Sessions and bound addresses still registered with the media loops' demultiplexers, counted on each
     * loop; zero once every session has ended. Blocks briefly; for tests and diagnostics.
     */
    public int registeredTransportEntries() {
        int total = 0;
        for (int i = 0; i < demuxes.length; i++) {
            MediaDemux demux = demuxes[i];
            try {
                total += plane.sockets().get(i).eventLoop().submit(() -> demux.sessionCount() + demux.boundAddressCount())
                        .get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("media loop " + i + " did not answer", e);
            }
        }
        return total;
    }

    /** Sessions whose transport has finished DTLS and has SRTP keys (for tests and /metrics). */
    public int connectedSessionCount() {
        int n = 0;
        for (Session s : sessions.values()) {
            if (s.transport.state() == WebRtcTransport.State.CONNECTED) n++;
        }
        return n;
    }

    /** Rooms that exist (including empty ones in their grace period). */
    public int roomCount() {
        return rooms.size();
    }

    /** The process's DTLS certificate (its fingerprint is in every answer). */
    public DtlsCertificate certificate() {
        return certificate;
    }

    /** The media sockets, one per loop. */
    public List<MediaSocket> sockets() {
        return plane.sockets();
    }

    @Override
    public void appendMetrics(StringBuilder out) {
        out.append("# TYPE junction_sessions gauge\njunction_sessions ").append(sessions.size()).append('\n');
        out.append("# TYPE junction_sessions_connected gauge\njunction_sessions_connected ").append(connectedSessionCount()).append('\n');
        out.append("# TYPE junction_rooms gauge\njunction_rooms ").append(rooms.size()).append('\n');
        out.append("# TYPE junction_media_datagrams_in_total counter\n");
        for (MediaSocket s : plane.sockets()) {
            out.append("junction_media_datagrams_in_total{loop=\"").append(s.index()).append("\"} ").append(s.counter(MediaSocket.DATAGRAMS_IN)).append('\n');
        }
        out.append("# TYPE junction_media_datagrams_out_total counter\n");
        for (MediaSocket s : plane.sockets()) {
            out.append("junction_media_datagrams_out_total{loop=\"").append(s.index()).append("\"} ").append(s.counter(MediaSocket.DATAGRAMS_OUT)).append('\n');
        }
        out.append("# TYPE junction_media_dropped_total counter\n");
        for (DropReason reason : DropReason.values()) {
            long total = 0;
            for (MediaDemux d : demuxes) total += d.drops(reason);
            out.append("junction_media_dropped_total{reason=\"").append(reason.name().toLowerCase()).append("\"} ").append(total).append('\n');
        }
    }

    /** Ends every session and room, then stops the media loops. Blocks until done (a few seconds at most). */
    @Override
    public void close() {
        List<CompletableFuture<String>> closing = new ArrayList<>();
        for (Session s : sessions.values()) {
            closing.add(s.closed);
            s.transport.closeAsync("server shutting down");
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Best effort: closing the loops below frees what is left.
        }
        for (RoomHost host : rooms.values()) {
            try {
                host.loop.submit(() -> host.remove(true)).get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The loop is gone; nothing left to free on it.
            }
        }
        plane.close();
    }

    // ---- per room and per session ------------------------------------------------------------------------

    /** A room and its loop. Fields other than the final ones are touched on {@code loop} only. */
    private final class RoomHost implements Room.Listener {
        final String name;
        final int loopIndex;
        final EventLoop loop;
        final Room room;
        final ScheduledFuture<?> tick;
        ScheduledFuture<?> removal;
        volatile boolean closed;

        RoomHost(String name, int loopIndex, EventLoop loop) {
            this.name = name;
            this.loopIndex = loopIndex;
            this.loop = loop;
            this.room = new Room(name, PooledByteBufAllocator.DEFAULT, this);
            // The room's timers (coalesced keyframe requests, 1 s RR/SR reports), polled rather than re-armed per packet.
            this.tick = loop.scheduleAtFixedRate(this::onTick, ROOM_TICK_MS, ROOM_TICK_MS, TimeUnit.MILLISECONDS);
        }

        private void onTick() {
            long nowNs = System.nanoTime();
            long next = room.nextTimeoutNs();
            // NOTE: Long.MAX_VALUE means "no deadline"; compared by difference it would overflow.
            if (!closed && next != Long.MAX_VALUE && next - nowNs <= 0) room.handleTimeout(nowNs);
        }

        @Override
        public void onEmpty(Room r) {
            cancelRemoval();
            removal = loop.schedule(() -> remove(false), ROOM_GRACE_MS, TimeUnit.MILLISECONDS);
        }

        void cancelRemoval() {
            if (removal != null) removal.cancel(false);
            removal = null;
        }

        Void remove(boolean force) {
            if (closed || (!force && !room.isEmpty())) return null;
            if (rooms.remove(name, this)) roomsPerLoop[loopIndex].decrementAndGet();
            closed = true;
            tick.cancel(false);
            cancelRemoval();
            room.close(System.nanoTime());
            return null;
        }
    }

    /** One WHIP or WHEP session: its transport, and its place in the room (on the room's loop). */
    private final class Session implements WebRtcTransport.Listener {
        final SessionKind kind;
        final String roomName;
        final String id;
        final RoomHost host;
        final CompletableFuture<String> closed = new CompletableFuture<>();
        volatile String etag;
        WebRtcTransport transport;
        Publisher publisher;
        Subscriber subscriber;

        Session(SessionKind kind, String roomName, String id, String etag, RoomHost host) {
            this.kind = kind;
            this.roomName = roomName;
            this.id = id;
            this.etag = etag;
            this.host = host;
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            // The keyframe asked for at join went out before this subscriber could receive it: ask again.
            if (subscriber != null) subscriber.requestKeyframes(System.nanoTime());
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            if (publisher != null) publisher.handleRtp(packet, nowNs);
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            if (publisher != null) publisher.handleRtcp(packet, nowNs);
            else if (subscriber != null) subscriber.handleRtcp(packet, nowNs);
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
            long nowNs = System.nanoTime();
            if (!host.closed) {
                if (publisher != null) host.room.removePublisher(publisher, nowNs);
                if (subscriber != null) host.room.removeSubscriber(subscriber, nowNs);
            }
            publisher = null;
            subscriber = null;
            sessions.remove(id, this);
            closed.complete(reason);
        }
    }
}
