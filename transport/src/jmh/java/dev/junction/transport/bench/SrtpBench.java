package dev.junction.transport.bench;

import dev.junction.transport.srtp.AesBackend;
import dev.junction.transport.srtp.GcmBackend;
import dev.junction.transport.srtp.SrtpKeys;
import dev.junction.transport.srtp.SrtpProfile;
import dev.junction.transport.srtp.SrtpSession;
import dev.junction.transport.srtp.SrtpStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Random;
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
 * SRTP cost per 1200-byte RTP packet (12-byte header, 1188-byte payload), per profile, in place on a
 * pooled heap buffer as the media path does it.
 * <ul>
 *   <li>{@code protect}: one egress packet (a fresh sequence number each time: the sender refuses to
 *       reuse an index). The previous ciphertext is re-encrypted in place; AES cost does not depend on
 *       the bytes.</li>
 *   <li>{@code protectThenUnprotect}: one packet protected by the sender and unprotected by the
 *       receiver. Unprotect needs a stream of fresh, validly tagged packets (the replay window refuses
 *       repeats), so its cost is this figure minus {@code protect}.</li>
 * </ul>
 * {@code gcm} picks who does AES-GCM ({@link GcmBackend}): {@code FFM} (OpenSSL through the FFM API, the
 * default on Java 22+) or {@code JITSI} (jitsi-srtp, the fallback); it does not matter for the AES-CM profile.
 * Run with {@code -prof gc}; the target is the C floor (packet-floor's cryptobench: about 0.5 µs per GCM
 * packet) and 0 B/op.
 *
 * <pre>./junction bench transport SrtpBench -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SrtpBench {

    private static final int PACKET_LENGTH = 1200;
    private static final int SSRC = 0x2A2A_2A2A;

    @Param({"AEAD_AES_128_GCM", "AEAD_AES_256_GCM", "AES_CM_128_HMAC_SHA1_80"})
    public String profile;

    @Param({"FFM", "JITSI"})
    public String gcm;

    private SrtpSession sender;
    private SrtpSession receiver;
    private ByteBuf packet;
    private int sequence;

    @Setup(Level.Trial)
    public void setUp() {
        AesBackend.warmUp();
        SrtpProfile chosen = SrtpProfile.valueOf(profile);
        byte[] material = new byte[chosen.keyingMaterialLength()];
        new Random(42).nextBytes(material);
        SrtpKeys keys = SrtpKeys.fromDtlsKeyingMaterial(chosen, material, true);
        GcmBackend backend = GcmBackend.valueOf(gcm);
        sender = SrtpSession.create(keys, SrtpSession.DEFAULT_MAX_SSRCS, backend);
        receiver = SrtpSession.create(keys.reversed(), SrtpSession.DEFAULT_MAX_SSRCS, backend);
        packet = PooledByteBufAllocator.DEFAULT.heapBuffer(PACKET_LENGTH + chosen.rtcpTailRoom());
        packet.writeByte(0x80).writeByte(96).writeShort(0).writeInt(0).writeInt(SSRC);
        byte[] payload = new byte[PACKET_LENGTH - 12];
        new Random(7).nextBytes(payload);
        packet.writeBytes(payload);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        packet.release();
        sender.close();
        receiver.close();
        if (sender.failures() + receiver.failures() + receiver.authFailures() + receiver.replays() + sender.replays() > 0) {
            throw new IllegalStateException("benchmark packets failed: sender " + sender.failures() + "/" + sender.replays()
                    + ", receiver " + receiver.failures() + "/" + receiver.authFailures() + "/" + receiver.replays());
        }
    }

    @Benchmark
    public SrtpStatus protect() {
        nextPacket();
        return sender.protectRtp(packet);
    }

    @Benchmark
    public SrtpStatus protectThenUnprotect() {
        nextPacket();
        sender.protectRtp(packet);
        return receiver.unprotectRtp(packet);
    }

    /** Same buffer, next sequence number (the ROC advances on wrap), length back to 1200. */
    private void nextPacket() {
        packet.writerIndex(PACKET_LENGTH);
        packet.setShort(2, ++sequence);
        packet.setInt(4, sequence * 960);
    }
}
