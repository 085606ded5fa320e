package dev.junction.transport;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.stun.StunMessage;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.dtls.DtlsCloseReason;
import dev.junction.transport.dtls.DtlsEndpoint;
import dev.junction.transport.dtls.DtlsListener;
import dev.junction.transport.dtls.DtlsResult;
import dev.junction.transport.dtls.DtlsRole;
import dev.junction.transport.dtls.DtlsSettings;
import dev.junction.transport.dtls.Fingerprint;
import dev.junction.transport.ice.IceAgent;
import dev.junction.transport.ice.IceControllingAgent;
import dev.junction.transport.ice.IceLiteAgent;
import dev.junction.transport.path.Path;
import dev.junction.transport.path.PathOwner;
import dev.junction.transport.path.PathTable;
import dev.junction.transport.path.UdpPath;
import dev.junction.transport.socket.MediaLoop;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.srtp.SrtpSession;
import dev.junction.transport.srtp.SrtpStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One WebRTC session's transport: ICE, then DTLS, then SRTP (DESIGN §1), over whichever {@link Path} its ICE
 * agent picked. The server role (ICE-lite, DTLS server) is what the gateway runs for each WHIP or WHEP session;
 * the client role (ICE controlling, DTLS client) is the same stack acting as a browser, for tests and the load
 * tool. The roles differ only in the {@link IceAgent} and {@link DtlsEndpoint} made at construction; the state
 * machine is one: {@code NEW} → {@code CHECKING} ({@link #start}) → {@code DTLS} (the agent authenticated a
 * first path) → {@code CONNECTED} (SRTP keys) → {@code CLOSED}.
 *
 * <p>Sans-IO where it can be: every input takes the time ({@link #handleStun}, {@link #handleTimeout}, ...), and
 * its one deadline ({@link #nextTimeoutNs()}) is polled by its loop's timer; it never reads the clock or arms a
 * timer. bctls's DTLS handshake blocks, so it runs on a virtual thread (DESIGN §3.3) whose results come back
 * through the loop's one hand-off.
 *
 * <p>Threading: everything happens on its {@link MediaLoop}. {@link #start()}, {@link #closeAsync} and
 * {@link #restartIceAsync} may be called from any thread and hop there; the rest on the loop. The
 * {@link Listener} and the {@link MediaSink} are called on the loop.
 *
 * <p>Buffers: inbound SRTP is copied once from the socket's buffer into a pooled heap buffer and unprotected in
 * place; the sink borrows it for the call (it retains or copies what it keeps), and this class releases it.
 * {@link #sendRtp}/{@link #sendRtcp} take ownership of the packet.
 */
public final class WebRtcTransport implements MediaSender, PathOwner, MediaLoop.Participant {

    /** Where decrypted packets go, per packet (a room's publisher or subscriber); on the loop. */
    public interface MediaSink {
        /** One decrypted RTP packet (readable bytes), borrowed for the call. */
        void onRtp(WebRtcTransport transport, ByteBuf packet, long nowNs);

        /** One decrypted compound RTCP packet (readable bytes), borrowed for the call. */
        void onRtcp(WebRtcTransport transport, ByteBuf packet, long nowNs);
    }

    /** What a session reports, on its loop. It is also the media sink until {@link #setMediaSink} names another. */
    public interface Listener extends MediaSink {
        /** SRTP keys are in place: media can flow both ways. */
        default void onConnected(WebRtcTransport transport) {
        }

        /** The first RTP packet was received and unprotected, or protected and sent: once per session. */
        default void onMediaFlowing(WebRtcTransport transport) {
        }

        /** The session ended; called once, last. */
        void onClosed(WebRtcTransport transport, String reason);
    }

    /** Per-session settings. */
    public record Options(long consentTimeoutMs, DtlsSettings dtls) {
        public static final Options DEFAULT = new Options(30_000, DtlsSettings.DEFAULT);
    }

    /** Where a session is in its life. */
    public enum State { NEW, CHECKING, DTLS, CONNECTED, CLOSED }

    /** The PRIORITY the client role puts on its checks: a host candidate, RFC 8445 §5.1.2.1. */
    private static final long CLIENT_PRIORITY = (126L << 24) | (65_535L << 8) | 255;
    private static final int STUN_BYTES = 256;

    // Passed by argument.
    private final MediaLoop loop;
    private final MediaDemux demux;
    private final Listener listener;
    private final IceAgent ice;
    private final DtlsEndpoint dtls;
    /** Completes on the loop once DTLS ended and its last datagram (our close_notify) has been handed to the path. */
    private final java.util.concurrent.CompletableFuture<Void> dtlsEnded = new java.util.concurrent.CompletableFuture<>();
    /** The client role's candidates from the answer, registered when it starts; empty for the server role. */
    private final List<Path> candidates;
    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;

    // Allocated by this.
    private final PathTable.PathSet paths;

    // State, on the loop; state is volatile so other threads may read it.
    private volatile State state = State.NEW;
    private MediaSink sink;
    private SrtpSession srtp;
    private String closeReason;
    private boolean mediaFlowing;

    private WebRtcTransport(MediaLoop loop, MediaDemux demux, IceAgent ice, boolean dtlsServer, List<Path> candidates,
            DtlsCertificate certificate, List<Fingerprint> remoteFingerprints, Options options, Listener listener) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.demux = Objects.requireNonNull(demux, "demux");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.sink = listener;
        this.ice = ice;
        this.candidates = List.copyOf(candidates);
        this.paths = demux.paths().newSet(this);
        DtlsCallbacks callbacks = new DtlsCallbacks();
        this.dtls = dtlsServer
                ? DtlsEndpoint.server(certificate, remoteFingerprints, options.dtls(), allocator, callbacks::send, callbacks)
                : DtlsEndpoint.client(certificate, remoteFingerprints, options.dtls(), allocator, callbacks::send, callbacks);
    }

    /**
     * The gateway's side of one WHIP/WHEP session, on {@code socket}'s loop.
     *
     * @param local              the credentials in our answer
     * @param remote             the credentials in the offer
     * @param remoteFingerprints the offer's {@code a=fingerprint}s; the browser's certificate must match one
     */
    public static WebRtcTransport server(MediaSocket socket, MediaDemux demux, IceCredentials local, IceCredentials remote,
            DtlsCertificate certificate, List<Fingerprint> remoteFingerprints, Options options, Listener listener) {
        return server(socket, demux, local, remote, DtlsRole.SERVER, certificate, remoteFingerprints, options, listener);
    }

    /**
     * As above, in DTLS role {@code dtlsRole}: {@link DtlsRole#CLIENT} when the answer said {@code a=setup:active},
     * and the handshake then starts with our ClientHello once the first check has given ICE-lite a path.
     */
    public static WebRtcTransport server(MediaSocket socket, MediaDemux demux, IceCredentials local, IceCredentials remote,
            DtlsRole dtlsRole, DtlsCertificate certificate, List<Fingerprint> remoteFingerprints, Options options, Listener listener) {
        // The consent clock starts again in start(); this creation time is only a placeholder.
        IceLiteAgent lite = new IceLiteAgent(local, remote, TimeUnit.MILLISECONDS.toNanos(options.consentTimeoutMs()), 0);
        return new WebRtcTransport(socket.loop(), demux, lite, dtlsRole == DtlsRole.SERVER, List.of(), certificate,
                remoteFingerprints, options, listener);
    }

    /**
     * The browser's side, for tests and the load tool: checks {@code serverCandidates} (from the answer) over
     * {@code socket}, then runs the DTLS client against the server's certificate.
     */
    public static WebRtcTransport client(MediaSocket socket, MediaDemux demux, IceCredentials local, IceCredentials remote,
            List<InetSocketAddress> serverCandidates, DtlsCertificate certificate, List<Fingerprint> serverFingerprints,
            Options options, Random random, Listener listener) {
        return client(socket, demux, local, remote, serverCandidates, DtlsRole.CLIENT, certificate, serverFingerprints,
                options, random, listener);
    }

    /** As above, in DTLS role {@code dtlsRole} (the answer's {@code a=setup}, see the next method). */
    public static WebRtcTransport client(MediaSocket socket, MediaDemux demux, IceCredentials local, IceCredentials remote,
            List<InetSocketAddress> serverCandidates, DtlsRole dtlsRole, DtlsCertificate certificate,
            List<Fingerprint> serverFingerprints, Options options, Random random, Listener listener) {
        if (serverCandidates.isEmpty()) throw new IllegalArgumentException("the answer has no candidate to check");
        List<Path> candidates = new ArrayList<>();
        for (InetSocketAddress a : serverCandidates) {
            if (candidates.size() == PathTable.MAX_PATHS_PER_OWNER) break;
            candidates.add(new UdpPath(socket, a));
        }
        return client(socket.loop(), demux, local, remote, candidates, dtlsRole, certificate, serverFingerprints, options,
                random, listener);
    }

    /**
     * The client role over paths the caller made: UDP, or ICE-TCP connections it opened to the answer's passive
     * candidates (RFC 6544), as a browser's active candidates do. Each path is checked from {@link #start()}.
     */
    public static WebRtcTransport client(MediaLoop loop, MediaDemux demux, IceCredentials local, IceCredentials remote,
            List<Path> candidates, DtlsCertificate certificate, List<Fingerprint> serverFingerprints, Options options,
            Random random, Listener listener) {
        return client(loop, demux, local, remote, candidates, DtlsRole.CLIENT, certificate, serverFingerprints, options,
                random, listener);
    }

    /**
     * The client role in DTLS role {@code dtlsRole}, as the answer's {@code a=setup} says ({@link dev.junction.transport.client.ServerAnswer#dtlsRole()}):
     * {@link DtlsRole#SERVER} against a server that answered {@code a=setup:active} (Janus does), waiting for its
     * ClientHello once ICE has a path.
     */
    public static WebRtcTransport client(MediaLoop loop, MediaDemux demux, IceCredentials local, IceCredentials remote,
            List<Path> candidates, DtlsRole dtlsRole, DtlsCertificate certificate, List<Fingerprint> serverFingerprints,
            Options options, Random random, Listener listener) {
        if (candidates.isEmpty()) throw new IllegalArgumentException("no candidate to check");
        if (candidates.size() > PathTable.MAX_PATHS_PER_OWNER) {
            throw new IllegalArgumentException("at most " + PathTable.MAX_PATHS_PER_OWNER + " candidates, got " + candidates.size());
        }
        IceControllingAgent agent = new IceControllingAgent(local, remote, CLIENT_PRIORITY,
                TimeUnit.MILLISECONDS.toNanos(options.consentTimeoutMs()), random, 0);
        for (Path path : candidates) agent.addRemoteCandidate(path, 0); // checked from start()
        return new WebRtcTransport(loop, demux, agent, dtlsRole == DtlsRole.SERVER, candidates, certificate,
                serverFingerprints, options, listener);
    }

    // ---- commands ----------------------------------------------------------------------------------------

    /**
     * Registers the session with its demux and loop and starts ICE; any thread. On the loop it happens before
     * this returns, so a caller there can answer the offer knowing the first check will find the session.
     */
    public void start() {
        if (loop.inLoop()) start(System.nanoTime());
        else execute(() -> start(System.nanoTime()));
    }

    /** As {@link #start()}, on the loop, at {@code nowNs}. */
    public void start(long nowNs) {
        if (state != State.NEW) return;
        try {
            demux.addUfrag(ice.localCredentials().ufrag(), this);
            // The client role trusts the answer's candidates enough to hear their answers.
            for (Path candidate : candidates) paths.register(candidate);
            ice.start(nowNs);
            state = State.CHECKING;
            loop.add(this);
            pollTransmits(nowNs);
        } catch (RuntimeException e) {
            close("cannot start: " + e.getMessage());
        }
    }

    /** Ends the session with {@code reason}; any thread, idempotent. */
    public void closeAsync(String reason) {
        execute(() -> close(reason));
    }

    /** ICE restart with new credentials (RFC 9725 §4.3); any thread. */
    public void restartIceAsync(IceCredentials newLocal, IceCredentials newRemote) {
        execute(() -> restartIce(newLocal, newRemote, System.nanoTime()));
    }

    /** ICE restart, on the loop: checks with the old credentials fail from now on; media keeps its path meanwhile. */
    public void restartIce(IceCredentials newLocal, IceCredentials newRemote, long nowNs) {
        if (state == State.CLOSED) return;
        demux.removeUfrag(ice.localCredentials().ufrag(), this);
        ice.restart(newLocal, newRemote);
        demux.addUfrag(newLocal.ufrag(), this);
        pollTransmits(nowNs);
        loop.wakeAt(this, ice.nextTimeoutNs());
    }

    /** Ends the session with {@code reason}; on the loop, idempotent. */
    public void close(String reason) {
        if (state == State.CLOSED) return;
        state = State.CLOSED;
        closeReason = reason;
        loop.remove(this);
        paths.releaseAll();
        demux.removeUfrag(ice.localCredentials().ufrag(), this);
        ice.close(reason);
        dtls.close();
        if (srtp != null) srtp.close();
        listener.onClosed(this, reason);
    }

    /** Sends decrypted packets to {@code sink} from now on instead of the listener; on the loop. */
    public void setMediaSink(MediaSink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Protects {@code packet} in place and sends it on the selected path, coalesced with the burst's other
     * packets to this peer. Takes ownership; the buffer needs the profile's tail room for the tag (it grows it
     * otherwise). Returns false (and releases) when the session has no keys or no path yet, or protection failed.
     * On the loop only.
     */
    @Override
    public boolean sendRtp(ByteBuf packet) {
        Path path = ice.sendPath();
        if (srtp == null || path == null || state == State.CLOSED || srtp.protectRtp(packet) != SrtpStatus.OK) {
            packet.release();
            return false;
        }
        path.sendMedia(packet);
        if (!mediaFlowing) onMediaFlowing();
        return true;
    }

    /**
     * As {@link #sendRtp}, for a compound RTCP packet. It leaves as it comes, so a Sender Report may leave a
     * moment before RTP packets it already counts (receivers do not mind).
     */
    @Override
    public boolean sendRtcp(ByteBuf packet) {
        Path path = ice.sendPath();
        if (srtp == null || path == null || state == State.CLOSED || srtp.protectRtcp(packet) != SrtpStatus.OK) {
            packet.release();
            return false;
        }
        path.send(packet);
        return true;
    }

    // ---- inputs from the demux and the loop's timer, on the loop ------------------------------------------

    @Override
    public DropReason handleStun(StunMessage message, Path from, long nowNs) {
        if (state == State.CLOSED) return DropReason.STUN_UNEXPECTED;
        ByteBuf out = allocator.directBuffer(STUN_BYTES);
        IceAgent.Outcome outcome = ice.handleStun(nowNs, message, from, out);
        if (out.isReadable()) from.send(out);
        else out.release();
        if (!outcome.authenticated()) {
            return outcome == IceAgent.Outcome.REJECTED ? DropReason.STUN_REJECTED : DropReason.STUN_UNEXPECTED;
        }
        paths.authorize(from, ice.sendPath());
        if (state == State.CHECKING) {
            // DTLS starts once ICE has a path (the client's ClientHello, or the server's wait for it).
            state = State.DTLS;
            dtls.start();
        }
        pollTransmits(nowNs);
        loop.wakeAt(this, ice.nextTimeoutNs());
        return null;
    }

    @Override
    public DropReason handleDtls(Path from, ByteBuf datagram) {
        if (state == State.CLOSED || !dtls.handleDatagram(datagram)) return DropReason.DTLS_REFUSED;
        return null;
    }

    @Override
    public DropReason handleSrtp(Path from, ByteBuf datagram, boolean rtcp, long nowNs) {
        SrtpSession keys = srtp;
        if (keys == null || state == State.CLOSED) return DropReason.SRTP_NOT_READY;
        // The one ingress copy: direct socket memory into a pooled heap buffer, unprotected in place.
        ByteBuf packet = allocator.heapBuffer(datagram.readableBytes());
        try {
            packet.writeBytes(datagram, datagram.readerIndex(), datagram.readableBytes());
            SrtpStatus status = rtcp ? keys.unprotectRtcp(packet) : keys.unprotectRtp(packet);
            if (status != SrtpStatus.OK) return DropReason.SRTP_UNPROTECT_FAILED;
            if (rtcp) {
                sink.onRtcp(this, packet, nowNs);
            } else {
                if (!mediaFlowing) onMediaFlowing();
                sink.onRtp(this, packet, nowNs);
            }
            return null;
        } finally {
            packet.release();
        }
    }

    @Override
    public boolean acceptsUsername(StunMessage request) {
        return ice.acceptsUsername(request);
    }

    @Override
    public void onPathRevoked(Path path) {
        ice.onPathRevoked(path);
        loop.wakeAt(this, ice.nextTimeoutNs());
    }

    @Override
    public long nextTimeoutNs() {
        return state == State.CLOSED ? Long.MAX_VALUE : ice.nextTimeoutNs();
    }

    @Override
    public void handleTimeout(long nowNs) {
        if (state == State.CLOSED) return;
        pollTransmits(nowNs);
        if (ice.handleTimeout(nowNs)) close(ice.closeReason());
    }

    // ---- state, for the owner and tests ----------------------------------------------------------------

    public MediaLoop loop() {
        return loop;
    }

    public EventLoop eventLoop() {
        return loop.eventLoop();
    }

    public State state() {
        return state;
    }

    public String closeReason() {
        return closeReason;
    }

    /** The SRTP session once connected (for counters), else null. On the loop. */
    public SrtpSession srtp() {
        return srtp;
    }

    /** Where media goes now, or null before ICE found a path. On the loop. */
    public Path path() {
        return ice.sendPath();
    }

    /** The peer's address on the current path, or null before ICE found one. On the loop. */
    public InetSocketAddress remoteAddress() {
        Path path = ice.sendPath();
        return path == null ? null : path.remoteAddress();
    }

    /** Paths bound to this session now (authorized, and the client role's registered candidates). On the loop. */
    public int pathCount() {
        return paths.size();
    }

    public IceCredentials localIceCredentials() {
        return ice.localCredentials();
    }

    /**
     * Completes once DTLS has ended and its last datagram, our close_notify after {@link #close}, has been handed to
     * the path: a graceful stop waits for it before it closes the sockets.
     */
    public java.util.concurrent.CompletableFuture<Void> dtlsEnded() {
        return dtlsEnded;
    }

    public DtlsEndpoint dtls() {
        return dtls;
    }

    // ---- internals, on the loop ---------------------------------------------------------------------

    private void onMediaFlowing() {
        mediaFlowing = true;
        listener.onMediaFlowing(this);
    }

    /** Sends every request the agent has due (the client role's checks; none for a lite agent). */
    private void pollTransmits(long nowNs) {
        while (true) {
            ByteBuf out = allocator.directBuffer(STUN_BYTES);
            Path to = ice.pollTransmit(nowNs, out);
            if (to == null) {
                out.release();
                return;
            }
            to.send(out);
        }
    }

    private void onDtlsConnected(SrtpSession session) {
        if (state == State.CLOSED) {
            session.close();
            return;
        }
        srtp = session;
        state = State.CONNECTED;
        listener.onConnected(this);
    }

    private void execute(Runnable task) {
        loop.execute(task); // refused only while the loop shuts down, which frees everything
    }

    /** DTLS outputs, on the DTLS virtual thread: each hops onto the loop. */
    private final class DtlsCallbacks implements DtlsListener {

        void send(ByteBuf datagram) {
            boolean queued = loop.execute(() -> {
                // NOTE: sent after close() too: our close_notify goes out after the session closed.
                Path path = ice.sendPath();
                if (path == null) datagram.release();
                else path.send(datagram);
            });
            if (!queued) datagram.release();
        }

        @Override
        public void onConnected(DtlsEndpoint endpoint, DtlsResult result) {
            // Key derivation (and, once per process, the AES backend choice) stays off the loop.
            SrtpSession session = SrtpSession.create(result.srtpKeys());
            if (!loop.execute(() -> onDtlsConnected(session))) session.close();
        }

        @Override
        public void onClosed(DtlsEndpoint endpoint, DtlsCloseReason reason, String detail) {
            boolean queued = loop.execute(() -> {
                close("DTLS " + reason.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                        + (detail == null || detail.isEmpty() ? "" : ": " + detail));
                dtlsEnded.complete(null);
            });
            if (!queued) dtlsEnded.complete(null);
        }
    }

    @Override
    public String toString() {
        return "WebRtcTransport[" + state + ", ufrag=" + ice.localCredentials().ufrag() + ", path=" + ice.sendPath() + "]";
    }
}
