package dev.junction.transport;

import dev.junction.codec.stun.StunMessage;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.dtls.DtlsCloseReason;
import dev.junction.transport.dtls.DtlsEndpoint;
import dev.junction.transport.dtls.DtlsListener;
import dev.junction.transport.dtls.DtlsResult;
import dev.junction.transport.dtls.DtlsSettings;
import dev.junction.transport.dtls.Fingerprint;
import dev.junction.transport.ice.IceControllingAgent;
import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.transport.ice.IceLiteAgent;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.srtp.SrtpSession;
import dev.junction.transport.srtp.SrtpStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One WebRTC session's transport: ICE, then DTLS, then SRTP over one media socket (DESIGN §1). The
 * server role is what the gateway runs for each WHIP or WHEP session (ICE-lite, DTLS server); the client
 * role is the same stack acting as a browser (ICE controlling, DTLS client) for tests and the load tool.
 *
 * <p>Threading: everything happens on the socket's event loop. {@link #start()}, {@link #closeAsync} and
 * {@link #restartIceAsync} may be called from any thread and hop there; {@link #sendRtp} and
 * {@link #sendRtcp} are called on the loop. The DTLS handshake runs on its own virtual thread and comes
 * back to the loop through {@code execute}. The {@link Listener} is called on the loop.
 *
 * <p>Buffers: inbound SRTP is copied once from the socket's buffer into a pooled heap buffer and
 * unprotected in place; the listener borrows that buffer for the call (it retains or copies what it
 * keeps), and this class releases it. {@link #sendRtp}/{@link #sendRtcp} take ownership of the packet.
 */
public final class WebRtcTransport implements MediaSender {

    /** What a session reports, on its event loop. */
    public interface Listener {
        /** SRTP keys are in place: media can flow both ways. */
        default void onConnected(WebRtcTransport transport) {
        }

        /** One decrypted RTP packet (readable bytes), borrowed for the call. */
        void onRtp(WebRtcTransport transport, ByteBuf packet, long nowNs);

        /** One decrypted compound RTCP packet (readable bytes), borrowed for the call. */
        void onRtcp(WebRtcTransport transport, ByteBuf packet, long nowNs);

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
    private static final int STUN_RESPONSE_BYTES = 256;

    // Passed by argument.
    private final MediaSocket socket;
    private final MediaDemux demux;
    private final Listener listener;
    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final List<InetSocketAddress> remoteCandidates;

    // Allocated by this.
    private final IceLiteAgent lite;
    private final IceControllingAgent controlling;
    private final DtlsEndpoint dtls;
    private final Runnable timerTask = this::onTimer;
    private final MediaSocket.SendBatch rtpBatch = new MediaSocket.SendBatch();

    // State, written on the loop; state is volatile so other threads may read it.
    private volatile State state = State.NEW;
    private SrtpSession srtp;
    private ScheduledFuture<?> timer;
    private long timerDeadlineNs;
    private String closeReason;
    private boolean dtlsStarted;

    private WebRtcTransport(MediaSocket socket, MediaDemux demux, IceLiteAgent lite, IceControllingAgent controlling,
            List<InetSocketAddress> remoteCandidates, DtlsCertificate certificate, List<Fingerprint> remoteFingerprints,
            Options options, Listener listener) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.demux = Objects.requireNonNull(demux, "demux");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.lite = lite;
        this.controlling = controlling;
        this.remoteCandidates = List.copyOf(remoteCandidates);
        DtlsCallbacks callbacks = new DtlsCallbacks();
        this.dtls = lite != null
                ? DtlsEndpoint.server(certificate, remoteFingerprints, options.dtls(), allocator, callbacks::send, callbacks)
                : DtlsEndpoint.client(certificate, remoteFingerprints, options.dtls(), allocator, callbacks::send, callbacks);
    }

    /**
     * The gateway's side of one WHIP/WHEP session.
     *
     * @param local              the credentials in our answer
     * @param remote             the credentials in the offer
     * @param remoteFingerprints the offer's {@code a=fingerprint}s; the browser's certificate must match one
     */
    public static WebRtcTransport server(MediaSocket socket, MediaDemux demux, IceCredentials local, IceCredentials remote,
            DtlsCertificate certificate, List<Fingerprint> remoteFingerprints, Options options, Listener listener) {
        IceLiteAgent lite = new IceLiteAgent(local, remote, TimeUnit.MILLISECONDS.toNanos(options.consentTimeoutMs()), System.nanoTime());
        return new WebRtcTransport(socket, demux, lite, null, List.of(), certificate, remoteFingerprints, options, listener);
    }

    /**
     * The browser's side, for tests and the load tool: checks {@code serverCandidates} (from the answer),
     * then runs the DTLS client against the server's certificate.
     */
    public static WebRtcTransport client(MediaSocket socket, MediaDemux demux, IceCredentials local, IceCredentials remote,
            List<InetSocketAddress> serverCandidates, DtlsCertificate certificate, List<Fingerprint> serverFingerprints,
            Options options, Random random, Listener listener) {
        if (serverCandidates.isEmpty()) throw new IllegalArgumentException("the answer has no candidate to check");
        IceControllingAgent agent = new IceControllingAgent(local, remote, CLIENT_PRIORITY,
                TimeUnit.MILLISECONDS.toNanos(options.consentTimeoutMs()), random, System.nanoTime());
        return new WebRtcTransport(socket, demux, null, agent, serverCandidates, certificate, serverFingerprints, options, listener);
    }

    /**
     * Registers the session with its socket and starts ICE (and, for the server, waits for DTLS). Any thread;
     * on the socket's loop it happens before this returns, so a caller there can answer the offer knowing
     * the first check will find the session.
     */
    public void start() {
        if (socket.inEventLoop()) startOnLoop();
        else execute(this::startOnLoop);
    }

    /** Ends the session with {@code reason}; any thread, idempotent. */
    public void closeAsync(String reason) {
        execute(() -> close(reason));
    }

    /** ICE restart with new credentials (RFC 9725 §4.3); server role; any thread. */
    public void restartIceAsync(IceCredentials newLocal, IceCredentials newRemote) {
        execute(() -> {
            if (state == State.CLOSED || lite == null) return;
            demux.removeUfrag(lite.localCredentials().ufrag(), this);
            lite.restart(newLocal, newRemote);
            demux.addUfrag(newLocal.ufrag(), this);
        });
    }

    /**
     * Protects {@code packet} in place and queues it for the peer. Takes ownership; the buffer needs the
     * profile's tail room for the tag (it grows it otherwise). Returns false (and releases) when the
     * session has no keys or no path yet, or protection failed. On the loop only.
     */
    @Override
    public boolean sendRtp(ByteBuf packet) {
        return send(packet, false);
    }

    /** As {@link #sendRtp}, for a compound RTCP packet. */
    @Override
    public boolean sendRtcp(ByteBuf packet) {
        return send(packet, true);
    }

    public EventLoop eventLoop() {
        return socket.eventLoop();
    }

    public MediaSocket socket() {
        return socket;
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

    /** Where media goes now, or null before ICE found a path. */
    public InetSocketAddress remoteAddress() {
        return lite != null ? lite.sendTarget() : controlling.selectedRemote();
    }

    public IceCredentials localIceCredentials() {
        return lite != null ? lite.localCredentials() : controlling.localCredentials();
    }

    public DtlsEndpoint dtls() {
        return dtls;
    }

    // ---- called by MediaDemux, on the loop -----------------------------------------------------------

    DropReason handleStun(StunMessage message, InetSocketAddress sender, long nowNs) {
        if (state == State.CLOSED) return DropReason.STUN_UNEXPECTED;
        if (lite == null) {
            if (!controlling.handleResponse(nowNs, message, sender)) return DropReason.STUN_UNEXPECTED;
            if (!dtlsStarted && controlling.state() == IceControllingAgent.State.CONNECTED) startDtls();
            armTimer();
            return null;
        }
        ByteBuf out = allocator.directBuffer(STUN_RESPONSE_BYTES);
        IceLiteAgent.Verdict verdict = lite.handleBindingRequest(nowNs, message, sender, out);
        if (out.isReadable()) socket.write(out, sender);
        else out.release();
        switch (verdict) {
            case ANSWERED, ANSWERED_NOMINATED -> {
                demux.bind(sender, this);
                if (state == State.NEW) state = State.CHECKING;
                armTimer();
                return null;
            }
            case DROPPED_NOT_REQUEST, DROPPED_CLOSED -> {
                return DropReason.STUN_UNEXPECTED;
            }
            default -> {
                return DropReason.STUN_REJECTED;
            }
        }
    }

    boolean handleDtls(ByteBuf datagram) {
        return state != State.CLOSED && dtls.handleDatagram(datagram);
    }

    DropReason handleSrtp(ByteBuf datagram, boolean rtcp, long nowNs) {
        SrtpSession keys = srtp;
        if (keys == null || state == State.CLOSED) return DropReason.SRTP_NOT_READY;
        // The one ingress copy: direct socket memory into a pooled heap buffer, unprotected in place.
        ByteBuf packet = allocator.heapBuffer(datagram.readableBytes());
        try {
            packet.writeBytes(datagram, datagram.readerIndex(), datagram.readableBytes());
            SrtpStatus status = rtcp ? keys.unprotectRtcp(packet) : keys.unprotectRtp(packet);
            if (status != SrtpStatus.OK) return DropReason.SRTP_UNPROTECT_FAILED;
            if (rtcp) listener.onRtcp(this, packet, nowNs);
            else listener.onRtp(this, packet, nowNs);
            return null;
        } finally {
            packet.release();
        }
    }

    // ---- internals, on the loop ---------------------------------------------------------------------

    private void startOnLoop() {
        if (state != State.NEW) return;
        try {
            if (lite != null) {
                demux.addUfrag(lite.localCredentials().ufrag(), this);
                dtlsStarted = true;
                dtls.start(); // the server waits for the ClientHello; the handshake deadline runs from here
            } else {
                long nowNs = System.nanoTime();
                for (InetSocketAddress candidate : remoteCandidates) {
                    demux.bind(candidate, this); // the client trusts the answer's candidates
                    controlling.addRemoteCandidate(candidate, nowNs);
                }
                state = State.CHECKING;
                pumpClient(nowNs);
            }
        } catch (RuntimeException e) {
            close("cannot start: " + e.getMessage());
            return;
        }
        armTimer();
    }

    private void startDtls() {
        dtlsStarted = true;
        state = State.DTLS;
        dtls.start();
    }

    private boolean send(ByteBuf packet, boolean rtcp) {
        InetSocketAddress target = remoteAddress();
        if (srtp == null || target == null || state == State.CLOSED) {
            packet.release();
            return false;
        }
        SrtpStatus status = rtcp ? srtp.protectRtcp(packet) : srtp.protectRtp(packet);
        if (status != SrtpStatus.OK) {
            packet.release();
            return false;
        }
        // A frame's packets to this peer leave in one GSO send at the end of the burst; RTCP goes as it comes, so
        // a Sender Report may leave a moment before RTP packets it already counts (receivers do not mind).
        if (rtcp) socket.write(packet, target);
        else socket.write(packet, target, rtpBatch);
        return true;
    }

    private void onTimer() {
        timer = null;
        if (state == State.CLOSED) return;
        long nowNs = System.nanoTime();
        if (lite != null) {
            if (lite.handleTimeout(nowNs)) {
                close(lite.closeReason());
                return;
            }
        } else {
            pumpClient(nowNs);
            if (controlling.handleTimeout(nowNs)) {
                close(controlling.closeReason());
                return;
            }
        }
        armTimer();
    }

    private void pumpClient(long nowNs) {
        while (true) {
            ByteBuf out = allocator.directBuffer(STUN_RESPONSE_BYTES);
            InetSocketAddress to = controlling.pollTransmit(nowNs, out);
            if (to == null) {
                out.release();
                return;
            }
            socket.write(out, to);
        }
    }

    /** One timer per session, at the ICE core's next deadline (DESIGN §3.1). */
    private void armTimer() {
        if (state == State.CLOSED) return;
        long deadlineNs = lite != null ? lite.nextTimeoutNs() : controlling.nextTimeoutNs();
        if (timer != null) {
            if (timerDeadlineNs - deadlineNs <= 0) return; // the armed one fires first; it re-arms then
            timer.cancel(false);
        }
        timerDeadlineNs = deadlineNs;
        timer = socket.eventLoop().schedule(timerTask, Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void close(String reason) {
        if (state == State.CLOSED) return;
        state = State.CLOSED;
        closeReason = reason;
        if (timer != null) timer.cancel(false);
        timer = null;
        demux.unbindAll(this);
        if (lite != null) lite.close(reason);
        dtls.close();
        if (srtp != null) srtp.close();
        listener.onClosed(this, reason);
    }

    private void execute(Runnable task) {
        try {
            socket.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down; the server's close frees everything.
        }
    }

    /** DTLS outputs, on the DTLS virtual thread: hop onto the loop. */
    private final class DtlsCallbacks implements DtlsListener {

        void send(ByteBuf datagram) {
            try {
                socket.eventLoop().execute(() -> {
                    // NOTE: sent after close() too: our close_notify goes out after the session closed.
                    InetSocketAddress target = remoteAddress();
                    if (target == null) datagram.release();
                    else socket.write(datagram, target);
                });
            } catch (RejectedExecutionException e) {
                datagram.release();
            }
        }

        @Override
        public void onConnected(DtlsEndpoint endpoint, DtlsResult result) {
            // Key derivation (and, once per process, the AES backend choice) stays off the loop.
            SrtpSession session = SrtpSession.create(result.srtpKeys());
            try {
                socket.eventLoop().execute(() -> {
                    if (state == State.CLOSED) {
                        session.close();
                        return;
                    }
                    srtp = session;
                    state = State.CONNECTED;
                    listener.onConnected(WebRtcTransport.this);
                });
            } catch (RejectedExecutionException e) {
                session.close();
            }
        }

        @Override
        public void onClosed(DtlsEndpoint endpoint, DtlsCloseReason reason, String detail) {
            execute(() -> close("DTLS " + reason.name().toLowerCase().replace('_', ' ') + (detail == null || detail.isEmpty() ? "" : ": " + detail)));
        }
    }

    @Override
    public String toString() {
        return "WebRtcTransport[" + (lite != null ? "server" : "client") + ", " + state + ", ufrag="
                + localIceCredentials().ufrag() + ", remote=" + remoteAddress() + "]";
    }
}
