package dev.junction.codec.bench;

import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's per-check STUN cost: parse a Chromium-shaped nominating Binding request (104 bytes:
 * USERNAME, GOOG-NETWORK-INFO, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT),
 * verify its FINGERPRINT (inside {@code wrap}) and MESSAGE-INTEGRITY, and write the signed success response.
 * Run with {@code -prof gc}: the target is 0 B/op. {@code jdkMacBaseline} shows why HMAC-SHA1 is not
 * computed through {@code javax.crypto.Mac}: the same 76-byte HMAC through it allocates on every call.
 *
 * <pre>./junction bench codec StunIntegrityBench -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StunIntegrityBench {

    private static final String LOCAL_PASSWORD = "q9P1vR6mZt3LwY8eK2aN5sHc";
    private static final byte[] TRANSACTION_ID = "Mk/QqGcJ9zDn".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REMOTE_ADDRESS = {(byte) 192, (byte) 168, 1, 23};

    private final StunMessage message = new StunMessage();
    private final StunWriter writer = new StunWriter();
    private StunIntegrity integrity;
    private ByteBuf directCheck;
    private ByteBuf heapCheck;
    private ByteBuf response;
    private int checkLength;

    private Mac jdkMac;
    private byte[] jdkMacInput;
    private final byte[] jdkMacOutput = new byte[20];

    @Setup
    public void setUp() throws GeneralSecurityException {
        integrity = StunIntegrity.shortTerm(LOCAL_PASSWORD);
        directCheck = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        checkLength = writer.begin(directCheck, StunMessageType.BINDING_REQUEST, TRANSACTION_ID)
                .username("Jx7fQ2kd:3T4n")
                .attribute(0xC057, new byte[] {0, 1, 0, 10}, 0, 4)
                .iceControlling(0x5a2f0c77d1e83b49L)
                .useCandidate()
                .priority(1853824767L)
                .messageIntegrity(integrity)
                .fingerprint()
                .finish();
        heapCheck = PooledByteBufAllocator.DEFAULT.heapBuffer(1500).writeBytes(directCheck, 0, checkLength);
        response = PooledByteBufAllocator.DEFAULT.directBuffer(1500);
        if (!verifyDirect()) {
            throw new IllegalStateException("benchmark message does not verify");
        }

        jdkMac = Mac.getInstance("HmacSHA1");
        jdkMac.init(new SecretKeySpec(LOCAL_PASSWORD.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        jdkMacInput = new byte[checkLength - 8 - 24 - 20 + 20];
        heapCheck.getBytes(0, jdkMacInput);
    }

    @TearDown
    public void tearDown() {
        directCheck.release();
        heapCheck.release();
        response.release();
    }

    /** Parse + FINGERPRINT + MESSAGE-INTEGRITY of a check in a pooled direct buffer, as Netty epoll delivers it. */
    @Benchmark
    public boolean verifyDirect() {
        return message.wrap(directCheck, 0, checkLength) == StunParseResult.OK
                && message.hasFingerprint()
                && integrity.verify(message);
    }

    /** The same from a pooled heap buffer (the backing-array path). */
    @Benchmark
    public boolean verifyHeap() {
        return message.wrap(heapCheck, 0, checkLength) == StunParseResult.OK
                && message.hasFingerprint()
                && integrity.verify(message);
    }

    /** Verify the check, then write the signed, fingerprinted success response into a reused pooled buffer. */
    @Benchmark
    public int verifyAndRespond() {
        if (!verifyDirect()) {
            return -1;
        }
        response.clear();
        return writer.beginResponse(response, StunMessageType.BINDING_SUCCESS_RESPONSE, message)
                .xorMappedAddress(REMOTE_ADDRESS, 50123)
                .messageIntegrity(integrity)
                .fingerprint()
                .finish();
    }

    /** Reference: HMAC-SHA1 of the same 76 bytes through javax.crypto.Mac, reused and keyed once. */
    @Benchmark
    public byte[] jdkMacBaseline() throws GeneralSecurityException {
        jdkMac.update(jdkMacInput);
        jdkMac.doFinal(jdkMacOutput, 0);
        return jdkMacOutput;
    }
}
