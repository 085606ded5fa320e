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
import dev.junction.transport.MediaSender;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.dtls.Fingerprint;
import dev.junction.transport.metrics.DurationHistogram;
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
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real {@link SessionService}: answers WHIP/WHEP offers with the {@link SdpNegotiator}, runs each
 * session as a server-role {@link WebRtcTransport} on its room's media loop, and registers it with the
 * {@link Room} as a publisher or subscriber.
 *
 * <p>Threading: the {@code SessionService} methods run on a Vert.x loop and only answer the offer there;
 * everything touching a room or a transport is submitted to the session's media loop, and the returned stage
 * completes from that loop. The session and room tables are concurrent maps: written by both sides, each
 * entry's state owned by its loop.
 *
 * <p>Rooms over loops (DESIGN §3.2): each room has a home loop (fewest rooms first), where its publishers'
 * transports live, and one {@link Room} per media loop (a shard). Subscribers are dealt round-robin over the
 * loops, starting at the home loop, and answered with their loop's port, so a broadcast's encryption and
 * sending is spread over every core. Every other shard that has a subscriber holds a relayed copy of each
 * publisher ({@code Room#addPublisher} with a keyframe relay), seeded with the SSRCs the publisher bound so
 * far and fed by a {@link Relay} with one retained packet per loop; the copies forward to their loop's
 * subscribers, answer their NACKs from their own cache and send keyframe requests back through the home
 * loop. Producers keep the publishers' join order on every shard, so slots fill alike everywhere.
 *
 * <p>Lifecycle: a session ends on DELETE, consent expiry, DTLS close_notify or {@link #close()}; each path
 * ends in the transport's {@code onClosed}, which removes it from its room and from the table. A room left
 * empty, or never joined (its offer was refused), is removed after {@link #ROOM_GRACE_MS} unless someone joins.
 *
 * <p>Metrics (DESIGN §7): {@code junction_session_setup_seconds} is a histogram of the server-side setup time,
 * from the moment a WHIP/WHEP offer reaches this service to media flowing: for a publisher the first RTP packet
 * received and unprotected, for a subscriber the first RTP packet protected and written to it. Sessions that end
 * before that are not observed. {@code junction_session_connect_seconds} ends instead at SRTP keys (ICE and
 * DTLS done), which leaves out the wait for the publisher's next packet. The rooms' {@link dev.junction.gateway.room.RoomCounters} are exported summed
 * over all rooms, closed ones included (see {@link RoomTotals}).
 */
public final class MediaSessions implements SessionService, MetricsSource, AutoCloseable {

    /** How long an empty room waits for someone to (re)join before it is removed. */
    public static final long ROOM_GRACE_MS = 5_000;
    /** Sessions beyond this are refused with 503 (memory and CPU bound a single process). */
    public static final int MAX_SESSIONS = 10_000;
    private static final long ROOM_TICK_MS = 20;
    /** How often each media loop publishes its rooms' counters for /metrics (their staleness at most). */
    private static final long ROOM_TOTALS_PUBLISH_MS = 100;
    private static final String SETUP_METRIC = "junction_session_setup_seconds";
    private static final String CONNECT_METRIC = "junction_session_connect_seconds";
    private static final String CONNECT_HELP = "Server-side connection time, from the WHIP/WHEP offer reaching the server to SRTP keys (ICE and DTLS done).";
    private static final String SETUP_HELP = "Server-side session setup time, from the WHIP/WHEP offer reaching the server to the first RTP packet received from a publisher or sent to a subscriber.";

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
    /**
     * The sender of a relayed publisher copy: it never sends (no NACKs, no reports; keyframe requests go
     * through {@link Publisher.KeyframeRelay}), so anything offered is released and refused.
     */
    private static final MediaSender REFUSING_SENDER = new MediaSender() {
        @Override
        public boolean sendRtp(ByteBuf packet) {
            packet.release();
            return false;
        }

        @Override
        public boolean sendRtcp(ByteBuf packet) {
            packet.release();
            return false;
        }
    };
    /** Relays not closed yet: after the loops stopped, shutdown releases what their queues still hold. */
    private final Set<Relay> openRelays = ConcurrentHashMap.newKeySet();
    /** Publisher packets a relay dropped because the loop it feeds fell behind. */
    private final AtomicLong relayDrops = new AtomicLong();
    /** Rooms being removed whose shards have not all closed yet (shutdown waits for them). */
    private final Set<RoomHost> closingRooms = ConcurrentHashMap.newKeySet();
    private final AtomicInteger[] roomsPerLoop;
    private final long roomGraceMs;
    private final DurationHistogram setupTime = new DurationHistogram();
    private final DurationHistogram connectTime = new DurationHistogram();
    /** Per media loop: its rooms' summed counters, and the rooms it hosts (touched on that loop only). */
    private final RoomTotals[] roomTotals;
    private final List<List<Room>> liveRooms;
    private final List<ScheduledFuture<?>> totalsPublishing = new ArrayList<>();

    private MediaSessions(JunctionConfig config, WebRtcTransport.Options options, long roomGraceMs) {
        // Choose and warm the SRTP AES backend now, off the media loops (it benchmarks on first use).
        AesBackend.warmUp();
        this.options = options;
        this.roomGraceMs = roomGraceMs;
        this.announce = config.media().announce();
        int loops = config.media().effectiveLoops();
        this.demuxes = new MediaDemux[loops];
        for (int i = 0; i < loops; i++) demuxes[i] = new MediaDemux();
        this.roomsPerLoop = new AtomicInteger[loops];
        for (int i = 0; i < loops; i++) roomsPerLoop[i] = new AtomicInteger();
        this.plane = MediaPlane.start(config.media(), i -> demuxes[i]);
        this.roomTotals = new RoomTotals[loops];
        this.liveRooms = new ArrayList<>(loops);
        for (int i = 0; i < loops; i++) {
            RoomTotals totals = new RoomTotals();
            List<Room> live = new ArrayList<>();
            roomTotals[i] = totals;
            liveRooms.add(live);
            totalsPublishing.add(plane.sockets().get(i).eventLoop().scheduleAtFixedRate(() -> totals.publish(live),
                    ROOM_TOTALS_PUBLISH_MS, ROOM_TOTALS_PUBLISH_MS, TimeUnit.MILLISECONDS));
        }
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
        return new MediaSessions(config, WebRtcTransport.Options.DEFAULT, ROOM_GRACE_MS);
    }

    /** As {@link #start(JunctionConfig)} with other transport options (tests shorten consent). */
    public static MediaSessions start(JunctionConfig config, WebRtcTransport.Options options) {
        return new MediaSessions(config, options, ROOM_GRACE_MS);
    }

    /** As above with another grace period for empty rooms (tests that watch rooms go away). */
    static MediaSessions start(JunctionConfig config, WebRtcTransport.Options options, long roomGraceMs) {
        return new MediaSessions(config, options, roomGraceMs);
    }

    // ---- SessionService, on a Vert.x loop ------------------------------------------------------------

    @Override
    public CompletionStage<Created> publish(String room, byte[] offer) {
        return open(SessionKind.WHIP, room, offer, System.nanoTime());
    }

    @Override
    public CompletionStage<Created> subscribe(String room, byte[] offer) {
        return open(SessionKind.WHEP, room, offer, System.nanoTime());
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
        for (InetSocketAddress a : hostAddresses(session.shard.index)) {
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

    /** Opens a session; {@code setupStartNs} is when its offer reached this service (the setup time's start). */
    private CompletionStage<Created> open(SessionKind kind, String roomName, byte[] offer, long setupStartNs) {
        if (sessions.size() >= MAX_SESSIONS) {
            throw SessionException.unavailable("at capacity: " + MAX_SESSIONS + " sessions", 5);
        }
        RoomHost host = rooms.computeIfAbsent(roomName, this::newRoomHost);
        int loopIndex = kind == SessionKind.WHIP ? host.home : host.nextSubscriberLoop();
        List<InetSocketAddress> addresses = hostAddresses(loopIndex);
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

        if (!host.join()) {
            // The room was removed between lookup and now: start over with a fresh one.
            forget(host);
            return open(kind, roomName, offer, setupStartNs);
        }
        Shard shard = host.shards[loopIndex];
        Session session = new Session(kind, roomName, newToken(16), newToken(8), host, shard, setupStartNs);
        session.transport = WebRtcTransport.server(plane.sockets().get(loopIndex), demuxes[loopIndex], negotiated.localIce(),
                negotiated.remoteIce(), certificate, remoteFingerprints, options, session);
        if (kind == SessionKind.WHEP && shard.subscribers.incrementAndGet() == 1 && loopIndex != host.home) {
            // The first subscriber on this loop: the publishers' packets start coming here.
            try {
                host.homeLoop().execute(() -> host.relayTo(shard));
            } catch (RejectedExecutionException e) {
                // Shutting down.
            }
        }
        CompletableFuture<Created> created = new CompletableFuture<>();
        shard.loop.execute(() -> {
            try {
                long nowNs = System.nanoTime();
                if (kind == SessionKind.WHIP) session.publisher = host.addPublisher(session, negotiated, nowNs);
                // The session, not the transport, sends the subscriber's media: it notes the first packet out.
                else session.subscriber = shard.room.addSubscriber(negotiated, session, nowNs);
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

    /** What a relayed copy of a publisher is made from: its offer, feedback SSRC, join order and way home. */
    private record CopySource(NegotiatedSession negotiated, long feedbackSsrc, long joinOrder, Publisher.KeyframeRelay toHome) {
    }

    /** Takes {@code host} out of the room table, once, whoever gets there first. */
    private void forget(RoomHost host) {
        if (rooms.remove(host.name, host)) roomsPerLoop[host.home].decrementAndGet();
    }

    private RoomHost newRoomHost(String name) {
        int best = 0;
        for (int i = 1; i < roomsPerLoop.length; i++) {
            if (roomsPerLoop[i].get() < roomsPerLoop[best].get()) best = i;
        }
        roomsPerLoop[best].incrementAndGet();
        return new RoomHost(name, best);
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
        out.append("# HELP junction_media_segmented_sends_total UDP GSO sends of several datagrams to one peer (their datagrams count in datagrams_out).\n");
        out.append("# TYPE junction_media_segmented_sends_total counter\n");
        for (MediaSocket s : plane.sockets()) {
            out.append("junction_media_segmented_sends_total{loop=\"").append(s.index()).append("\"} ").append(s.counter(MediaSocket.SEGMENTED_SENDS)).append('\n');
        }
        DurationHistogram.appendHeader(out, "junction_media_burst_seconds", "Per read burst of a media socket, from its first datagram read to the flush of everything it caused (the loop's share of the added latency, wake-up excluded).");
        for (MediaSocket s : plane.sockets()) s.loop().burstLatency().appendSeries(out, "junction_media_burst_seconds", "loop=\"" + s.index() + "\"");
        out.append("# HELP junction_media_socket_errors_total Errors a media socket reported (refused sends, ICMP errors); it stays open.\n");
        out.append("# TYPE junction_media_socket_errors_total counter\n");
        for (MediaSocket s : plane.sockets()) {
            out.append("junction_media_socket_errors_total{loop=\"").append(s.index()).append("\"} ").append(s.counter(MediaSocket.SOCKET_ERRORS)).append('\n');
        }
        out.append("# HELP junction_relay_dropped_total Publisher packets not relayed to another media loop because it fell behind.\n");
        out.append("# TYPE junction_relay_dropped_total counter\njunction_relay_dropped_total ").append(relayDrops.get()).append('\n');
        out.append("# TYPE junction_media_dropped_total counter\n");
        for (DropReason reason : DropReason.values()) {
            long total = 0;
            for (MediaDemux d : demuxes) total += d.drops(reason);
            out.append("junction_media_dropped_total{reason=\"").append(reason.name().toLowerCase()).append("\"} ").append(total).append('\n');
        }
        setupTime.appendMetrics(out, SETUP_METRIC, SETUP_HELP);
        connectTime.appendMetrics(out, CONNECT_METRIC, CONNECT_HELP);
        RoomTotals.appendMetrics(out, roomTotals);
    }

    /** The setup-time histogram behind {@code junction_session_setup_seconds} (tests). */
    DurationHistogram setupTime() {
        return setupTime;
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
        for (RoomHost host : rooms.values()) host.remove(true);
        for (RoomHost host : List.copyOf(closingRooms)) host.awaitShardsClosed();
        for (ScheduledFuture<?> f : totalsPublishing) f.cancel(false);
        plane.close();
        // The loops have stopped: nothing drains the relays any more, so their queues are ours to empty.
        for (Relay relay : openRelays) relay.close();
        openRelays.clear();
    }

    // ---- per room and per session ------------------------------------------------------------------------

    /**
     * A room over the media loops: its home loop (its publishers' transports) and one shard per loop. Removed
     * {@link #roomGraceMs} after its last session left (or after it was made, if nobody joins); {@link #members}
     * makes joining and removal exclusive without a lock: it counts the sessions in the room, and removal
     * swaps 0 for -1, after which {@link #join()} fails and the joiner starts over with a fresh room.
     */
    private final class RoomHost {
        final String name;
        final int home;
        final Shard[] shards;
        final AtomicInteger members = new AtomicInteger();
        /** Shards not closed yet, once removal started. */
        private final AtomicInteger shardsOpen;
        private final AtomicInteger subscriberTurn = new AtomicInteger();
        /** On the home loop: the publishers' order of joining, the same on every shard. */
        private long joins;
        /** On the home loop: the publishers' sessions, whose packets are relayed to shards with subscribers. */
        private final List<Session> publishers = new ArrayList<>();
        /** On the home loop. */
        private ScheduledFuture<?> removal;

        RoomHost(String name, int home) {
            this.name = name;
            this.home = home;
            this.shards = new Shard[demuxes.length];
            this.shardsOpen = new AtomicInteger(shards.length);
            for (int i = 0; i < shards.length; i++) shards[i] = new Shard(this, i);
            // A room whose every offer was refused is removed too.
            homeLoop().execute(this::scheduleRemoval);
        }

        EventLoop homeLoop() {
            return shards[home].loop;
        }

        /** The loop for the next subscriber: round-robin from the home loop. */
        int nextSubscriberLoop() {
            return Math.floorMod(home + subscriberTurn.getAndIncrement(), shards.length);
        }

        /** Counts a session in; false if the room is being removed. Any thread. */
        boolean join() {
            while (true) {
                int m = members.get();
                if (m < 0) return false;
                if (members.compareAndSet(m, m + 1)) return true;
            }
        }

        /** Counts a session out; the last one arms the removal. Any thread. */
        void leave() {
            if (members.decrementAndGet() == 0) {
                try {
                    homeLoop().execute(this::scheduleRemoval);
                } catch (RejectedExecutionException e) {
                    // Shutting down: close() removes the room.
                }
            }
        }

        private void scheduleRemoval() {
            if (removal != null) removal.cancel(false);
            removal = members.get() == 0 ? homeLoop().schedule(() -> remove(false), roomGraceMs, TimeUnit.MILLISECONDS) : null;
        }

        /**
         * On the home loop: adds {@code session}'s publisher to the home shard, and a relayed copy of it to
         * every other shard, fed by a {@link Relay} the session keeps.
         */
        Publisher addPublisher(Session session, NegotiatedSession negotiated, long nowNs) {
            long joinOrder = joins++;
            long feedbackSsrc = 1 + ThreadLocalRandom.current().nextLong(0xFFFF_FFFEL);
            Publisher publisher = shards[home].room.addPublisher(negotiated, session.transport, feedbackSsrc, joinOrder, null, nowNs);
            // The copies' keyframe requests come back here, where one Producer rate-limits them for the publisher.
            Publisher.KeyframeRelay toHome = producerIndex -> {
                try {
                    homeLoop().execute(() -> {
                        Publisher own = session.publisher;
                        if (own != null) own.requestKeyframe(producerIndex, System.nanoTime());
                    });
                } catch (RejectedExecutionException e) {
                    // Shutting down.
                }
            };
            session.copySource = new CopySource(negotiated, feedbackSsrc, joinOrder, toHome);
            publishers.add(session);
            for (Shard other : shards) {
                if (other.index != home && other.subscribers.get() > 0) relay(session, publisher, other);
            }
            return publisher;
        }

        /** On the home loop: every publisher's packets go to {@code shard} from now on (a subscriber is there). */
        void relayTo(Shard shard) {
            for (Session p : publishers) {
                if (p.publisher != null) relay(p, p.publisher, shard);
            }
        }

        /**
         * On the home loop: a relayed copy of {@code session}'s publisher on {@code shard}, seeded with the SSRCs
         * the publisher has bound so far, and a {@link Relay} feeding it; nothing if there is one already.
         * Made only where a subscriber is, so a room costs no other loop anything until one joins there.
         */
        private void relay(Session session, Publisher own, Shard shard) {
            for (Relay r : session.relays) {
                if (r.targetIndex() == shard.index) return;
            }
            Relay relay = new Relay(plane.sockets().get(home), plane.sockets().get(shard.index), relayDrops);
            CopySource source = session.copySource;
            Publisher.Bindings bindings = own.bindings();
            try {
                // Queued before any packet's drain task: offers start once the relay is in the list below.
                shard.loop.execute(() -> {
                    Publisher copy = shard.room.addPublisher(source.negotiated(), REFUSING_SENDER, source.feedbackSsrc(),
                            source.joinOrder(), source.toHome(), System.nanoTime());
                    copy.seed(bindings);
                    relay.attach(copy);
                });
            } catch (RejectedExecutionException e) {
                return; // shutting down: no copy there
            }
            openRelays.add(relay);
            session.relays.add(relay);
        }

        /**
         * Removes the room if nobody is in it ({@code force}: anyway, at shutdown). Any thread; each shard is
         * closed on its own loop.
         */
        void remove(boolean force) {
            if (force) {
                if (members.getAndSet(-1) < 0) return;
            } else if (!members.compareAndSet(0, -1)) {
                return;
            }
            forget(this);
            closingRooms.add(this);
            for (Shard shard : shards) {
                try {
                    shard.loop.execute(shard::close);
                } catch (RejectedExecutionException e) {
                    shard.closedDone.complete(null);
                    shardClosed();
                }
            }
        }

        /** Counts a shard closed; the last one takes the room off the list shutdown waits for. */
        void shardClosed() {
            if (shardsOpen.decrementAndGet() == 0) closingRooms.remove(this);
        }

        /** Waits (briefly) until every shard closed; for shutdown. */
        void awaitShardsClosed() {
            for (Shard shard : shards) {
                try {
                    shard.closedDone.get(2, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // The loop is gone; nothing left to free on it.
                }
            }
        }
    }

    /** A room's part on one media loop: a {@link Room} and its timer. Fields other than the final ones on {@code loop}. */
    private final class Shard {
        final RoomHost host;
        final int index;
        final EventLoop loop;
        final Room room;
        final ScheduledFuture<?> tick;
        final CompletableFuture<Void> closedDone = new CompletableFuture<>();
        /** WHEP sessions of the room on this loop, joined or joining (any thread). */
        final AtomicInteger subscribers = new AtomicInteger();
        private boolean closed;

        Shard(RoomHost host, int index) {
            this.host = host;
            this.index = index;
            this.loop = plane.sockets().get(index).eventLoop();
            this.room = new Room(host.name, PooledByteBufAllocator.DEFAULT, Room.Listener.NONE);
            // The room's timers (coalesced keyframe requests, 1 s RR/SR reports), polled rather than re-armed per packet.
            this.tick = loop.scheduleAtFixedRate(this::onTick, ROOM_TICK_MS, ROOM_TICK_MS, TimeUnit.MILLISECONDS);
            // NOTE: queued before any task of open() for this room (the host is not in the table yet), so the
            // room is listed before it can count.
            loop.execute(() -> liveRooms.get(index).add(room));
        }

        private void onTick() {
            long nowNs = System.nanoTime();
            long next = room.nextTimeoutNs();
            // NOTE: Long.MAX_VALUE means "no deadline"; compared by difference it would overflow.
            if (!closed && next != Long.MAX_VALUE && next - nowNs <= 0) room.handleTimeout(nowNs);
        }

        private void close() {
            if (closed) return;
            closed = true;
            tick.cancel(false);
            room.close(System.nanoTime());
            // In one task with leaving the live list, so the published totals never go back.
            liveRooms.get(index).remove(room);
            roomTotals[index].addClosed(room.counters());
            closedDone.complete(null);
            host.shardClosed();
        }
    }

    /**
     * One WHIP or WHEP session: its transport, and its place in the room (on the room's loop). For a subscriber
     * it is also the room's {@link MediaSender}, passing packets to the transport, so that it sees the first
     * RTP packet out without a hook in the room's forwarding.
     */
    private final class Session implements WebRtcTransport.Listener, MediaSender {
        final SessionKind kind;
        final String roomName;
        final String id;
        final RoomHost host;
        /** The room's part on this session's loop. */
        final Shard shard;
        /** Publisher: what its relayed copies are made from; on the home loop. */
        CopySource copySource;
        /** Publisher: one per other loop with subscribers, feeding the relayed copies there; on the home loop. */
        final List<Relay> relays = new ArrayList<>();
        /** When the offer reached the service (System.nanoTime). */
        final long setupStartNs;
        final CompletableFuture<String> closed = new CompletableFuture<>();
        volatile String etag;
        WebRtcTransport transport;
        Publisher publisher;
        Subscriber subscriber;
        /** Set by the first RTP packet in (publisher) or out (subscriber); on the loop. */
        boolean mediaFlowing;

        Session(SessionKind kind, String roomName, String id, String etag, RoomHost host, Shard shard, long setupStartNs) {
            this.kind = kind;
            this.roomName = roomName;
            this.id = id;
            this.etag = etag;
            this.host = host;
            this.shard = shard;
            this.setupStartNs = setupStartNs;
        }

        /** Once per session: the setup is done. Off the per-packet path behind one well-predicted branch. */
        private void onMediaFlowing() {
            mediaFlowing = true;
            setupTime.record(System.nanoTime() - setupStartNs);
        }

        @Override
        public boolean sendRtp(ByteBuf packet) {
            boolean sent = transport.sendRtp(packet);
            if (!mediaFlowing && sent) onMediaFlowing();
            return sent;
        }

        @Override
        public boolean sendRtcp(ByteBuf packet) {
            return transport.sendRtcp(packet);
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            connectTime.record(System.nanoTime() - setupStartNs);
            // The keyframe asked for at join went out before this subscriber could receive it: ask again.
            if (subscriber != null) subscriber.requestKeyframes(System.nanoTime());
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            if (publisher != null) {
                if (!mediaFlowing) onMediaFlowing(); // the transport calls this only once the packet unprotected
                // Handed over first, so the other loops work on it while this one does its own subscribers.
                // NOTE: index loop, no iterator: per packet.
                for (int i = 0, n = relays.size(); i < n; i++) relays.get(i).offer(packet);
                publisher.handleRtp(packet, nowNs);
            }
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            if (publisher != null) {
                for (int i = 0, n = relays.size(); i < n; i++) relays.get(i).offer(packet);
                publisher.handleRtcp(packet, nowNs);
            } else if (subscriber != null) {
                subscriber.handleRtcp(packet, nowNs);
            }
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
            long nowNs = System.nanoTime();
            if (publisher != null) {
                shard.room.removePublisher(publisher, nowNs);
                // After this no packet is offered (offers come from this loop), so each close drains the last.
                for (Relay relay : relays) {
                    Shard other = host.shards[relay.targetIndex()];
                    try {
                        other.loop.execute(() -> {
                            Publisher copy = relay.close();
                            openRelays.remove(relay);
                            if (copy != null) other.room.removePublisher(copy, System.nanoTime());
                        });
                    } catch (RejectedExecutionException e) {
                        // Shutting down: the loop's end frees the rest.
                    }
                }
                relays.clear();
            }
            if (kind == SessionKind.WHIP) host.publishers.remove(this);
            if (subscriber != null) shard.room.removeSubscriber(subscriber, nowNs);
            if (kind == SessionKind.WHEP) shard.subscribers.decrementAndGet();
            host.leave();
            publisher = null;
            subscriber = null;
            sessions.remove(id, this);
            closed.complete(reason);
        }
    }
}
