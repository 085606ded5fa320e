package dev.junction.transport.bench;

import dev.junction.config.MediaSettings;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.srtp.AesBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-packet path of one media loop over real loopback UDP: receive, unprotect, rewrite the SSRC,
 * protect into a fresh pooled buffer, send (batched, one flush per read burst).
 *
 * <p>A client-role peer (on its own loop) sends 1200-byte SRTP packets as fast as the forwarder keeps up
 * (a bounded window of packets in flight); the server-role session forwards every packet back to it.
 * Measured on the server's loop thread only, from the JVM's per-thread counters: CPU ns per forwarded
 * packet and bytes allocated per packet. The kernel's send cost on loopback is partly charged here too
 * (DESIGN §7), so compare with packet-floor.
 *
 * <p>Run: {@code ./junction bench transport --main LoopbackForwardBench [seconds]}
 */
public final class LoopbackForwardBench {

    private static final int PAYLOAD = 1200 - 12;
    private static final int WINDOW = 64;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        AesBackend.warmUp();
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        MediaDemux serverDemux = new MediaDemux();
        MediaDemux clientDemux = new MediaDemux();
        try (MediaPlane serverPlane = MediaPlane.start(one, i -> serverDemux);
             MediaPlane clientPlane = MediaPlane.start(one, i -> clientDemux)) {
            DtlsCertificate serverCert = DtlsCertificate.generate();
            DtlsCertificate clientCert = DtlsCertificate.generate();
            SecureRandom random = new SecureRandom();
            IceCredentials serverIce = IceCredentials.generate(random);
            IceCredentials clientIce = IceCredentials.generate(random);
            AtomicLong forwarded = new AtomicLong();
            AtomicLong echoed = new AtomicLong();
            CompletableFuture<Void> serverUp = new CompletableFuture<>();
            CompletableFuture<Void> clientUp = new CompletableFuture<>();

            WebRtcTransport server = WebRtcTransport.server(serverPlane.sockets().get(0), serverDemux, serverIce, clientIce,
                    serverCert, List.of(clientCert.fingerprint()), WebRtcTransport.Options.DEFAULT, new WebRtcTransport.Listener() {
                        @Override
                        public void onConnected(WebRtcTransport t) {
                            serverUp.complete(null);
                        }

                        @Override
                        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
                            // The egress copy: straight into a pooled buffer with tag room, rewritten, protected in place.
                            ByteBuf copy = PooledByteBufAllocator.DEFAULT.heapBuffer(packet.readableBytes() + 16);
                            copy.writeBytes(packet, packet.readerIndex(), packet.readableBytes());
                            copy.setInt(copy.readerIndex() + 8, 0x0BADCAFE);
                            if (t.sendRtp(copy)) forwarded.incrementAndGet();
                        }

                        @Override
                        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
                        }

                        @Override
                        public void onClosed(WebRtcTransport t, String reason) {
                        }
                    });
            server.start();
            int[] seq = {0};
            WebRtcTransport[] clientRef = new WebRtcTransport[1];
            WebRtcTransport client = WebRtcTransport.client(clientPlane.sockets().get(0), clientDemux, clientIce, serverIce,
                    List.of(serverPlane.sockets().get(0).localAddress()), clientCert, List.of(serverCert.fingerprint()),
                    WebRtcTransport.Options.DEFAULT, new Random(1), new WebRtcTransport.Listener() {
                        @Override
                        public void onConnected(WebRtcTransport t) {
                            clientUp.complete(null);
                        }

                        @Override
                        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
                            echoed.incrementAndGet();
                            sendOne(t, seq); // keep the window full: one out for each one back
                        }

                        @Override
                        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
                        }

                        @Override
                        public void onClosed(WebRtcTransport t, String reason) {
                        }
                    });
            clientRef[0] = client;
            client.start();
            serverUp.get(20, TimeUnit.SECONDS);
            clientUp.get(20, TimeUnit.SECONDS);

            long serverThread = server.eventLoop().submit(() -> Thread.currentThread().threadId()).get();
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            // Warm up for 2 s, then measure.
            client.eventLoop().execute(() -> {
                for (int i = 0; i < WINDOW; i++) sendOne(client, seq);
                clientPlane.sockets().get(0).flush();
            });
            Thread.sleep(2000);
            long cpu0 = threads.getThreadCpuTime(serverThread);
            long alloc0 = threads.getThreadAllocatedBytes(serverThread);
            long n0 = forwarded.get();
            long e0 = echoed.get();
            long wall0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long cpu1 = threads.getThreadCpuTime(serverThread);
            long alloc1 = threads.getThreadAllocatedBytes(serverThread);
            long n1 = forwarded.get();
            long e1 = echoed.get();
            long wall1 = System.nanoTime();
            long packets = n1 - n0;
            double wallS = (wall1 - wall0) / 1e9;
            System.out.printf("loopback forward, 1 loop, %s, 1200-byte RTP, %d s: %,d packets forwarded (%,.0f/s), %,d echoed back%n",
                    server.srtp().profile(), seconds, packets, packets / wallS, e1 - e0);
            System.out.printf("server loop thread: %.0f ns CPU per forwarded packet (receive + unprotect + copy + protect + send), %.1f B allocated per packet, loop busy %.0f%%%n",
                    (cpu1 - cpu0) / (double) packets, (alloc1 - alloc0) / (double) packets, 100.0 * (cpu1 - cpu0) / (wall1 - wall0));
            client.closeAsync("bench over");
            server.closeAsync("bench over");
            Thread.sleep(200);
        }
    }

    private static void sendOne(WebRtcTransport t, int[] seq) {
        ByteBuf p = PooledByteBufAllocator.DEFAULT.heapBuffer(1200 + 16);
        int s = seq[0]++;
        p.writeByte(0x80).writeByte(96).writeShort(s).writeInt(s * 3000).writeInt(0x11111111);
        p.writeZero(PAYLOAD);
        t.sendRtp(p);
    }
}
