package dev.junction.transport.bench;

import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.dtls.DtlsCloseReason;
import dev.junction.transport.dtls.DtlsDatagramSink;
import dev.junction.transport.dtls.DtlsEndpoint;
import dev.junction.transport.dtls.DtlsListener;
import dev.junction.transport.dtls.DtlsResult;
import dev.junction.transport.dtls.DtlsSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole DTLS-SRTP handshake, our server against our client, in memory: both {@link DtlsEndpoint}s on
 * their virtual threads, each datagram handed straight to the other side (no sockets, no loss), until both
 * report connected with SRTP keys, then both closed. Both sides' CPU is in the figure, as the load tool
 * against a server on one machine pays it: the handshake is a ping-pong, so the two sides rarely overlap.
 *
 * <p>The client offers bctls's default groups (X25519 first, as browsers do), so the ECDHE is X25519.
 * {@link DtlsCryptoBench} has the public-key operations one by one.
 *
 * <pre>./junction bench transport DtlsHandshakeBench -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DtlsHandshakeBench {

    private DtlsCertificate serverCertificate;
    private DtlsCertificate clientCertificate;

    @Setup
    public void setUp() {
        serverCertificate = DtlsCertificate.generate();
        clientCertificate = DtlsCertificate.generate();
    }

    @Benchmark
    public int handshake() throws InterruptedException {
        Wire toServer = new Wire();
        Wire toClient = new Wire();
        Outcome outcome = new Outcome();
        DtlsEndpoint serverEnd = DtlsEndpoint.server(serverCertificate, List.of(clientCertificate.fingerprint()),
                DtlsSettings.DEFAULT, PooledByteBufAllocator.DEFAULT, toClient, outcome);
        DtlsEndpoint clientEnd = DtlsEndpoint.client(clientCertificate, List.of(serverCertificate.fingerprint()),
                DtlsSettings.DEFAULT, PooledByteBufAllocator.DEFAULT, toServer, outcome);
        toServer.target = serverEnd;
        toClient.target = clientEnd;
        serverEnd.start();
        clientEnd.start();
        if (!outcome.connected.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("handshake did not complete");
        int keyBytes = outcome.keyBytes;
        clientEnd.close();
        serverEnd.close();
        outcome.closed.await(10, TimeUnit.SECONDS);
        return keyBytes;
    }

    /** One direction: hands each datagram to the other endpoint, which copies what it keeps; releases it. */
    private static final class Wire implements DtlsDatagramSink {
        volatile DtlsEndpoint target;

        @Override
        public void send(ByteBuf datagram) {
            try {
                target.handleDatagram(datagram);
            } finally {
                datagram.release();
            }
        }
    }

    private static final class Outcome implements DtlsListener {
        final CountDownLatch connected = new CountDownLatch(2);
        final CountDownLatch closed = new CountDownLatch(2);
        volatile int keyBytes;

        @Override
        public void onConnected(DtlsEndpoint endpoint, DtlsResult result) {
            keyBytes += result.profile().keyingMaterialLength();
            connected.countDown();
        }

        @Override
        public void onClosed(DtlsEndpoint endpoint, DtlsCloseReason reason, String detail) {
            closed.countDown();
        }
    }
}
