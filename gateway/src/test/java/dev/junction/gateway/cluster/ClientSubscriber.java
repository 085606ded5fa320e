package dev.junction.gateway.cluster;

import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.MediaPlane;
import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Junction's own client-role stack subscribing over WHEP to one node of a cluster: its own socket and media loop,
 * ICE as the controlling agent, DTLS as client; it counts the RTP packets it decrypts, by payload type, and keeps the
 * third payload byte of the last video packet (a simulcast {@code ClientPublisher}'s layer index). Public for the
 * viewer-control tests. It can send a generic NACK ({@link #nack}) and counts the RTX retransmissions that answer it
 * (RFC 4588 §4: the original sequence number in the first two payload bytes).
 */
public final class ClientSubscriber implements AutoCloseable, WebRtcTransport.Listener {
    private static final DtlsCertificate CERT = DtlsCertificate.generate();

    private final MediaDemux demux = new MediaDemux();
    private final MediaPlane plane;
    private final CompletableFuture<WebRtcTransport> connected = new CompletableFuture<>();
    private final AtomicLong audio = new AtomicLong();
    private final AtomicLong video = new AtomicLong();
    private final int videoPt;
    private final int audioPt;
    private final String session;
    private final List<String> links;
    private final dev.junction.codec.rtp.RtpPacket rtp = new dev.junction.codec.rtp.RtpPacket();
    private volatile int lastVideoLayer = -1;
    /** The video SSRC and sequence number last received (the slot's numbering), -1 before one. */
    private volatile long videoSsrc = -1;
    private volatile int lastVideoSeq = -1;
    /** RTX packets received, and the original sequence number the last one carried. */
    private final AtomicLong retransmissions = new AtomicLong();
    private volatile int lastRetransmittedSeq = -1;
    private volatile WebRtcTransport transport;
    /** Why its transport closed, null while it is up. */
    private volatile String closedReason;

    /** POSTs to {@code url} (a {@code /whep/{room}} URL), which must answer 201, and waits until connected. */
    public ClientSubscriber(String url) throws Exception {
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> demux::onDatagram);
        try {
            ClientOffer offer = ClientOffer.subscriber(CERT.fingerprint(), plane.sockets().get(0).localAddress(), new SecureRandom());
            videoPt = ClientOffer.VP8_PT;
            audioPt = ClientOffer.OPUS_PT;
            HttpResponse<String> created;
            try (HttpClient http = HttpClient.newHttpClient()) {
                created = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/sdp")
                        .POST(HttpRequest.BodyPublishers.ofString(offer.sdp())).build(), HttpResponse.BodyHandlers.ofString());
            }
            if (created.statusCode() != 201) throw new AssertionError("WHEP POST answered " + created.statusCode() + ": " + created.body());
            session = URI.create(url).resolve(created.headers().firstValue("Location").orElseThrow()).toString();
            links = created.headers().allValues("Link");
            ServerAnswer answer = ServerAnswer.parse(created.body());
            WebRtcTransport transport = WebRtcTransport.client(plane.sockets().get(0), demux, offer.ice(), answer.ice(), answer.candidates(), CERT,
                    answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(2), this);
            transport.start();
            connected.get(20, TimeUnit.SECONDS);
        } catch (Exception | AssertionError e) {
            plane.close();
            throw e;
        }
    }

    public long video() {
        return video.get();
    }

    /** The session's URL. */
    public String session() {
        return session;
    }

    /** The 201's {@code Link} header values. */
    public List<String> links() {
        return links;
    }

    /** The third payload byte of the last video packet, -1 before one. */
    public int lastVideoLayer() {
        return lastVideoLayer;
    }

    long audio() {
        return audio.get();
    }

    /** The video SSRC this session receives, -1 before the first video packet. */
    public long videoSsrc() {
        return videoSsrc;
    }

    /** The sequence number of the last video packet received, -1 before one. */
    public int lastVideoSeq() {
        return lastVideoSeq;
    }

    public long retransmissions() {
        return retransmissions.get();
    }

    /** The original sequence number the last RTX packet carried, -1 before one. */
    public int lastRetransmittedSeq() {
        return lastRetransmittedSeq;
    }

    /** Sends a generic NACK (RFC 4585 §6.2.1) for video sequence number {@code seq} of the SSRC it receives. */
    public void nack(int seq) {
        WebRtcTransport t = transport;
        long ssrc = videoSsrc;
        if (t == null || ssrc < 0) throw new IllegalStateException("no video received yet");
        t.eventLoop().execute(() -> {
            ByteBuf out = io.netty.buffer.PooledByteBufAllocator.DEFAULT.heapBuffer(64);
            dev.junction.codec.rtcp.GenericNack.write(out, 1, ssrc, new int[] {seq}, 0, 1, 1);
            t.sendRtcp(out);
        });
    }

    @Override
    public void onConnected(WebRtcTransport t) {
        transport = t;
        connected.complete(t);
    }

    @Override
    public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
        int pt = packet.getUnsignedByte(packet.readerIndex() + 1) & 0x7f;
        if (pt == videoPt) {
            video.incrementAndGet();
            if (rtp.wrap(packet, packet.readerIndex(), packet.readableBytes())) {
                videoSsrc = rtp.ssrc();
                lastVideoSeq = rtp.sequenceNumber();
                if (rtp.payloadLength() >= 3) lastVideoLayer = packet.getUnsignedByte(rtp.payloadOffset() + 2);
            }
        } else if (pt == ClientOffer.VP8_RTX_PT) {
            if (rtp.wrap(packet, packet.readerIndex(), packet.readableBytes()) && rtp.payloadLength() >= 2) {
                lastRetransmittedSeq = packet.getUnsignedShort(rtp.payloadOffset());
                retransmissions.incrementAndGet();
            }
        } else if (pt == audioPt) {
            audio.incrementAndGet();
        }
    }

    @Override
    public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
    }

    /** Whether its transport is connected now (ICE and DTLS done, not closed). */
    public boolean transportConnected() {
        WebRtcTransport t = transport;
        return t != null && t.state() == WebRtcTransport.State.CONNECTED;
    }

    /** Why its transport closed (consent lost, DTLS close_notify), null while it is up. */
    public String closedReason() {
        return closedReason;
    }

    @Override
    public void onClosed(WebRtcTransport t, String reason) {
        closedReason = reason;
        connected.completeExceptionally(new IllegalStateException("closed: " + reason));
    }

    /** DELETEs the session (its node may be gone: then nothing answers), then closes the socket. */
    @Override
    public void close() {
        try (HttpClient http = HttpClient.newHttpClient()) {
            http.send(HttpRequest.newBuilder(URI.create(session)).timeout(java.time.Duration.ofSeconds(10)).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (Exception e) {
            // The node is gone (the kill test): its session went with it.
        } finally {
            plane.close();
        }
    }
}
