package dev.junction.transport.dtls;

import dev.junction.transport.socket.MediaPlane;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * The bctls {@link DatagramTransport} of one {@link DtlsEndpoint}: {@link #receive} takes datagrams from a
 * queue that the event loop fills ({@link #offer}), {@link #send} hands each datagram to the
 * {@link DtlsDatagramSink}.
 *
 * <p>Threading: {@link #offer} and {@link #requestClose} are called from any thread; everything else on
 * the endpoint's DTLS thread (bctls's). Buffers: {@link #offer} copies the datagram's bytes (DTLS is a
 * few datagrams per session, so a copy is cheaper than reasoning about retained buffers across threads);
 * the caller keeps and releases its buffer. {@link #send} allocates a fresh buffer per datagram and gives
 * it to the sink.
 *
 * <p>It also enforces the handshake deadline (bctls's own timeout is a second line), turns a local
 * close into an exception that unwinds bctls's blocking calls and, for a server, works around two bctls
 * habits that stall a handshake under loss: during the handshake it passes each datagram through a
 * {@link ChangeCipherSpecGate}; after it, it answers each retransmitted Finished of the client with the
 * server's final flight again (see {@link #handshakeFinished()}).
 */
final class QueuedDatagramTransport implements DatagramTransport {

    private static final System.Logger LOG = System.getLogger(QueuedDatagramTransport.class.getName());

    /**
     * Largest datagram accepted: the largest the media socket reads ({@link MediaPlane#MAX_DATAGRAM_BYTES};
     * anything longer arrives truncated and cannot authenticate). bctls sizes its record buffers, and ours
     * for the reads after the handshake, by this limit, which every session keeps for its lifetime: the
     * protocol maximum (2^14 + 2048 + 13 octets, RFC 5246 §6.2.3) would cost 18 KiB each. WebRTC stacks
     * fragment handshake messages to the path MTU, so their records are far smaller. (Once records are
     * encrypted, bctls takes 24 octets of this for the AEAD overhead: an encrypted datagram over 2,024 octets
     * would be cut; browsers send about 1,200.)
     */
    static final int RECEIVE_LIMIT = MediaPlane.MAX_DATAGRAM_BYTES;

    /** Wakes the DTLS thread after {@link #requestClose()}; never handed to bctls. */
    private static final byte[] WAKE_UP = new byte[0];

    /** Thrown out of bctls's receive after the handshake when we close locally; bctls does not fail on it. */
    static final class LocalClose extends InterruptedIOException {
        private static final long serialVersionUID = 1L;

        LocalClose() {
            super("DTLS endpoint closed locally");
        }
    }

    /** Thrown when bctls already closed the transport (close_notify exchanged or a fatal alert). */
    static final class TransportClosed extends InterruptedIOException {
        private static final long serialVersionUID = 1L;

        TransportClosed() {
            super("DTLS transport closed");
        }
    }

    // Passed by argument.
    private final DtlsDatagramSink sink;
    private final ByteBufAllocator allocator;
    private final int sendLimit;
    private final int maxQueued;
    private final ChangeCipherSpecGate gate;

    // Allocated by this.
    /** Server only: what bctls sent since it last called {@link #receive}; at the handshake's end, its final flight. */
    private final List<byte[]> sentSinceLastReceive;
    private List<byte[]> finalFlight = List.of();
    private final LinkedBlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closeRequested;
    private volatile boolean closed;
    private volatile boolean terminated;
    // DTLS thread only (the deadline is set before that thread starts).
    private long deadlineNs;
    private boolean handshaking = true;

    /**
     * {@code gate} is null for a client, which needs neither it nor the final-flight answer: a client is done
     * only after the server is.
     */
    QueuedDatagramTransport(DtlsDatagramSink sink, ByteBufAllocator allocator, int sendLimit, int maxQueued,
                            ChangeCipherSpecGate gate) {
        this.sink = sink;
        this.allocator = allocator;
        this.sendLimit = sendLimit;
        this.maxQueued = maxQueued;
        this.gate = gate;
        this.sentSinceLastReceive = gate == null ? null : new ArrayList<>();
    }

    /** Copies {@code datagram}'s readable bytes into the queue; false (and counted) if dropped. Any thread. */
    boolean offer(ByteBuf datagram) {
        int length = datagram.readableBytes();
        // NOTE: the size check races with the DTLS thread draining; the bound is approximate by design.
        if (terminated || closed || closeRequested || length == 0 || length > RECEIVE_LIMIT || inbound.size() >= maxQueued) {
            dropped.incrementAndGet();
            return false;
        }
        byte[] copy = new byte[length];
        datagram.getBytes(datagram.readerIndex(), copy);
        inbound.offer(copy);
        return true;
    }

    long dropped() {
        return dropped.get();
    }

    /** Asks the DTLS thread to stop; it notices at its next receive. Any thread, idempotent. */
    void requestClose() {
        closeRequested = true;
        inbound.offer(WAKE_UP);
    }

    boolean closeRequested() {
        return closeRequested;
    }

    void armDeadline(long deadlineNs) {
        this.deadlineNs = deadlineNs;
    }

    /**
     * The handshake is over: no deadline any more, and a local close now unwinds as {@link LocalClose}.
     *
     * <p>A server keeps the datagrams of its final flight (ChangeCipherSpec and Finished: what bctls sent
     * after reading the client's Finished, with no read in between) and sends them again whenever a datagram
     * carrying an epoch-1 handshake record, the client's Finished once more, arrives; a client sends that only
     * while it still waits for our Finished. bctls answers too, but only once it has gathered the client's whole final flight
     * again since its last answer. When the client sends one record per datagram, as bctls's own client does,
     * that can take several of the client's retransmissions, each after twice the wait of the one before:
     * with 10% loss and a 50 ms first timer, 15 handshakes in 2,000 took over a second and one in 6,000 missed
     * a 15 s deadline. The client's replay window drops the copies it does not need.
     */
    void handshakeFinished() {
        handshaking = false;
        if (sentSinceLastReceive != null) {
            finalFlight = List.copyOf(sentSinceLastReceive);
            sentSinceLastReceive.clear();
        }
    }

    /** The DTLS thread is done: refuse further datagrams and free the queued ones. */
    void terminate() {
        terminated = true;
        inbound.clear();
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return sendLimit;
    }

    /**
     * Waits up to {@code waitMillis} (0: without limit, as {@code DTLSTransport} defines it) for a datagram.
     * Returns its length, or -1 on timeout (or on a wake-up). A datagram that the gate empties is not a
     * timeout: the wait goes on for what is left of it.
     */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (handshaking && sentSinceLastReceive != null) sentSinceLastReceive.clear();
        long startNs = System.nanoTime();
        long waitNs = waitMillis == 0 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            checkOpen();
            long leftNs = waitNs == Long.MAX_VALUE ? Long.MAX_VALUE : waitNs - (System.nanoTime() - startNs);
            if (handshaking) {
                long deadlineLeftNs = deadlineNs - System.nanoTime();
                if (deadlineLeftNs <= 0) throw new TlsTimeoutException("DTLS handshake timed out");
                leftNs = Math.min(leftNs, deadlineLeftNs);
            }
            if (leftNs <= 0) return -1;
            byte[] datagram;
            try {
                datagram = inbound.poll(leftNs, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("DTLS thread interrupted");
            }
            if (datagram == null) return -1;
            if (datagram == WAKE_UP) {
                checkOpen();
                return -1;
            }
            if (handshaking && gate != null) {
                datagram = gate.admit(datagram);
                if (datagram == null) continue;
            } else if (!handshaking && !finalFlight.isEmpty() && carriesEpochOneHandshakeRecord(datagram)) {
                resendFinalFlight();
            }
            int copied = Math.min(len, datagram.length);
            System.arraycopy(datagram, 0, buf, off, copied);
            return copied;
        }
    }

    private void checkOpen() throws IOException {
        if (closed) throw new TransportClosed();
        if (closeRequested) {
            // During the handshake bctls answers any exception with a fatal alert: make it a meaningful one.
            if (handshaking) throw new TlsFatalAlert(AlertDescription.user_canceled, "DTLS endpoint closed locally");
            throw new LocalClose();
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) return;
        if (handshaking && sentSinceLastReceive != null) {
            byte[] copy = new byte[len];
            System.arraycopy(buf, off, copy, 0, len);
            sentSinceLastReceive.add(copy);
        }
        ByteBuf datagram = allocator.buffer(len, len);
        datagram.writeBytes(buf, off, len);
        try {
            sink.send(datagram);
        } catch (RuntimeException e) {
            // The sink owns the buffer even when it fails (DtlsDatagramSink contract).
            throw new IOException("DTLS datagram sink failed", e);
        }
    }

    /** Best effort: bctls may answer as well, and a sink that fails will fail bctls's next send too. */
    private void resendFinalFlight() {
        try {
            for (byte[] datagram : finalFlight) send(datagram, 0, datagram.length);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "final flight not sent again", e);
        }
    }

    /** Whether {@code datagram} holds a record of content type handshake in epoch 1 (RFC 6347 §4.1 headers). */
    static boolean carriesEpochOneHandshakeRecord(byte[] datagram) {
        int offset = 0;
        while (offset + 13 <= datagram.length) {
            int epoch = (datagram[offset + 3] & 0xff) << 8 | datagram[offset + 4] & 0xff;
            if ((datagram[offset] & 0xff) == 22 && epoch == 1) return true;
            offset += 13 + ((datagram[offset + 11] & 0xff) << 8 | datagram[offset + 12] & 0xff);
        }
        return false;
    }

    /** Called by bctls when it is done with the transport. */
    @Override
    public void close() {
        closed = true;
    }
}
