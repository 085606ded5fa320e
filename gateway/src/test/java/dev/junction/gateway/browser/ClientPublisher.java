package dev.junction.gateway.browser;

import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.socket.MediaPlane;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Junction's own client-role stack publishing over WHIP (as the load tool does): its own socket and media loop,
 * ICE as the controlling agent, DTLS as client, then VP8-shaped video at 50 packets a second and Opus-shaped audio
 * at 50 a second, paced on its loop, until closed. Public for the cluster tests, which publish to one node of three.
 * With rids it publishes rid simulcast instead (RFC 8853, as Chromium offers it): one SSRC per layer, each packet
 * carrying the MID and RID header extensions, and the layer's index in the third payload byte so that a subscriber
 * can tell which layer reached it.
 */
public final class ClientPublisher implements AutoCloseable, WebRtcTransport.Listener {
    private static final DtlsCertificate CERT = DtlsCertificate.generate();

    private final MediaDemux demux = new MediaDemux();
    private final MediaPlane plane;
    private final CompletableFuture<WebRtcTransport> connected = new CompletableFuture<>();
    private final ClientOffer offer;
    private final WebRtcTransport transport;
    private ScheduledFuture<?> pacing;
    private int seq;
    /** The simulcast layers' rids, lowest first; empty for one plain video stream. */
    private final List<String> rids;
    private final long[] layerSsrcs;
    /** The session's URL (the 201's Location, resolved). */
    private String session;

    public ClientPublisher(String baseUrl, String room) throws Exception {
        this(baseUrl, room, List.of());
    }

    /** Publishes {@code rids.size()} simulcast layers, lowest first, when {@code rids} is not empty. */
    public ClientPublisher(String baseUrl, String room, List<String> rids) throws Exception {
        this.rids = List.copyOf(rids);
        this.layerSsrcs = new long[rids.size()];
        for (int i = 0; i < layerSsrcs.length; i++) layerSsrcs[i] = 0x5100_0000L + i;
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> demux::onDatagram);
        try {
            offer = ClientOffer.publisher(CERT.fingerprint(), plane.sockets().get(0).localAddress(), new SecureRandom());
            String sdp = rids.isEmpty() ? offer.sdp() : ClientOffer.simulcast(offer.sdp(), this.rids);
            HttpResponse<String> created;
            try (HttpClient http = HttpClient.newHttpClient()) {
                created = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/whip/" + room)).header("Content-Type", "application/sdp")
                        .POST(HttpRequest.BodyPublishers.ofString(sdp)).build(), HttpResponse.BodyHandlers.ofString());
            }
            if (created.statusCode() != 201) throw new AssertionError("WHIP POST answered " + created.statusCode() + ": " + created.body());
            session = URI.create(baseUrl + "/whip/" + room).resolve(created.headers().firstValue("Location").orElseThrow()).toString();
            ServerAnswer answer = ServerAnswer.parse(created.body());
            transport = WebRtcTransport.client(plane.sockets().get(0), demux, offer.ice(), answer.ice(), answer.candidates(), CERT,
                    answer.fingerprints(), WebRtcTransport.Options.DEFAULT, new Random(1), this);
            transport.start();
            connected.get(20, TimeUnit.SECONDS);
            pacing = transport.eventLoop().scheduleAtFixedRate(this::sendTick, 0, 20, TimeUnit.MILLISECONDS);
        } catch (Exception | AssertionError e) {
            plane.close();
            throw e;
        }
    }

    /** One audio and one video packet (one per layer with simulcast); every 30th video packet starts a keyframe. On the loop. */
    private void sendTick() {
        int s = seq++;
        ByteBuf audio = PooledByteBufAllocator.DEFAULT.heapBuffer(200);
        audio.writeByte(0x80).writeByte(ClientOffer.OPUS_PT).writeShort(s).writeInt(s * 960).writeInt((int) offer.audioSsrc()).writeZero(80);
        transport.sendRtp(audio);
        if (!rids.isEmpty()) {
            for (int layer = 0; layer < rids.size(); layer++) sendLayer(s, layer);
            return;
        }
        ByteBuf video = PooledByteBufAllocator.DEFAULT.heapBuffer(1200 + 16);
        video.writeByte(0x80).writeByte((s % 30 == 29 ? 0x80 : 0) | ClientOffer.VP8_PT).writeShort(s).writeInt(s * 1800)
                .writeInt((int) offer.videoSsrc());
        video.writeByte(0x10).writeByte(s % 30 == 0 ? 0x00 : 0x01).writeZero(1000);
        transport.sendRtp(video);
    }

    private final dev.junction.codec.rtp.RtpHeaderWriter header = new dev.junction.codec.rtp.RtpHeaderWriter();

    /** Layer {@code layer}'s packet {@code s}: VP8-shaped, MID and RID extensions, its index in the third payload byte. */
    private void sendLayer(int s, int layer) {
        ByteBuf video = PooledByteBufAllocator.DEFAULT.heapBuffer(1200 + 16);
        header.start(video, ClientOffer.VP8_PT, s % 30 == 29, s, s * 1800L, layerSsrcs[layer]);
        header.startExtensions(false, 0);
        byte[] mid = "1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] rid = rids.get(layer).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        header.addExtension(ClientOffer.EXT_MID, mid, 0, mid.length);
        header.addExtension(ClientOffer.EXT_RID, rid, 0, rid.length);
        header.endExtensions();
        video.writeByte(0x10).writeByte(s % 30 == 0 ? 0x00 : 0x01).writeByte(layer).writeZero(300 * (layer + 1));
        transport.sendRtp(video);
    }

    @Override
    public void onConnected(WebRtcTransport t) {
        connected.complete(t);
    }

    @Override
    public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
    }

    @Override
    public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
    }

    @Override
    public void onClosed(WebRtcTransport t, String reason) {
        connected.completeExceptionally(new IllegalStateException("closed: " + reason));
    }

    @Override
    public void close() {
        if (pacing != null) pacing.cancel(false);
        plane.close();
    }

    /** Ends the session as a client that leaves does: DELETE (which must answer 200), then {@link #close}. */
    public void delete() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(session)).timeout(java.time.Duration.ofSeconds(10)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new AssertionError("DELETE answered " + r.statusCode() + ": " + r.body());
        } finally {
            close();
        }
    }
}
