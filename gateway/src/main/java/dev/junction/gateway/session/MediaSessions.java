package dev.junction.gateway.session;

import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.jsep.CodecCapability;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.MediaCapabilities;
import dev.junction.codec.sdp.jsep.RtcpFeedback;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import dev.junction.config.DependencyDescriptorMode;
import dev.junction.config.JunctionConfig;
import dev.junction.config.MediaSettings;
import dev.junction.config.TurnConfig;
import dev.junction.gateway.http.DashboardSource;
import dev.junction.gateway.http.IceServerSource;
import dev.junction.gateway.http.MetricsSource;
import dev.junction.gateway.http.SessionService;
import dev.junction.gateway.loop.LoopProxy;
import dev.junction.gateway.loop.LoopRooms;
import dev.junction.gateway.loop.Pipe;
import dev.junction.gateway.loop.RoomTotals;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.dtls.DtlsSettings;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.metrics.DurationHistogram;
import dev.junction.transport.socket.MediaLoop;
import dev.junction.transport.socket.IceTcpListener;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.socket.EmbeddedTurnServer;
import dev.junction.transport.socket.TurnTls;
import dev.junction.transport.socket.PublicPort;
import dev.junction.transport.socket.TlsIdentity;
import dev.junction.transport.UfragRoutes;
import dev.junction.config.PublicPortConfig;
import dev.junction.transport.turn.TurnSettings;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import dev.junction.transport.srtp.AesBackend;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The gateway's media side, put together: the media loops and their sockets and demuxes ({@link MediaPlane}),
 * their rooms ({@link LoopRooms}, reached through one {@link LoopProxy} per loop), and the control plane in front
 * of them: the {@link WhipWhepService}, the {@link SessionTable}, the {@link RoomDirectory} and the
 * {@link MetricsWriter}. It holds no logic of its own beyond starting and stopping them in order.
 *
 * <p>Threading: {@link #start} and {@link #close} on any one thread; the accessors on any thread.
 */
public final class MediaSessions implements AutoCloseable {

    private final MediaPlane plane;
    private final MediaDemux[] demuxes;
    private final LoopProxy[] loops;
    private final RoomDirectory directory;
    private final SessionTable table;
    private final DtlsCertificate certificate = DtlsCertificate.generate();
    private final AtomicLong pipeDrops = new AtomicLong();
    private final Set<Pipe> openPipes = ConcurrentHashMap.newKeySet();
    private final WhipWhepService service;
    private final MetricsWriter metrics;
    private final ConnectivityCheck connectivity;
    private final LogReporter reporter;
    private final DashboardFeed dashboard;
    private final ViewerFeed viewers = new ViewerFeed();
    /** The embedded TURN server, or null when it is off. */
    private final EmbeddedTurnServer turn;
    private final IceServerSource iceServers;
    /** One-port mode's listener, or null when it is off. */
    private final PublicPort publicPort;
    /** Its certificate and key (HTTPS takes them too), or null when it is off. */
    private final TlsIdentity publicIdentity;

    private MediaSessions(JunctionConfig config, WebRtcTransport.Options options, long roomGraceMs) {
        this.table = new SessionTable(config.media().maxSessions());
        // Choose and warm the SRTP AES backend now, off the media loops (it benchmarks on first use).
        AesBackend.warmUp();
        int count = config.media().effectiveLoops();
        this.demuxes = new MediaDemux[count];
        for (int i = 0; i < count; i++) demuxes[i] = new MediaDemux();
        this.plane = MediaPlane.start(config.media(), i -> demuxes[i]);
        List<IceTcpListener> tcp;
        try {
            tcp = config.media().iceTcp() ? listenTcp(config.media()) : List.of();
        } catch (IllegalStateException e) {
            plane.close();
            throw e;
        }
        try {
            this.turn = config.turn().enabled() ? startTurn(config) : null;
        } catch (RuntimeException e) {
            plane.close();
            throw e;
        }
        try {
            this.publicIdentity = config.publicPort().enabled() ? publicIdentity(config) : null;
            this.publicPort = config.publicPort().enabled() ? startPublicPort(config) : null;
        } catch (RuntimeException e) {
            if (turn != null) turn.close();
            plane.close();
            throw e;
        }
        int publicPortNumber = publicPort == null ? 0 : publicPort.localAddress().getPort();
        this.iceServers = turn == null ? IceServerSource.NONE : new TurnAdvertisement(turnSecret, config.turn().credentialTtlSeconds(),
                config.media().announce(), turn.udpAddress().getPort(), turn.tlsAddress() == null ? 0 : turn.tlsAddress().getPort(),
                publicPortNumber, config.publicPort().turnName());
        this.loops = LoopRooms.start(plane.loops(), pipeDrops, openPipes);
        this.directory = new RoomDirectory(count, roomGraceMs, config.media().spreadAfter());
        this.service = new WhipWhepService(negotiator(publisherCapabilities(config.media().dependencyDescriptor()), config.media()), negotiator(subscriberCapabilities(config.media().subscriberTransportCc(), config.media().dependencyDescriptor()), config.media()), certificate, options, config.media().announce(),
                plane.sockets(), tcp, publicPortNumber, demuxes, loops, directory, table, viewers);
        RoomTotals[] totals = new RoomTotals[count];
        for (int i = 0; i < count; i++) totals[i] = loopRooms(i).totals();
        this.metrics = new MetricsWriter(plane.loops(), plane.sockets(), tcp, demuxes, totals, pipeDrops, table, directory, turn, publicPort);
        this.connectivity = new ConnectivityCheck(config.media(), plane.sockets(), tcp);
        this.reporter = new LogReporter(demuxes, plane.loops());
        this.dashboard = new DashboardFeed(loops, plane.sockets(), tcp, demuxes, totals, pipeDrops, table, directory).start();
        viewers.start(dashboard.sampler());
    }

    /** The REST secret in use: the configured one, or one generated at start. */
    private byte[] turnSecret;

    /**
     * The embedded TURN server (issue 10) on loop 0, for the announced media addresses: a secret generated when none
     * is configured, a self-signed certificate when TLS is on without PEM files; both are logged.
     */
    private EmbeddedTurnServer startTurn(JunctionConfig config) {
        TurnConfig t = config.turn();
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("dev.junction.turn");
        if (t.secret().isEmpty()) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            turnSecret = Base64.getUrlEncoder().withoutPadding().encodeToString(random).getBytes(StandardCharsets.UTF_8);
            log.warn("turn.secret is empty: generated a random one for this run; credentials minted by anyone else will not work (set turn.secret to share one)");
        } else {
            turnSecret = t.secret().getBytes(StandardCharsets.UTF_8);
        }
        SslContext tls = null;
        if (t.tls()) {
            if (t.tlsCertFile().isEmpty()) {
                tls = TurnTls.selfSigned(config.media().announce());
                log.warn("TURN over TLS with a generated self-signed certificate (for local use; browsers will not trust it): set turn.tls-cert and turn.tls-key");
            } else {
                tls = TurnTls.fromPem(Path.of(t.tlsCertFile()), Path.of(t.tlsKeyFile()));
            }
        }
        Set<InetSocketAddress> media = new HashSet<>();
        for (MediaSocket s : plane.sockets()) {
            for (String ip : config.media().announce()) media.add(new InetSocketAddress(ip, s.localAddress().getPort()));
        }
        EmbeddedTurnServer server = EmbeddedTurnServer.start(plane, List.of(demuxes), TurnSettings.from(t, turnSecret, media),
                new EmbeddedTurnServer.Listen(config.media().bindAddress(), t.port(), t.tlsPort(), tls, config.media().announce(),
                        t.relayPortMin(), t.relayPortMax(), EmbeddedTurnServer.Limits.DEFAULT));
        log.info("TURN on UDP and TCP {}{}, realm {}, peers: our media addresses{}", server.udpAddress(),
                server.tlsAddress() == null ? "" : " and TLS " + server.tlsAddress(), t.realm(),
                t.allowedPeers().isEmpty() ? " only" : " and " + t.allowedPeers());
        return server;
    }

    /**
     * One-port mode's certificate: the operator's PEM files, or a self-signed certificate naming the announced
     * addresses, {@code localhost} and the TURN name, logged as such.
     */
    private static TlsIdentity publicIdentity(JunctionConfig config) {
        PublicPortConfig p = config.publicPort();
        if (!p.tlsCertFile().isEmpty()) return TlsIdentity.fromPem(Path.of(p.tlsCertFile()), Path.of(p.tlsKeyFile()));
        List<String> names = new ArrayList<>(List.of("localhost"));
        if (!p.turnName().isEmpty()) names.add(p.turnName());
        org.slf4j.LoggerFactory.getLogger("dev.junction.public-port").warn("public port with a generated self-signed certificate "
                + "(for local use; browsers will warn, and TURN clients that verify will refuse): set public.tls-cert and public.tls-key");
        return TlsIdentity.selfSigned("junction", config.media().announce(), names);
    }

    /**
     * One-port mode (issue 10) on the media bind address: every demux publishes its ufrags so that an ICE-TCP
     * connection finds its session's loop, and each loop gets an ICE-TCP listener that adopts such connections.
     */
    private PublicPort startPublicPort(JunctionConfig config) {
        PublicPortConfig p = config.publicPort();
        UfragRoutes routes = new UfragRoutes();
        List<IceTcpListener> adopters = new ArrayList<>();
        for (int i = 0; i < demuxes.length; i++) {
            demuxes[i].routeUfragsTo(routes, i);
            adopters.add(plane.adoptingTcp(i, demuxes[i], IceTcpListener.Limits.DEFAULT));
        }
        PublicPort port = PublicPort.start(plane, new InetSocketAddress(config.media().bindAddress(), Math.max(0, p.port())), adopters,
                routes, turn, publicIdentity.sslContext(PublicPort.ALPN_TURN), p.turnName(), p.noAlpnToTurn(), PublicPort.Limits.DEFAULT);
        org.slf4j.LoggerFactory.getLogger("dev.junction.public-port").info("public port {}: HTTPS, ICE-TCP{}", port.localAddress(),
                turn == null ? "" : ", TURN over TLS and TCP" + (p.turnName().isEmpty() ? "" : " (server name " + p.turnName() + ")"));
        return port;
    }

    /**
     * One ICE-TCP listener per loop, on the port number of the loop's UDP socket (TCP and UDP ports are separate
     * spaces). With ephemeral media ports (port 0) a taken number falls back to any free TCP port.
     */
    private List<IceTcpListener> listenTcp(MediaSettings media) {
        List<IceTcpListener> listeners = new ArrayList<>();
        for (int i = 0; i < plane.loops().size(); i++) {
            int port = plane.sockets().get(i).localAddress().getPort();
            try {
                listeners.add(plane.listenTcp(i, new InetSocketAddress(media.bindAddress(), port), demuxes[i], IceTcpListener.Limits.DEFAULT));
            } catch (IllegalStateException e) {
                if (media.basePort() != 0) throw e;
                listeners.add(plane.listenTcp(i, new InetSocketAddress(media.bindAddress(), 0), demuxes[i], IceTcpListener.Limits.DEFAULT));
            }
        }
        return List.copyOf(listeners);
    }

    /** Binds the media sockets and makes the process's DTLS certificate. */
    public static MediaSessions start(JunctionConfig config) {
        return start(config, new WebRtcTransport.Options(config.media().consentTimeoutMs(), DtlsSettings.DEFAULT));
    }

    /** As {@link #start(JunctionConfig)} with other transport options (tests shorten consent). */
    public static MediaSessions start(JunctionConfig config, WebRtcTransport.Options options) {
        return new MediaSessions(config, options, RoomDirectory.DEFAULT_GRACE_MS);
    }

    /** As above with another grace period for empty rooms (tests that watch rooms go away). */
    public static MediaSessions start(JunctionConfig config, WebRtcTransport.Options options, long roomGraceMs) {
        return new MediaSessions(config, options, roomGraceMs);
    }

    /** A negotiator for {@code capabilities} answering actpass offers with the configured DTLS role. */
    private static SdpNegotiator negotiator(MediaCapabilities capabilities, MediaSettings media) {
        return new SdpNegotiator(capabilities).withDtlsSetup(media.dtlsClient() ? SetupRole.ACTIVE : SetupRole.PASSIVE);
    }

    /**
     * What the gateway negotiates with publishers (WHIP): the codec defaults with transport-wide congestion control
     * (the header extension and {@code transport-cc} feedback: Junction sends the feedback their own estimators run
     * on, see {@code TransportCcReceiver}) and without REMB, which a sender needs only when transport-cc is missing.
     */
    public static MediaCapabilities publisherCapabilities() {
        return publisherCapabilities(DependencyDescriptorMode.OFF);
    }

    /**
     * The same, with the dependency descriptor as {@code dependencyDescriptor} says ({@code media.dependency-descriptor}):
     * {@code auto} answers it only where the publisher sends VP9 or AV1, whose temporal layers are read nowhere else.
     */
    public static MediaCapabilities publisherCapabilities(DependencyDescriptorMode dependencyDescriptor) {
        MediaCapabilities c = withoutFeedback(MediaCapabilities.defaults(), RtcpFeedback.GOOG_REMB, null);
        return switch (dependencyDescriptor) {
            case OFF -> c;
            case AUTO -> c.withDependencyDescriptorFor(List.of("VP9", "AV1"));
            case ON -> c.withDependencyDescriptor();
        };
    }

    /**
     * What the gateway negotiates with subscribers (WHEP): the codec defaults, with transport-wide congestion control
     * when {@code transportCc} (the header extension and {@code transport-cc} feedback: Junction numbers each
     * subscriber's packets and estimates its bandwidth from the feedback, issue 11), else without it
     * ({@code media.subscriber-transport-cc off}). REMB is kept in the offer's codecs as before; Junction reads none.
     */
    public static MediaCapabilities subscriberCapabilities(boolean transportCc) {
        return subscriberCapabilities(transportCc, DependencyDescriptorMode.OFF);
    }

    /**
     * The same, with the dependency descriptor answered to every subscriber that offers it unless
     * {@code dependencyDescriptor} is {@code off} (a subscriber's codec is the publisher's, whose descriptors reach it
     * only when the publisher sends them).
     */
    public static MediaCapabilities subscriberCapabilities(boolean transportCc, DependencyDescriptorMode dependencyDescriptor) {
        MediaCapabilities c = transportCc ? MediaCapabilities.defaults()
                : withoutFeedback(MediaCapabilities.defaults(), RtcpFeedback.TRANSPORT_CC, HeaderExtensionUri.TRANSPORT_CC);
        return dependencyDescriptor == DependencyDescriptorMode.OFF ? c : c.withDependencyDescriptor();
    }

    /** {@code defaults} less one feedback type on every codec and, when not null, one header extension. */
    private static MediaCapabilities withoutFeedback(MediaCapabilities defaults, RtcpFeedback feedback, String extension) {
        List<CodecCapability> codecs = defaults.codecs().stream()
                .map(c -> new CodecCapability(c.kind(), c.name(), c.clockRate(), c.channels(), c.parameters(),
                        c.rtcpFeedback().stream().filter(f -> !f.equals(feedback))
                                .collect(Collectors.toCollection(LinkedHashSet::new)),
                        c.rtx()))
                .toList();
        List<String> extensions = defaults.headerExtensions().stream().filter(u -> !u.equals(extension)).toList();
        return new MediaCapabilities(codecs, extensions);
    }

    /** WHIP and WHEP, for the HTTP API. */
    public SessionService service() {
        return service;
    }

    /** {@code /dashboard}'s data, for the HTTP API. */
    public DashboardSource dashboard() {
        return dashboard;
    }

    /** The ICE servers advertised in {@code Link} headers (none without TURN), for the HTTP API. */
    public IceServerSource iceServers() {
        return iceServers;
    }

    /** The embedded TURN server, or null when it is off. */
    public EmbeddedTurnServer turn() {
        return turn;
    }

    /** {@code /metrics}, for the HTTP API. */
    public MetricsSource metrics() {
        return metrics;
    }

    // ---- counts, for tests and diagnostics ----------------------------------------------------------------------

    /** Media loop {@code index}'s proxy (the cluster's node pipes reach a room's loop through it). */
    public LoopProxy loop(int index) {
        return loops[index];
    }

    /** Which rooms exist here and who sits in them (the cluster directory reads it). */
    public RoomDirectory roomDirectory() {
        return directory;
    }

    /**
     * Packets received and sent so far (UDP datagrams and ICE-TCP frames, every media loop), the raw counter behind a
     * node's packets per second in the cluster directory. Any thread.
     */
    public long packetsTotal() {
        long total = 0;
        for (MediaSocket s : plane.sockets()) total += s.counter(MediaSocket.DATAGRAMS_IN) + s.counter(MediaSocket.DATAGRAMS_OUT);
        for (IceTcpListener l : plane.tcpListeners()) total += l.counter(IceTcpListener.FRAMES_IN) + l.counter(IceTcpListener.FRAMES_OUT);
        return total;
    }

    /** Open sessions. */
    public int sessionCount() {
        return table.size();
    }

    /** Sessions whose transport has finished DTLS and has SRTP keys. */
    public int connectedSessionCount() {
        return table.connected();
    }

    /** Rooms that exist (including empty ones in their grace period). */
    public int roomCount() {
        return directory.size();
    }

    /**
     * Sessions and bound addresses still registered with the media loops' demultiplexers, counted on each loop;
     * zero once every session has ended. Blocks briefly; for tests and diagnostics.
     */
    public int registeredTransportEntries() {
        int total = 0;
        for (int i = 0; i < loops.length; i++) {
            MediaDemux demux = demuxes[i];
            total += await(loops[i].query(() -> demux.sessionCount() + demux.boundAddressCount()), i);
        }
        return total;
    }

    /** Parts of rooms on each media loop now (rooms are made on a loop only while it has a member). Blocks briefly. */
    public List<Integer> roomsPerLoop() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < loops.length; i++) {
            LoopProxy loop = loops[i];
            out.add(await(loop.query(() -> loop.roomsOnLoop().roomCount()), i));
        }
        return out;
    }

    /** Timer participants (transports and the loop's rooms) on each media loop now. Blocks briefly. */
    public List<Integer> timerParticipantsPerLoop() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < loops.length; i++) {
            MediaLoop loop = loops[i].loop();
            out.add(await(loops[i].query(loop::participantCount), i));
        }
        return out;
    }

    private static <T> T await(CompletableFuture<T> answer, int loop) {
        try {
            return answer.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("media loop " + loop + " did not answer", e);
        }
    }

    /** The process's DTLS certificate (its fingerprint is in every answer). */
    public DtlsCertificate certificate() {
        return certificate;
    }

    /** The media sockets, one per loop. */
    public List<MediaSocket> sockets() {
        return plane.sockets();
    }

    /**
     * Drain mode: new sessions get 503 with {@code Retry-After}, existing ones continue, {@code /health} answers
     * 503 so that a load balancer sends clients elsewhere. Returns the sessions that continue.
     */
    public int drain() {
        table.refuse("draining: this server takes no new sessions");
        return table.size();
    }

    /** Whether new sessions are refused (drain mode, or shutting down). */
    public boolean draining() {
        return table.refusing();
    }

    /** Whether a new session would be taken now: not draining, and below {@code media.max-sessions}. */
    public boolean takesNewSessions() {
        return table.takesNewSessions();
    }

    /** The connectivity self-check over these sockets and the announced addresses. */
    public ConnectivityCheck connectivity() {
        return connectivity;
    }

    /** One-port mode's listener, or null when it is off. */
    public PublicPort publicPort() {
        return publicPort;
    }

    /** One-port mode's certificate and key, for the HTTPS listener behind it; null when it is off. */
    public TlsIdentity publicIdentity() {
        return publicIdentity;
    }

    /** The ICE-TCP listeners, one per loop; empty when ICE-TCP is off. */
    public List<IceTcpListener> tcpListeners() {
        return plane.tcpListeners();
    }

    /** The setup-time histogram behind {@code junction_session_setup_seconds} (tests). */
    DurationHistogram setupTime() {
        return table.setupTime();
    }

    private LoopRooms loopRooms(int i) {
        return await(loops[i].query(loops[i]::roomsOnLoop), i);
    }

    /** Ends every session and room, then stops the media loops. Blocks until done (a few seconds at most). */
    @Override
    public void close() {
        // Requests that arrive while sessions close get 503 rather than a session that is about to end.
        table.refuse("shutting down");
        // RTCP BYE to every peer first (its streams end), then each session's DTLS close_notify as it closes.
        for (LoopProxy loop : loops) {
            try {
                loop.query(() -> {
                    loop.roomsOnLoop().sayGoodbye("server shutting down");
                    return null;
                }).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The loop is gone or stuck: the close_notify below still ends the sessions.
            }
        }
        List<CompletableFuture<String>> closing = new ArrayList<>();
        for (Session s : table.all()) {
            closing.add(s.closed);
            // Its close_notify leaves from the DTLS thread a moment after the session closed: the sockets stay
            // open until it has been handed to them.
            closing.add(s.transport.dtlsEnded().thenApply(v -> ""));
            s.loop.close(s.transport, "server shutting down");
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Best effort: closing the loops below frees what is left.
        }
        for (LoopProxy loop : loops) {
            try {
                loop.query(() -> {
                    loop.roomsOnLoop().closeAll();
                    return null;
                }).get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The loop is gone; nothing left to free on it.
            }
        }
        connectivity.close();
        reporter.close();
        viewers.close();
        dashboard.close();
        if (publicPort != null) publicPort.close();
        if (turn != null) turn.close();
        plane.close();
        // The loops have stopped: nothing drains the pipes any more, so their rings are ours to empty.
        for (Pipe pipe : openPipes) pipe.releaseQueued();
        openPipes.clear();
        if (turn != null) turn.releaseQueued();
        directory.close();
    }
}
