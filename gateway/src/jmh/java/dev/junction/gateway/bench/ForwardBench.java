package dev.junction.gateway.bench;

import dev.junction.codec.rtp.RtpHeaderWriter;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.jsep.AnswerParameters;
import dev.junction.codec.sdp.jsep.AnswerResult;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.MediaCapabilities;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import dev.junction.gateway.room.Producer;
import dev.junction.gateway.room.Publisher;
import dev.junction.gateway.room.Room;
import dev.junction.gateway.room.RoomDrop;
import dev.junction.gateway.room.SlotSsrcAllocator;
import dev.junction.gateway.room.Subscriber;
import dev.junction.gateway.session.MediaSessions;
import dev.junction.transport.MediaSender;
import dev.junction.transport.srtp.AesBackend;
import dev.junction.transport.srtp.SrtpKeys;
import dev.junction.transport.srtp.SrtpProfile;
import dev.junction.transport.srtp.SrtpSession;
import dev.junction.transport.srtp.SrtpStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The room's per-packet path (DESIGN §7): one decrypted 1200-byte VP8 packet from a publisher through
 * {@link Publisher#handleRtp} to {@code subscribers} Consumers, each making its egress copy, rewriting it
 * and handing it to its subscriber's {@link MediaSender}.
 *
 * <p>Everything is real except the socket: the room, the Producer and the slots are negotiated by the real
 * {@link SdpNegotiator} from captured Chromium offers ({@link ChromiumOffers}); the ingress packet is what
 * Chromium sends for that offer (its SSRC from {@code a=ssrc}, abs-send-time and transport-cc extensions, a
 * VP8 payload descriptor) in a pooled heap buffer with the SRTP tag cut off, as the transport hands it to the
 * room. Every op is the next packet of the stream (sequence number, transport-cc number, and every
 * {@link #PACKETS_PER_FRAME} packets the timestamp, move on), so nothing is refused as a replay and the
 * Producer's retransmission cache keeps cycling through its fixed {@code 512} entries (bounded; it never grows).
 * <ul>
 *   <li>{@code egress=srtp}: each subscriber's sender protects the copy in place with its own
 *       AEAD_AES_128_GCM {@link SrtpSession} (fixed keys), as {@code WebRtcTransport.sendRtp} does, then
 *       releases it where the transport would queue it on the socket.</li>
 *   <li>{@code egress=release}: the sender only releases: the copy and rewrite cost alone.</li>
 *   <li>{@code transportCc=on}: the subscribers' answers negotiated transport-cc (issue 11), so each copy also
 *       gets its subscriber's transport-wide sequence number and is recorded in that subscriber's estimator (pacer,
 *       send history, ALR detector); {@code off} answers as {@code media.subscriber-transport-cc off} does. No
 *       feedback comes: this is the per-copy share of transport-cc.</li>
 * </ul>
 *
 * <p>Figures: the primary score is ns per ingress packet. The {@code copies} line is the same time divided by
 * the copies actually sent (ns per forwarded copy, = score ÷ {@code subscribers}). {@code -prof gc}'s
 * {@code gc.alloc.rate.norm} is bytes per ingress packet (DESIGN §7 wants ~0). The fork runs the benchmark
 * on a Netty {@code FastThreadLocalThread} ({@link FastThreadLocalExecutor}), as the room runs on an event
 * loop, and without leak detection (its default 1-in-128 sampling allocates a tracker per sampled buffer);
 * {@code -jvmArgsAppend} replaces these settings, so repeat the executor ones when measuring otherwise.
 *
 * <pre>./junction bench gateway ForwardBench -prof gc -f 1 -wi 3 -i 5 -w 1s -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=dev.junction.gateway.bench.FastThreadLocalExecutor", "-Dio.netty.leakDetection.level=disabled"})
public class ForwardBench {

    private static final int PACKET_LENGTH = 1200;
    private static final int PACKETS_PER_FRAME = 8;
    /** 90 kHz ticks per frame at 30 fps. */
    private static final int TICKS_PER_FRAME = 3000;
    /** Spacing of the fake clock: 10 000 packets/s, about 100 Mbit/s of video. */
    private static final long PACKET_SPACING_NS = 100_000;
    private static final SrtpProfile PROFILE = SrtpProfile.AEAD_AES_128_GCM;

    @Param({"1", "10", "100"})
    public int subscribers;

    @Param({"srtp", "release"})
    public String egress;

    /** Whether the subscribers' answers negotiate transport-cc: then every copy is numbered and recorded (issue 11). */
    @Param({"on", "off"})
    public String transportCc;

    private final List<BenchSender> senders = new ArrayList<>();
    private BenchSender publisherSender;
    private Room room;
    private Publisher publisher;
    private ByteBuf packet;
    private int transportCcOffset;
    private int sequence;
    private long timestamp;
    private long nowNs = 1_000_000_000_000L;
    private long ops;

    /** Counts what was really sent; in avgt mode JMH reports the time per count: ns per forwarded copy. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Copies {
        public long copies;

        @Setup(Level.Iteration)
        public void reset() {
            copies = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws UnknownHostException, NoSuchAlgorithmException {
        AesBackend.warmUp();
        boolean srtp = switch (egress) {
            case "srtp" -> true;
            case "release" -> false;
            default -> throw new IllegalArgumentException("egress must be srtp or release: " + egress);
        };
        Fingerprint fingerprint = Fingerprint.parse("sha-256 5D:1B:9A:70:0C:E4:2F:88:31:C6:AB:04:77:E9:1D:52:C0:3A:6E:F1:"
                + "98:27:B4:0D:5A:E3:16:8C:49:F2:60:BD").orElseThrow();
        List<InetSocketAddress> addresses = List.of(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 40000));
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(42);
        SdpNegotiator negotiator = new SdpNegotiator(MediaCapabilities.defaults());
        SdpNegotiator subscriberNegotiator = new SdpNegotiator(MediaSessions.subscriberCapabilities(switch (transportCc) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("transportCc must be on or off: " + transportCc);
        }));

        room = new Room("bench", PooledByteBufAllocator.DEFAULT, Room.Listener.NONE, new SplittableRandom(1), 0);
        NegotiatedSession published = negotiate(negotiator, ChromiumOffers.PUBLISHER_VP8,
                AnswerParameters.publisher(fingerprint, addresses, random));
        publisherSender = new BenchSender(null);
        publisher = room.addPublisher(published, publisherSender, nowNs);
        for (int i = 0; i < subscribers; i++) {
            NegotiatedSession session = negotiate(subscriberNegotiator, ChromiumOffers.SUBSCRIBER_VP8,
                    AnswerParameters.subscriber(fingerprint, addresses, random,
                            new SlotSsrcAllocator(new SplittableRandom(100 + i), "bench", "room")));
            BenchSender sender = new BenchSender(srtp ? srtpSession(i) : null);
            senders.add(sender);
            Subscriber s = room.addSubscriber(session, sender, nowNs);
            if (s.slots().stream().noneMatch(slot -> slot.kind() == MediaKind.VIDEO && slot.producer() != null)) {
                throw new IllegalStateException("subscriber " + i + " got no video producer: " + s);
            }
        }
        Producer video = publisher.producers().stream().filter(p -> p.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
        if (video.consumerCount() != subscribers) {
            throw new IllegalStateException("video producer feeds " + video.consumerCount() + " slots, not " + subscribers);
        }
        packet = chromiumVp8Packet(video.media());
    }

    private static NegotiatedSession negotiate(SdpNegotiator negotiator, String offer, AnswerParameters parameters) {
        AnswerResult result = negotiator.answer(offer, parameters);
        if (result instanceof AnswerResult.Answered a) {
            return a.negotiated();
        }
        throw new IllegalStateException("the benchmark offer is not answerable: " + result);
    }

    /** Subscriber {@code i}'s outbound SRTP: fixed keying material per subscriber, the server's side of DTLS. */
    private static SrtpSession srtpSession(int i) {
        byte[] material = new byte[PROFILE.keyingMaterialLength()];
        new Random(1000 + i).nextBytes(material);
        return SrtpSession.create(SrtpKeys.fromDtlsKeyingMaterial(PROFILE, material, false));
    }

    /**
     * A 1200-byte packet as Chromium sends it for this m-section: VP8 payload type, the announced SSRC, the
     * abs-send-time and transport-cc extensions (one-byte form), a VP8 payload descriptor (RFC 7741 §4.2) and
     * payload bytes. In a pooled heap buffer with the tag's room, as the transport's ingress copy is.
     */
    private ByteBuf chromiumVp8Packet(NegotiatedMedia video) {
        int pt = video.codecs().get(0).payloadType();
        long ssrc = video.remoteSsrcs().get(0).ssrc();
        int absSendTime = video.headerExtensionId(HeaderExtensionUri.ABS_SEND_TIME).orElseThrow();
        int transportCc = video.headerExtensionId(HeaderExtensionUri.TRANSPORT_CC).orElseThrow();
        ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(PACKET_LENGTH + PROFILE.rtpTailRoom());
        RtpHeaderWriter writer = new RtpHeaderWriter();
        writer.start(out, pt, false, 0, 0, ssrc);
        writer.startExtensions(false, 0);
        writer.addExtension(absSendTime, 0x12_3456, 3);
        writer.addExtension(transportCc, 0, 2);
        writer.endExtensions();
        // X=1 S=1 PID=0, I=1 with a 15-bit picture id, then the VP8 frame header of an interframe.
        out.writeBytes(new byte[] {(byte) 0x90, (byte) 0x80, (byte) 0x80, 0x01, 0x31, 0x02, 0x00});
        Random bytes = new Random(7);
        while (out.writerIndex() < PACKET_LENGTH) {
            out.writeByte(bytes.nextInt(256));
        }
        RtpPacket parsed = new RtpPacket();
        if (!parsed.wrap(out, 0, out.readableBytes())) {
            throw new IllegalStateException("benchmark packet does not parse: " + parsed.error());
        }
        long found = parsed.findExtension(transportCc);
        if (found == RtpPacket.NOT_FOUND) {
            throw new IllegalStateException("no transport-cc extension in the benchmark packet");
        }
        transportCcOffset = RtpPacket.foundOffset(found);
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            long forwarded = room.counters().rtpForwarded();
            long sent = 0;
            long failures = 0;
            for (BenchSender s : senders) {
                sent += s.rtp;
                failures += s.failures;
            }
            StringBuilder drops = new StringBuilder();
            for (RoomDrop reason : RoomDrop.values()) {
                if (room.counters().dropped(reason) > 0) {
                    drops.append(' ').append(reason).append('=').append(room.counters().dropped(reason));
                }
            }
            long numbered = transportCc.equals("on") ? forwarded : 0;
            if (forwarded != ops * subscribers || sent != forwarded || failures > 0 || !drops.isEmpty()
                    || room.counters().rtpNumbered() != numbered) {
                throw new IllegalStateException("benchmark packets went astray: " + ops + " in, " + forwarded
                        + " forwarded, " + sent + " sent, " + room.counters().rtpNumbered() + " numbered, " + failures
                        + " SRTP failures, drops:" + drops);
            }
        } finally {
            room.close(nowNs);
            packet.release();
            for (BenchSender s : senders) {
                s.close();
            }
        }
    }

    /** One ingress packet to every subscriber. */
    @Benchmark
    public void forward(Copies copies) {
        nextPacket();
        publisher.handleRtp(packet, nowNs);
        ops++;
        copies.copies += subscribers;
    }

    /** The next packet of the stream, in the same buffer: sequence and transport-cc numbers, frame timestamp. */
    private void nextPacket() {
        nowNs += PACKET_SPACING_NS;
        int seq = ++sequence & 0xFFFF;
        if (seq % PACKETS_PER_FRAME == 0) {
            timestamp += TICKS_PER_FRAME;
        }
        packet.setShort(2, seq);
        packet.setInt(4, (int) timestamp);
        packet.setShort(transportCcOffset, seq);
    }

    /**
     * A subscriber's (or the publisher's) transport without the socket: protects RTP with the real SRTP
     * session when it has one, then releases the packet where {@code WebRtcTransport} would queue it.
     * RTCP (the Producer's keyframe requests on join) is only released.
     */
    private static final class BenchSender implements MediaSender {
        private final SrtpSession srtp;
        long rtp;
        long failures;

        BenchSender(SrtpSession srtp) {
            this.srtp = srtp;
        }

        @Override
        public boolean sendRtp(ByteBuf packet) {
            try {
                if (srtp != null && srtp.protectRtp(packet) != SrtpStatus.OK) {
                    failures++;
                    return false;
                }
                rtp++;
                return true;
            } finally {
                packet.release();
            }
        }

        @Override
        public boolean sendRtcp(ByteBuf packet) {
            packet.release();
            return true;
        }

        void close() {
            if (srtp != null) {
                srtp.close();
            }
        }
    }
}
