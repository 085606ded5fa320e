package dev.junction.gateway.room;

import dev.junction.codec.rtp.RtpHeaderWriter;
import dev.junction.transport.MediaSender;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.jsep.AnswerParameters;
import dev.junction.codec.sdp.jsep.AnswerResult;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.MediaCapabilities;
import dev.junction.codec.sdp.jsep.NegotiatedCodec;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;

/** Real browser offers negotiated by the real {@link SdpNegotiator}, and RTP packets as a browser sends them. */
final class RoomFixtures {
    static final Fingerprint LOCAL_FINGERPRINT = Fingerprint.parse(
            "sha-256 5D:1B:9A:70:0C:E4:2F:88:31:C6:AB:04:77:E9:1D:52:C0:3A:6E:F1:98:27:B4:0D:5A:E3:16:8C:49:F2:60:BD")
            .orElseThrow();
    static final SdpNegotiator NEGOTIATOR = new SdpNegotiator(MediaCapabilities.defaults());
    private static final List<InetSocketAddress> ADDRESSES = List.of(address());
    private static long seed = 1;

    private RoomFixtures() {
    }

    private static InetSocketAddress address() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}), 40000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String offer(String fixture) {
        try (InputStream in = RoomFixtures.class.getResourceAsStream("/sdp/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + fixture);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SecureRandom random() {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed++);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static NegotiatedSession publisher(String fixture) {
        return negotiated(offer(fixture), AnswerParameters.publisher(LOCAL_FINGERPRINT, ADDRESSES, random()));
    }

    static NegotiatedSession publisherFromText(String offer) {
        return negotiated(offer, AnswerParameters.publisher(LOCAL_FINGERPRINT, ADDRESSES, random()));
    }

    static NegotiatedSession subscriber(String fixture) {
        return subscriberFromText(offer(fixture));
    }

    static NegotiatedSession subscriberFromText(String offer) {
        SlotSsrcAllocator ssrcs = new SlotSsrcAllocator(new SplittableRandom(seed++), "junction", "room");
        return negotiated(offer, AnswerParameters.subscriber(LOCAL_FINGERPRINT, ADDRESSES, random(), ssrcs));
    }

    private static NegotiatedSession negotiated(String offer, AnswerParameters parameters) {
        return negotiated(NEGOTIATOR, offer, parameters);
    }

    private static NegotiatedSession negotiated(SdpNegotiator negotiator, String offer, AnswerParameters parameters) {
        AnswerResult result = negotiator.answer(offer, parameters);
        if (result instanceof AnswerResult.Answered a) {
            return a.negotiated();
        }
        throw new IllegalStateException("offer rejected: " + result);
    }

    static NegotiatedMedia media(NegotiatedSession session, MediaKind kind) {
        return session.acceptedMedia().stream().filter(m -> m.kind() == kind).findFirst().orElseThrow();
    }

    static NegotiatedCodec codec(NegotiatedMedia media, String name) {
        return media.codecs().stream().filter(c -> c.is(name)).findFirst().orElseThrow();
    }

    static int extensionId(NegotiatedMedia media, String uri) {
        return media.headerExtensionId(uri).orElseThrow();
    }

    /** Payload starts: VP8 descriptor S=1 PID=0 then P=0 (RFC 7741 §4.2, §4.3); an H.264 IDR slice (RFC 6184). */
    /**
     * A Chromium VP8 simulcast publisher and one Chromium subscriber in a room, with the video's MID and RID ids, and
     * the dependency descriptor's ids on both legs (0 when not negotiated).
     */
    record SimulcastPair(Publisher publisher, Subscriber subscriber, int midId, int ridId, int ddId, int subscriberDdId) {
    }

    /** The layer tests' room: {@code chromium-publisher-vp8-simulcast.sdp} publishing, {@code chromium-subscriber.sdp} watching. */
    static SimulcastPair simulcastPair(Room room, MediaSender pubSender, MediaSender subSender, long nowNs) {
        return simulcastPair(room, pubSender, subSender, nowNs, false);
    }

    /** Id 12 is free in {@code chromium-subscriber.sdp}'s video section (the publisher's offer uses it for the same). */
    private static final String SUBSCRIBER_DD_EXTMAP = "a=extmap:12 " + HeaderExtensionUri.DEPENDENCY_DESCRIPTOR + "\r\n";

    /**
     * The same, with the dependency descriptor negotiated on both legs when {@code dependencyDescriptor}: the
     * publisher offers it (Chromium does), and the subscriber's offer gets it added to its video section (Chromium
     * 156's recvonly offer leaves it out; another SFU or a client that sets it up offers it).
     */
    static SimulcastPair simulcastPair(Room room, MediaSender pubSender, MediaSender subSender, long nowNs, boolean dependencyDescriptor) {
        SdpNegotiator negotiator = dependencyDescriptor ? new SdpNegotiator(MediaCapabilities.defaults().withDependencyDescriptor()) : NEGOTIATOR;
        NegotiatedSession pub = negotiated(negotiator, offer("chromium-publisher-vp8-simulcast.sdp"),
                AnswerParameters.publisher(LOCAL_FINGERPRINT, ADDRESSES, random()));
        Publisher publisher = room.addPublisher(pub, pubSender, nowNs);
        NegotiatedMedia video = media(pub, MediaKind.VIDEO);
        String subOffer = offer("chromium-subscriber.sdp");
        if (dependencyDescriptor) {
            int at = subOffer.indexOf("a=extmap:10 " + HeaderExtensionUri.RID);
            subOffer = subOffer.substring(0, at) + SUBSCRIBER_DD_EXTMAP + subOffer.substring(at);
        }
        SlotSsrcAllocator ssrcs = new SlotSsrcAllocator(new SplittableRandom(seed++), "junction", "room");
        NegotiatedSession sub = negotiated(negotiator, subOffer, AnswerParameters.subscriber(LOCAL_FINGERPRINT, ADDRESSES, random(), ssrcs));
        return new SimulcastPair(publisher, room.addSubscriber(sub, subSender, nowNs),
                extensionId(video, HeaderExtensionUri.MID), extensionId(video, HeaderExtensionUri.RID),
                video.headerExtensionId(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR).orElse(0),
                media(sub, MediaKind.VIDEO).headerExtensionId(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR).orElse(0));
    }

    /**
     * One packet of the pair's "f" (top) simulcast layer with {@code dd} as its dependency descriptor: a VP8 delta
     * frame's start, then {@code payload} zero bytes.
     */
    static ByteBuf dependencyDescriptorPacket(SimulcastPair pair, int seq, long ts, long ssrc, byte[] dd, int payload) {
        ByteBuf p = Unpooled.buffer(64 + dd.length + payload);
        RtpHeaderWriter header = new RtpHeaderWriter();
        header.start(p, 96, true, seq, ts, ssrc);
        header.startExtensions(true, 0);
        byte[] mid = "1".getBytes(StandardCharsets.US_ASCII);
        byte[] rid = "f".getBytes(StandardCharsets.US_ASCII);
        header.addExtension(pair.midId(), mid, 0, mid.length);
        header.addExtension(pair.ridId(), rid, 0, rid.length);
        header.addExtension(pair.ddId(), dd, 0, dd.length);
        header.endExtensions();
        p.writeByte(0x10).writeByte(0x01).writeZero(payload); // VP8: S, a delta frame
        return p;
    }

    static final byte[] VP8_KEYFRAME = {0x10, 0x00};
    static final byte[] VP8_DELTA = {0x10, 0x01};
    static final byte[] H264_KEYFRAME = {0x65};
    static final byte[] H264_DELTA = {0x41};

    /** Overwrites the start of {@code packet}'s payload ({@code payloadLength} bytes at its end) with {@code prefix}. */
    static ByteBuf withPayloadStart(ByteBuf packet, int payloadLength, byte[] prefix) {
        packet.setBytes(packet.writerIndex() - payloadLength, prefix);
        return packet;
    }

    /** What a browser sends: fixed header, the given one-byte extensions (id, value, length), a payload. */
    static ByteBuf rtp(int pt, int seq, long ts, long ssrc, int payloadLength, long... extensions) {
        ByteBuf out = Unpooled.buffer(64 + payloadLength);
        RtpHeaderWriter w = new RtpHeaderWriter();
        w.start(out, pt, false, seq, ts, ssrc);
        if (extensions.length > 0) {
            w.startExtensions(false, 0);
            for (int i = 0; i < extensions.length; i += 3) {
                w.addExtension((int) extensions[i], extensions[i + 1], (int) extensions[i + 2]);
            }
            w.endExtensions();
        }
        for (int i = 0; i < payloadLength; i++) {
            out.writeByte(i * 7 + 1);
        }
        return out;
    }

    /** An RTP packet with an ASCII extension (MID or RID) and a one-byte value extension. */
    static ByteBuf rtpWithText(int pt, int seq, long ts, long ssrc, int payloadLength, int[] textIds, String[] texts) {
        ByteBuf out = Unpooled.buffer(64 + payloadLength);
        RtpHeaderWriter w = new RtpHeaderWriter();
        w.start(out, pt, false, seq, ts, ssrc);
        w.startExtensions(false, 0);
        for (int i = 0; i < textIds.length; i++) {
            byte[] b = texts[i].getBytes(StandardCharsets.US_ASCII);
            w.addExtension(textIds[i], b, 0, b.length);
        }
        w.endExtensions();
        for (int i = 0; i < payloadLength; i++) {
            out.writeByte(i + 1);
        }
        return out;
    }
}
