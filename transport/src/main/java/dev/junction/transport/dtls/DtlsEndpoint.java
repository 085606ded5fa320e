package dev.junction.transport.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * One DTLS-SRTP association (one WebRtcTransport), either role, sans socket: the event loop feeds it the
 * datagrams of its 5-tuple, it emits datagrams through a {@link DtlsDatagramSink}, and it reports
 * "connected, with SRTP keys and a verified fingerprint" or "closed, and why" to a {@link DtlsListener}.
 *
 * <p><b>How it runs.</b> bctls's handshake blocks, so {@link #start()} runs it on a virtual thread of its
 * own (DESIGN §3.3) over a queue-backed {@code DatagramTransport}. Retransmission comes from bctls. A server
 * holds back the client's ChangeCipherSpec until the client's CertificateVerify is in, without which bctls
 * stalls when only the CertificateVerify is lost ({@link ChangeCipherSpecGate}). After
 * the handshake the same thread keeps reading the DTLS transport, so that a peer whose copy of our final
 * flight was lost gets it again when it retransmits (bctls answers from its retransmit state only while
 * someone reads, and a server's transport answers each retransmitted Finished itself as well), and so that
 * close_notify and fatal alerts end the association.
 *
 * <p><b>Threading.</b> {@link #handleDatagram}, {@link #close()}, {@link #start()} and the getters may be
 * called from any thread; the socket layer calls {@code handleDatagram} on the session's event loop. The
 * sink and the listener are called on the DTLS thread only, one call at a time; they hop onto the event
 * loop themselves.
 *
 * <p><b>Buffers.</b> {@link #handleDatagram} copies what it keeps: the caller still owns, and releases,
 * its buffer (the event loop releases every inbound datagram in one place). Each datagram given to the
 * sink is a fresh buffer that the sink owns.
 *
 * <p><b>Security.</b> The peer's certificate must match one of the SDP fingerprints given here
 * (RFC 8122 §5); the server requires a client certificate, both roles require extended master secret
 * (RFC 7627), and a mismatch ends the handshake with a fatal bad_certificate alert. The caller feeds only
 * datagrams from a 5-tuple that ICE has bound (DESIGN §3.5).
 */
public final class DtlsEndpoint {

    /** Lifecycle; only ever moves forward. */
    public enum State { NEW, HANDSHAKING, CONNECTED, CLOSED }

    private static final System.Logger LOG = System.getLogger(DtlsEndpoint.class.getName());
    private static final AtomicLong IDS = new AtomicLong();

    /** How long one post-handshake read waits; any value works, the queue wakes it on close. */
    private static final int IDLE_READ_WAIT_MS = 60_000;

    // Passed by argument.
    private final DtlsRole role;
    private final DtlsCertificate certificate;
    private final DtlsSettings settings;
    private final DtlsListener listener;

    // Allocated by this.
    private final long id = IDS.incrementAndGet();
    private final HandshakeOutcome outcome;
    private final QueuedDatagramTransport transport;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile State state = State.NEW;
    private volatile long handshakeDurationNs = -1;
    private long startNs;

    private DtlsEndpoint(DtlsRole role, DtlsCertificate certificate, List<Fingerprint> remoteFingerprints,
                         DtlsSettings settings, ByteBufAllocator allocator, DtlsDatagramSink sink, DtlsListener listener) {
        this.role = Objects.requireNonNull(role, "role");
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (remoteFingerprints.isEmpty()) throw new IllegalArgumentException("at least one remote fingerprint is required");
        this.outcome = new HandshakeOutcome(remoteFingerprints, settings.srtpProfiles());
        this.transport = new QueuedDatagramTransport(Objects.requireNonNull(sink, "sink"),
                Objects.requireNonNull(allocator, "allocator"), settings.maxDatagramBytes(), settings.maxQueuedDatagrams(),
                role == DtlsRole.SERVER ? new ChangeCipherSpecGate() : null);
    }

    /**
     * The server role, what the gateway plays for browsers ({@code a=setup:passive} in our answer).
     *
     * @param certificate        this process's certificate (shared across sessions)
     * @param remoteFingerprints the {@code a=fingerprint} values of the offer; the client's certificate must match
     * @param sink               where outgoing datagrams go; owns each buffer it is given
     * @param listener           receives the outcome, on the DTLS thread
     */
    public static DtlsEndpoint server(DtlsCertificate certificate, List<Fingerprint> remoteFingerprints, DtlsSettings settings,
                                      ByteBufAllocator allocator, DtlsDatagramSink sink, DtlsListener listener) {
        return new DtlsEndpoint(DtlsRole.SERVER, certificate, remoteFingerprints, settings, allocator, sink, listener);
    }

    /** The client role, for tests and the load tool ({@code a=setup:active}); the server's certificate must match. */
    public static DtlsEndpoint client(DtlsCertificate certificate, List<Fingerprint> remoteFingerprints, DtlsSettings settings,
                                      ByteBufAllocator allocator, DtlsDatagramSink sink, DtlsListener listener) {
        return new DtlsEndpoint(DtlsRole.CLIENT, certificate, remoteFingerprints, settings, allocator, sink, listener);
    }

    /**
     * Starts the handshake on a new virtual thread; the handshake deadline runs from now, waiting for the
     * peer's first flight included. A client sends its ClientHello at once. Idempotent.
     */
    public void start() {
        if (!started.compareAndSet(false, true)) return;
        startNs = System.nanoTime(); // read by the DTLS thread, which Thread.start() orders after this write
        transport.armDeadline(startNs + TimeUnit.MILLISECONDS.toNanos(settings.handshakeTimeoutMs()));
        Thread.ofVirtual().name("dtls-" + role.name().toLowerCase() + "-" + id).start(this::run);
    }

    /**
     * Hands one received DTLS datagram (RFC 7983: first byte 20..63) to the endpoint. Copies the readable
     * bytes; the caller keeps ownership of {@code datagram}. Returns false if the datagram was dropped
     * (endpoint closed, queue full, empty or oversized), which is counted in {@link #droppedDatagrams()}.
     * May be called before {@link #start()}: an early ClientHello waits in the queue.
     */
    public boolean handleDatagram(ByteBuf datagram) {
        return transport.offer(datagram);
    }

    /**
     * Ends the association: sends close_notify if connected (a user_canceled alert mid-handshake), then
     * reports {@link DtlsCloseReason#LOCAL_CLOSE} unless it already ended. Asynchronous and idempotent;
     * never blocks. Starts the thread if needed so that the listener always hears exactly one onClosed.
     */
    public void close() {
        transport.requestClose();
        start();
    }

    public DtlsRole role() {
        return role;
    }

    public State state() {
        return state;
    }

    /** Datagrams refused by {@link #handleDatagram}. */
    public long droppedDatagrams() {
        return transport.dropped();
    }

    /** Time from {@link #start()} to the handshake's end, or -1 while not connected. */
    public long handshakeDurationNs() {
        return handshakeDurationNs;
    }

    @Override
    public String toString() {
        return "DtlsEndpoint[" + role + " #" + id + ", " + state + "]";
    }

    private void run() {
        DtlsCloseReason reason = DtlsCloseReason.INTERNAL_ERROR;
        String detail = "unknown";
        try {
            if (transport.closeRequested()) {
                reason = DtlsCloseReason.LOCAL_CLOSE;
                detail = "closed before the handshake started";
                return;
            }
            state = State.HANDSHAKING;
            DTLSTransport dtls = role == DtlsRole.SERVER
                    ? new DTLSServerProtocol().accept(new SrtpTlsServer(certificate, settings, outcome), transport)
                    : new DTLSClientProtocol().connect(new SrtpTlsClient(certificate, settings, outcome), transport);
            transport.handshakeFinished();
            handshakeDurationNs = System.nanoTime() - startNs;
            DtlsResult result = new DtlsResult(role, outcome.profile, outcome.keyingMaterial, outcome.remoteFingerprint);
            outcome.keyingMaterial = null;
            state = State.CONNECTED;
            try {
                listener.onConnected(this, result);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, this + ": listener failed in onConnected", e);
                reason = DtlsCloseReason.INTERNAL_ERROR;
                detail = "listener failed: " + e;
                closeQuietly(dtls);
                return;
            }
            readUntilClosed(dtls);
            reason = closeReason(null);
            detail = closeDetail(reason, null);
        } catch (IOException | RuntimeException e) {
            reason = closeReason(e);
            detail = closeDetail(reason, e);
            if (reason == DtlsCloseReason.INTERNAL_ERROR) LOG.log(Level.WARNING, this + ": unexpected DTLS failure", e);
        } finally {
            state = State.CLOSED;
            transport.terminate();
            try {
                listener.onClosed(this, reason, detail);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, this + ": listener failed in onClosed", e);
            }
        }
    }

    /**
     * Keeps reading after the handshake (DESIGN §8): answers retransmitted final flights, sees alerts and
     * close_notify. Returns once the association is over; throws on a fatal alert.
     */
    private void readUntilClosed(DTLSTransport dtls) throws IOException {
        byte[] buffer = new byte[dtls.getReceiveLimit()];
        while (true) {
            try {
                // Application data (> 0) has no use without data channels: it is read and dropped.
                dtls.receive(buffer, 0, buffer.length, IDLE_READ_WAIT_MS);
            } catch (QueuedDatagramTransport.LocalClose e) {
                closeQuietly(dtls); // sends close_notify
                return;
            } catch (QueuedDatagramTransport.TransportClosed e) {
                return;
            }
        }
    }

    /** Sends close_notify; the association is being torn down anyway, so a failure to send changes nothing. */
    private static void closeQuietly(DTLSTransport dtls) {
        try {
            dtls.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "close_notify not sent", e);
        }
    }

    private DtlsCloseReason closeReason(Exception e) {
        if (outcome.failure != null) return outcome.failure;
        if (transport.closeRequested()) return DtlsCloseReason.LOCAL_CLOSE;
        if (outcome.alertReceived == AlertDescription.close_notify && !outcome.alertReceivedFatal) {
            return DtlsCloseReason.CLOSE_NOTIFY;
        }
        if (e instanceof TlsFatalAlertReceived || outcome.alertReceivedFatal) return DtlsCloseReason.ALERT_RECEIVED;
        if (e instanceof TlsTimeoutException) return DtlsCloseReason.HANDSHAKE_TIMEOUT;
        if (e instanceof TlsFatalAlert || e instanceof IOException) return DtlsCloseReason.PROTOCOL_ERROR;
        return DtlsCloseReason.INTERNAL_ERROR;
    }

    private String closeDetail(DtlsCloseReason reason, Exception e) {
        return switch (reason) {
            case FINGERPRINT_MISMATCH, NO_COMMON_SRTP_PROFILE -> outcome.failureDetail;
            case LOCAL_CLOSE -> state == State.CONNECTED ? "closed locally, close_notify sent" : "closed locally during the handshake";
            case CLOSE_NOTIFY -> "peer sent close_notify";
            case ALERT_RECEIVED -> "peer sent fatal alert " + AlertDescription.getText(
                    outcome.alertReceived >= 0 ? outcome.alertReceived : ((TlsFatalAlertReceived) e).getAlertDescription());
            case HANDSHAKE_TIMEOUT -> "no handshake within " + settings.handshakeTimeoutMs() + " ms";
            case PROTOCOL_ERROR -> e instanceof TlsFatalAlert alert
                    ? "sent fatal alert " + AlertDescription.getText(alert.getAlertDescription())
                            + (alert.getMessage() != null ? ": " + alert.getMessage() : "")
                    : outcome.alertRaised >= 0 ? "sent alert " + AlertDescription.getText(outcome.alertRaised) : String.valueOf(e);
            case INTERNAL_ERROR -> String.valueOf(e);
        };
    }
}
