package dev.junction.codec.bench;

import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.jsep.AnswerParameters;
import dev.junction.codec.sdp.jsep.AnswerResult;
import dev.junction.codec.sdp.jsep.MediaCapabilities;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import dev.junction.codec.sdp.jsep.SendStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Session setup cost of signalling: one WHIP or WHEP POST body (UTF-8 bytes, as Vert.x hands it over) parsed,
 * answered and written to answer text, for the Chromium publisher VP8 offer and the Chromium subscriber offer
 * (every codec, two send slots). This is control-plane work, so it allocates; {@code -prof gc} reports how much
 * per answer. The SecureRandom is the JDK default, as the gateway would use.
 *
 * <pre>./junction bench codec SdpAnswerBench -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SdpAnswerBench {

    @Param({"chromium-publisher-vp8", "chromium-subscriber"})
    public String offer;

    private final SdpNegotiator negotiator = new SdpNegotiator(MediaCapabilities.defaults());
    private byte[] body;
    private AnswerParameters parameters;

    @Setup
    public void setUp() throws UnknownHostException {
        Fingerprint local = Fingerprint.parse("sha-256 5D:1B:9A:70:0C:E4:2F:88:31:C6:AB:04:77:E9:1D:52:C0:3A:6E:F1:98:27:"
                + "B4:0D:5A:E3:16:8C:49:F2:60:BD").orElseThrow();
        List<InetSocketAddress> addresses = List.of(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 40000),
                new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 40000));
        SecureRandom random = new SecureRandom();
        boolean subscriber = offer.equals("chromium-subscriber");
        body = fixture(subscriber ? "chromium-subscriber.sdp" : "chromium-publisher-vp8.sdp")
                .getBytes(StandardCharsets.UTF_8);
        parameters = subscriber
                ? AnswerParameters.subscriber(local, addresses, random, slot -> Optional.of(slot.rtx()
                        ? SendStream.withRtx(1000L + slot.sectionIndex() * 2L, 1001L + slot.sectionIndex() * 2L, "junction",
                                "room", "track" + slot.sectionIndex())
                        : SendStream.of(1000L + slot.sectionIndex() * 2L, "junction", "room", "track" + slot.sectionIndex())))
                : AnswerParameters.publisher(local, addresses, random);
        if (!(answer() instanceof AnswerResult.Answered)) {
            throw new IllegalStateException("the benchmark offer is not answerable: " + answer());
        }
    }

    /** Parse the POST body, negotiate, write the answer text: what the WHIP/WHEP handler does per request. */
    @Benchmark
    public AnswerResult answer() {
        return negotiator.answer(body, parameters);
    }

    /** A captured offer from codec's test fixtures, which the {@code jmh} profile packs into the benchmark jar. */
    private static String fixture(String name) {
        try (java.io.InputStream in = SdpAnswerBench.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) throw new IllegalStateException("fixture /sdp/" + name + " is not in the benchmark jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
