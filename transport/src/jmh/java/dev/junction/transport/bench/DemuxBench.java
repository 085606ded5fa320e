package dev.junction.transport.bench;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunWriter;
import dev.junction.config.MediaSettings;
import dev.junction.transport.DropReason;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.dtls.DtlsSettings;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import dev.junction.transport.srtp.AesBackend;
import dev.junction.transport.srtp.SrtpSession;
import dev.junction.transport.srtp.SrtpStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-ingress-datagram demultiplexing of {@link MediaDemux#onDatagram}, on the media socket's own event
 * loop (the demux's single writer, and the only thread that may write the socket), with real sessions behind
 * it: a server-role {@link WebRtcTransport} that finished ICE and DTLS with a client-role one over loopback,
 * and a second server-role session that passed ICE but never got keys.
 * <ul>
 *   <li>{@code srtpLookup}: a 1200-byte SRTP datagram from an address bound to the keyless session: RFC 7983
 *       classify, the remote-address lookup and the early "no keys" drop. The demux cost alone.</li>
 *   <li>{@code srtpUnbound}: the same datagram from an address no check has bound: classify, failed lookup,
 *       drop before any crypto (what a spoofing peer costs).</li>
 *   <li>{@code srtpGenerate}: baseline, the benchmark's own work per SRTP datagram: the client's next packet
 *       protected in place and copied into a pooled direct buffer, as epoll delivers datagrams.</li>
 *   <li>{@code srtpConnected}: {@code srtpGenerate}, then the datagram into the demux: classify, lookup, the
 *       ingress copy into a pooled heap buffer, unprotect in place, and the session listener (empty here; the
 *       room's share is {@code gateway}'s ForwardBench). The ingress path is this minus {@code srtpGenerate}.</li>
 *   <li>{@code stunConsent}: a consent check (RFC 7675) from the bound address: a Chromium-shaped Binding
 *       request with USERNAME, ICE-CONTROLLING, PRIORITY, MESSAGE-INTEGRITY and FINGERPRINT: parse, lookup,
 *       verify both, write the signed success response and queue it on the socket. Responses are flushed every
 *       {@link #FLUSH_EVERY} datagrams, as a read burst would, to a UDP socket nobody reads.</li>
 *   <li>{@code stunForged}: the same check with the live session's ufrag but signed with a wrong password, from
 *       an address no check has bound (issue 12's amplifier): parse, ufrag lookup, the session's token bucket, and
 *       past its burst a drop before any HMAC. Compare with {@code stunUnknownUfrag} (a ufrag no session has:
 *       parse, failed lookup, drop) and {@code srtpUnbound}, the cost of other junk.</li>
 * </ul>
 * Each invocation hands a batch of datagrams to the loop and parks until it is done; the figures are per
 * datagram ({@link OperationsPerInvocation}). {@code -prof gc} counts the allocation of every thread, the
 * loop's included, so {@code gc.alloc.rate.norm} is bytes per datagram. The client-role session is idle
 * during the measurement (its consent checks excepted, one a few seconds).
 *
 * <pre>./junction bench transport DemuxBench -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
public class DemuxBench {

    private static final int PACKET_LENGTH = 1200;
    private static final int SSRC = 0x1234_5678;
    private static final int CHEAP_BATCH = 65_536;
    private static final int CRYPTO_BATCH = 2_048;
    static final int FLUSH_EVERY = 32;
    private static final byte[] TRANSACTION_ID = "Mk/QqGcJ9zDn".getBytes(StandardCharsets.US_ASCII);

    private enum Work { SRTP_LOOKUP, SRTP_UNBOUND, SRTP_GENERATE, SRTP_CONNECTED, STUN_CONSENT, STUN_FORGED, STUN_UNKNOWN }

    private MediaPlane serverPlane;
    private MediaPlane clientPlane;
    private MediaSocket socket;
    private EventLoop loop;
    private final MediaDemux demux = new MediaDemux();
    private WebRtcTransport connected;
    private WebRtcTransport keyless;
    private WebRtcTransport client;
    private SrtpSession clientSrtp;
    /** Where the "browser" datagrams come from: UDP sockets bound on loopback that nobody reads. */
    private DatagramChannel connectedPeer;
    private DatagramChannel keylessPeer;
    private InetSocketAddress connectedAddress;
    private InetSocketAddress keylessAddress;
    private final InetSocketAddress unboundAddress = new InetSocketAddress("127.0.0.1", 9);

    // Written and read on the loop only (after setup).
    private ByteBuf plain;
    private ByteBuf datagram;
    private ByteBuf consentCheck;
    private ByteBuf forgedCheck;
    private ByteBuf unknownCheck;
    private int sequence;
    private long rtpDelivered;
    private long generateFailures;

    private final Batch batch = new Batch();
    private final long[] dropsBefore = new long[DropReason.values().length];
    private long srtpOps;
    private long lookupOps;
    private long unboundOps;
    private long stunOps;
    private long forgedOps;
    private long unknownOps;

    /** The loop's side of one invocation: runs {@code count} datagrams of {@code work}, then wakes the caller. */
    private final class Batch implements Runnable {
        Work work;
        int count;
        Thread caller;
        volatile boolean done;

        @Override
        public void run() {
            try {
                for (int i = 0; i < count; i++) {
                    switch (work) {
                        case SRTP_LOOKUP -> demux.onDatagram(socket, datagram, keylessAddress, System.nanoTime());
                        case SRTP_UNBOUND -> demux.onDatagram(socket, datagram, unboundAddress, System.nanoTime());
                        case SRTP_GENERATE -> generate();
                        case SRTP_CONNECTED -> {
                            generate();
                            demux.onDatagram(socket, datagram, connectedAddress, System.nanoTime());
                        }
                        case STUN_CONSENT -> {
                            demux.onDatagram(socket, consentCheck, connectedAddress, System.nanoTime());
                            if (i % FLUSH_EVERY == FLUSH_EVERY - 1) socket.flush();
                        }
                        case STUN_FORGED -> demux.onDatagram(socket, forgedCheck, unboundAddress, System.nanoTime());
                        case STUN_UNKNOWN -> demux.onDatagram(socket, unknownCheck, unboundAddress, System.nanoTime());
                    }
                }
                socket.flush();
            } finally {
                done = true;
                LockSupport.unpark(caller);
            }
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        AesBackend.warmUp();
        MediaSettings one = new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1"));
        MediaDemux clientDemux = new MediaDemux();
        serverPlane = MediaPlane.start(one, i -> demux);
        clientPlane = MediaPlane.start(one, i -> clientDemux);
        socket = serverPlane.sockets().get(0);
        loop = socket.eventLoop();
        connectedPeer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        keylessPeer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        connectedAddress = (InetSocketAddress) connectedPeer.getLocalAddress();
        keylessAddress = (InetSocketAddress) keylessPeer.getLocalAddress();

        // Long consent and handshake timeouts: the keyless session must outlive the run.
        WebRtcTransport.Options options = new WebRtcTransport.Options(3_600_000, new DtlsSettings(3_600_000, 1_000, 1200, 64,
                DtlsSettings.DEFAULT.srtpProfiles()));
        SecureRandom random = new SecureRandom();
        DtlsCertificate serverCert = DtlsCertificate.generate();
        DtlsCertificate clientCert = DtlsCertificate.generate();
        IceCredentials serverIce = IceCredentials.generate(random);
        IceCredentials clientIce = IceCredentials.generate(random);
        IceCredentials keylessIce = IceCredentials.generate(random);
        CompletableFuture<Void> serverUp = new CompletableFuture<>();
        CompletableFuture<Void> clientUp = new CompletableFuture<>();
        connected = WebRtcTransport.server(socket, demux, serverIce, clientIce, serverCert, List.of(clientCert.fingerprint()),
                options, new CountingListener(serverUp));
        keyless = WebRtcTransport.server(socket, demux, keylessIce, clientIce, serverCert, List.of(clientCert.fingerprint()),
                options, new CountingListener(new CompletableFuture<>()));
        client = WebRtcTransport.client(clientPlane.sockets().get(0), clientDemux, clientIce, serverIce,
                List.of(socket.localAddress()), clientCert, List.of(serverCert.fingerprint()), options, new Random(1),
                new CountingListener(clientUp));
        connected.start();
        keyless.start();
        client.start();
        serverUp.get(30, TimeUnit.SECONDS);
        clientUp.get(30, TimeUnit.SECONDS);
        clientSrtp = client.srtp();
        System.out.println("DemuxBench: DTLS negotiated " + clientSrtp.profile() + " (the default DtlsSettings preference)");

        loop.submit(() -> {
            plain = PooledByteBufAllocator.DEFAULT.heapBuffer(PACKET_LENGTH + clientSrtp.profile().rtpTailRoom());
            plain.writeByte(0x80).writeByte(96).writeShort(0).writeInt(0).writeInt(SSRC);
            byte[] payload = new byte[PACKET_LENGTH - 12];
            new Random(7).nextBytes(payload);
            plain.writeBytes(payload);
            datagram = PooledByteBufAllocator.DEFAULT.directBuffer(PACKET_LENGTH + 64);
            consentCheck = PooledByteBufAllocator.DEFAULT.directBuffer(256);
            forgedCheck = PooledByteBufAllocator.DEFAULT.directBuffer(256);
            unknownCheck = PooledByteBufAllocator.DEFAULT.directBuffer(256);
            // Bind both "browser" addresses with one nominating check each, as a browser's first checks do.
            ByteBuf first = PooledByteBufAllocator.DEFAULT.directBuffer(256);
            try {
                writeCheck(first, keylessIce, clientIce, true);
                demux.onDatagram(socket, first, keylessAddress, System.nanoTime());
                first.clear();
                writeCheck(first, serverIce, clientIce, true);
                demux.onDatagram(socket, first, connectedAddress, System.nanoTime());
            } finally {
                first.release();
            }
            writeCheck(consentCheck, serverIce, clientIce, false);
            // The live session's ufrag, signed with a password nobody gave out; and a ufrag no session has.
            writeCheck(forgedCheck, serverIce, clientIce, IceCredentials.generate(random).pwd(), false);
            writeCheck(unknownCheck, IceCredentials.generate(random), clientIce, false);
            // One packet through, so the receive context for the SSRC exists before measuring.
            generate();
            demux.onDatagram(socket, datagram, connectedAddress, System.nanoTime());
            socket.flush();
        }).get(10, TimeUnit.SECONDS);
        if (demux.boundAddressCount() < 3 || rtpDelivered != 1) {
            throw new IllegalStateException("setup failed: " + demux.boundAddressCount() + " bound addresses, "
                    + rtpDelivered + " packets delivered, drops " + drops());
        }
        snapshotDrops();
    }

    /** A Chromium-shaped Binding request from the client to {@code local}'s session, signed with its password. */
    private static void writeCheck(ByteBuf out, IceCredentials local, IceCredentials remote, boolean nominate) {
        writeCheck(out, local, remote, local.pwd(), nominate);
    }

    /** As above, signed with {@code pwd}. */
    private static void writeCheck(ByteBuf out, IceCredentials local, IceCredentials remote, String pwd, boolean nominate) {
        StunWriter writer = new StunWriter()
                .begin(out, StunMessageType.BINDING_REQUEST, TRANSACTION_ID)
                .username(local.ufrag() + ":" + remote.ufrag())
                .attribute(0xC057, new byte[] {0, 1, 0, 10}, 0, 4)
                .iceControlling(0x5a2f0c77d1e83b49L)
                .priority(1853824767L);
        if (nominate) writer.useCandidate();
        writer.messageIntegrity(StunIntegrity.shortTerm(pwd)).fingerprint().finish();
    }

    /** The client's next RTP packet, protected with its session and copied into the direct "datagram". */
    private void generate() {
        sequence++;
        plain.writerIndex(PACKET_LENGTH);
        plain.setShort(2, sequence);
        plain.setInt(4, sequence * 3000);
        if (clientSrtp.protectRtp(plain) != SrtpStatus.OK) generateFailures++;
        datagram.clear().writeBytes(plain, plain.readerIndex(), plain.readableBytes());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            loop.submit(() -> {
                plain.release();
                datagram.release();
                consentCheck.release();
                forgedCheck.release();
                unknownCheck.release();
            }).get(10, TimeUnit.SECONDS);
            long[] expected = new long[DropReason.values().length];
            expected[DropReason.SRTP_NOT_READY.ordinal()] = lookupOps;
            expected[DropReason.SRTP_UNBOUND.ordinal()] = unboundOps;
            expected[DropReason.STUN_NO_SESSION.ordinal()] = unknownOps;
            // Forged checks: the session's budget answers its first ones with a 401, then drops them unanswered.
            long forgedDrops = 0;
            for (DropReason r : List.of(DropReason.STUN_REJECTED, DropReason.STUN_OVER_SESSION_LIMIT, DropReason.STUN_OVER_SOURCE_LIMIT,
                    DropReason.STUN_OVER_LOOP_LIMIT)) {
                forgedDrops += demux.drops(r) - dropsBefore[r.ordinal()];
                expected[r.ordinal()] = demux.drops(r) - dropsBefore[r.ordinal()];
            }
            if (forgedDrops != forgedOps) throw new IllegalStateException(forgedDrops + " forged checks dropped of " + forgedOps);
            StringBuilder wrong = new StringBuilder();
            for (DropReason r : DropReason.values()) {
                long dropped = demux.drops(r) - dropsBefore[r.ordinal()];
                if (dropped != expected[r.ordinal()]) wrong.append(' ').append(r).append('=').append(dropped);
            }
            if (generateFailures > 0 || rtpDelivered != 1 + srtpOps || !wrong.isEmpty()) {
                throw new IllegalStateException("benchmark datagrams went astray: " + generateFailures + " protect failures, "
                        + rtpDelivered + " RTP delivered of " + (1 + srtpOps) + ", unexpected drops:" + wrong
                        + " (stun checks " + stunOps + ")");
            }
        } finally {
            client.closeAsync("bench over");
            connected.closeAsync("bench over");
            keyless.closeAsync("bench over");
            loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
            clientPlane.close();
            serverPlane.close();
            connectedPeer.close();
            keylessPeer.close();
        }
    }

    private void snapshotDrops() {
        for (DropReason r : DropReason.values()) dropsBefore[r.ordinal()] = demux.drops(r);
    }

    private String drops() {
        StringBuilder s = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            if (demux.drops(r) > 0) s.append(' ').append(r).append('=').append(demux.drops(r));
        }
        return s.toString();
    }

    private void run(Work work, int count) {
        batch.work = work;
        batch.count = count;
        batch.caller = Thread.currentThread();
        batch.done = false;
        loop.execute(batch);
        while (!batch.done) LockSupport.park(this);
    }

    @Benchmark
    @OperationsPerInvocation(CHEAP_BATCH)
    public void srtpLookup() {
        run(Work.SRTP_LOOKUP, CHEAP_BATCH);
        lookupOps += CHEAP_BATCH;
    }

    @Benchmark
    @OperationsPerInvocation(CHEAP_BATCH)
    public void srtpUnbound() {
        run(Work.SRTP_UNBOUND, CHEAP_BATCH);
        unboundOps += CHEAP_BATCH;
    }

    @Benchmark
    @OperationsPerInvocation(CRYPTO_BATCH)
    public void srtpGenerate() {
        run(Work.SRTP_GENERATE, CRYPTO_BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(CRYPTO_BATCH)
    public void srtpConnected() {
        run(Work.SRTP_CONNECTED, CRYPTO_BATCH);
        srtpOps += CRYPTO_BATCH;
    }

    @Benchmark
    @OperationsPerInvocation(CRYPTO_BATCH)
    public void stunConsent() {
        run(Work.STUN_CONSENT, CRYPTO_BATCH);
        stunOps += CRYPTO_BATCH;
    }

    @Benchmark
    @OperationsPerInvocation(CHEAP_BATCH)
    public void stunForged() {
        run(Work.STUN_FORGED, CHEAP_BATCH);
        forgedOps += CHEAP_BATCH;
    }

    @Benchmark
    @OperationsPerInvocation(CHEAP_BATCH)
    public void stunUnknownUfrag() {
        run(Work.STUN_UNKNOWN, CHEAP_BATCH);
        unknownOps += CHEAP_BATCH;
    }

    /** Counts RTP on the loop; completes {@code up} when the session has keys. */
    private final class CountingListener implements WebRtcTransport.Listener {
        private final CompletableFuture<Void> up;

        CountingListener(CompletableFuture<Void> up) {
            this.up = up;
        }

        @Override
        public void onConnected(WebRtcTransport t) {
            up.complete(null);
        }

        @Override
        public void onRtp(WebRtcTransport t, ByteBuf packet, long nowNs) {
            rtpDelivered++;
        }

        @Override
        public void onRtcp(WebRtcTransport t, ByteBuf packet, long nowNs) {
        }

        @Override
        public void onClosed(WebRtcTransport t, String reason) {
        }
    }
}
