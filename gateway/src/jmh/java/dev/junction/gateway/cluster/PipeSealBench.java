package dev.junction.gateway.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The node pipe's crypto per packet (issue 14, "the pipe cost per packet"): {@link PipeSeal#seal} of one RTP
 * packet at the home node, and {@link PipeSeal#open} of the sealed datagram at a viewing node, AES-128-GCM through
 * the JDK's provider (intrinsified AES and GHASH). The socket and the task hand-off around them are not included.
 * Run: {@code ./junction bench gateway PipeSealBench -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PipeSealBench {

    @Param({"200", "1200"})
    int packetBytes;

    private PipeSeal sealer;
    private PipeSeal opener;
    private ByteBuf body;
    private ByteBuf out;
    private ByteBuf sealed;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        sealer = new PipeSeal(key, PipeSeal.FROM_HOME);
        opener = new PipeSeal(key, PipeSeal.FROM_HOME);
        byte[] rtp = new byte[packetBytes];
        new SecureRandom().nextBytes(rtp);
        body = Unpooled.wrappedBuffer(rtp);
        int datagram = PipeSeal.HEADER + 4 + packetBytes + PipeSeal.TAG;
        out = Unpooled.buffer(datagram);
        sealed = Unpooled.buffer(datagram);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        body.release();
        out.release();
        sealed.release();
    }

    /** One RTP packet sealed into a reused heap buffer, as the home node does per packet per pipe. */
    @Benchmark
    public int seal() {
        out.clear();
        sealer.seal(PipeSeal.RTP, 0, 0, 7, 42, body, out);
        return out.writerIndex();
    }

    /**
     * One datagram sealed, then opened in place, as a viewing node does per packet (plus this seal). Each iteration
     * seals a fresh counter, since the opener's replay window refuses one it has seen.
     */
    @Benchmark
    public int sealThenOpen() {
        sealed.clear();
        sealer.seal(PipeSeal.RTP, 0, 0, 7, 42, body, sealed);
        PipeSeal.Refusal refusal = opener.open(sealed);
        if (refusal != null) throw new IllegalStateException("refused: " + refusal);
        return sealed.readableBytes();
    }
}
