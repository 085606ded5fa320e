package dev.junction.transport;

import dev.junction.codec.demux.PacketClassifier;
import dev.junction.codec.demux.PacketKind;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.transport.socket.DatagramReceiver;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The receiver of one media socket: classifies each datagram by its first byte (RFC 7983), finds its
 * {@link WebRtcTransport} by remote 5-tuple once bound, or by the USERNAME ufrag of a first Binding
 * request, and hands it over. Anything that belongs to no session is dropped and counted by
 * {@link DropReason} before any crypto runs.
 *
 * <p>Threading: owned by the socket's event loop (single writer). Sessions are added and removed only on
 * that loop; the control plane gets there with {@code eventLoop().execute}. The counters may be read from
 * any thread. Buffers: datagrams are borrowed from the socket, which releases them.
 */
public final class MediaDemux implements DatagramReceiver {

    private static final DropReason[] REASONS = DropReason.values();

    // Allocated by this.
    private final Map<InetSocketAddress, WebRtcTransport> byRemote = new HashMap<>();
    private final Map<String, WebRtcTransport> byLocalUfrag = new HashMap<>();
    private final StunMessage stun = new StunMessage();
    private final AtomicLongArray drops = new AtomicLongArray(REASONS.length);

    @Override
    public void onDatagram(MediaSocket socket, ByteBuf content, InetSocketAddress sender, long nowNs) {
        int offset = content.readerIndex();
        int length = content.readableBytes();
        PacketKind kind = PacketClassifier.classify(content, offset, length);
        switch (kind) {
            case STUN -> onStun(content, offset, length, sender, nowNs);
            case DTLS -> {
                WebRtcTransport session = byRemote.get(sender);
                if (session == null) drop(DropReason.DTLS_UNBOUND);
                else if (!session.handleDtls(content)) drop(DropReason.DTLS_REFUSED);
            }
            case RTP, RTCP -> {
                WebRtcTransport session = byRemote.get(sender);
                if (session == null) {
                    drop(DropReason.SRTP_UNBOUND);
                } else {
                    DropReason dropped = session.handleSrtp(content, kind == PacketKind.RTCP, nowNs);
                    if (dropped != null) drop(dropped);
                }
            }
            default -> drop(DropReason.NOT_WEBRTC);
        }
    }

    private void onStun(ByteBuf content, int offset, int length, InetSocketAddress sender, long nowNs) {
        if (stun.wrap(content, offset, length) != StunParseResult.OK) {
            drop(DropReason.MALFORMED_STUN);
            return;
        }
        WebRtcTransport session = byRemote.get(sender);
        if (session == null && stun.isBindingRequest() && stun.hasUsername()) {
            // First check from this address: the ufrag before ':' names the session (RFC 8445 §7.2.2).
            session = byLocalUfrag.get(stun.usernameLocalPart());
        }
        if (session == null) {
            drop(stun.isBindingRequest() ? DropReason.STUN_NO_SESSION : DropReason.STUN_UNEXPECTED);
            return;
        }
        DropReason dropped = session.handleStun(stun, sender, nowNs);
        if (dropped != null) drop(dropped);
    }

    /** How many datagrams were dropped for {@code reason}. */
    public long drops(DropReason reason) {
        return drops.getAcquire(reason.ordinal());
    }

    /** Sessions currently registered (for tests and /metrics). */
    public int sessionCount() {
        return (int) byLocalUfrag.values().stream().distinct().count();
    }

    /** Addresses currently bound to a session. */
    public int boundAddressCount() {
        return byRemote.size();
    }

    void addUfrag(String localUfrag, WebRtcTransport session) {
        WebRtcTransport previous = byLocalUfrag.putIfAbsent(localUfrag, session);
        if (previous != null && previous != session) throw new IllegalStateException("ice-ufrag already in use: " + localUfrag);
    }

    void removeUfrag(String localUfrag, WebRtcTransport session) {
        byLocalUfrag.remove(localUfrag, session);
    }

    /** Binds {@code remote} to {@code session}; called only after an authenticated check from it. */
    void bind(InetSocketAddress remote, WebRtcTransport session) {
        // NOTE: an address that moves to another session (a browser reusing a port after a reload) goes to
        // the newer authenticated check; the old session's ICE agent keeps its pair until consent lapses.
        byRemote.put(remote, session);
    }

    void unbindAll(WebRtcTransport session) {
        byRemote.values().removeIf(s -> s == session);
        byLocalUfrag.values().removeIf(s -> s == session);
    }

    private void drop(DropReason reason) {
        int i = reason.ordinal();
        drops.setRelease(i, drops.getPlain(i) + 1);
    }
}
