package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.SdpFixtures;
import dev.junction.codec.sdp.SdpLine;
import dev.junction.codec.sdp.SessionDescription;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Shared inputs for answerer tests: a local fingerprint, announced addresses, deterministic randomness. */
final class NegotiatorFixtures {
    static final String LOCAL_FINGERPRINT_TEXT =
            "sha-256 5D:1B:9A:70:0C:E4:2F:88:31:C6:AB:04:77:E9:1D:52:C0:3A:6E:F1:98:27:B4:0D:5A:E3:16:8C:49:F2:60:BD";
    static final Fingerprint LOCAL_FINGERPRINT = Fingerprint.parse(LOCAL_FINGERPRINT_TEXT).orElseThrow();
    static final InetSocketAddress IPV4 = address("192.0.2.1", 40000);
    static final InetSocketAddress IPV6 = address("2001:db8::1", 40000);
    static final List<InetSocketAddress> ADDRESSES = List.of(IPV4, IPV6);
    static final SdpNegotiator DEFAULT = new SdpNegotiator(MediaCapabilities.defaults());

    private NegotiatorFixtures() {
    }

    static InetSocketAddress address(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** A SecureRandom whose output is fixed by {@code seed} (SHA1PRNG seeded before first use). */
    static SecureRandom seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static AnswerParameters publisher() {
        return AnswerParameters.publisher(LOCAL_FINGERPRINT, ADDRESSES, seeded(1));
    }

    static AnswerParameters subscriber() {
        return AnswerParameters.subscriber(LOCAL_FINGERPRINT, ADDRESSES, seeded(2), new SlotAllocator());
    }

    static AnswerParameters withRole(ClientRole role, SendStreamSource source) {
        return new AnswerParameters(role, LOCAL_FINGERPRINT, ADDRESSES, seeded(3), source);
    }

    /** The role a fixture's offer implies: recvonly offers come from WHEP subscribers. */
    static AnswerParameters forOffer(SessionDescription offer) {
        return SdpFixtures.isReceiveOnly(offer) ? subscriber() : publisher();
    }

    /**
     * Allocates like the gateway would per subscriber slot: SSRC 1000 * (section + 1) and RTX SSRC one above,
     * cname {@code junction}, msid {@code room <kind>-<slot>}; records the slots it saw.
     */
    static final class SlotAllocator implements SendStreamSource {
        final List<SendSlot> slots = new ArrayList<>();

        @Override
        public Optional<SendStream> allocate(SendSlot slot) {
            slots.add(slot);
            long ssrc = 1000L * (slot.sectionIndex() + 1);
            String track = slot.kind().token() + "-" + slot.slotIndex();
            return Optional.of(slot.rtx() ? SendStream.withRtx(ssrc, ssrc + 1, "junction", "room", track)
                    : SendStream.of(ssrc, "junction", "room", track));
        }
    }

    static AnswerResult.Answered answered(AnswerResult result) {
        return switch (result) {
            case AnswerResult.Answered a -> a;
            case AnswerResult.Rejected r -> throw new AssertionError("offer was rejected: " + r.error());
        };
    }

    static OfferError rejected(AnswerResult result) {
        return switch (result) {
            case AnswerResult.Rejected r -> r.error();
            case AnswerResult.Answered a -> throw new AssertionError("offer was answered:\n" + a.sdp());
        };
    }

    /** Answers, parses the answer text back and runs the offerer's checks on it. */
    static AnswerResult.Answered answerAndCheck(SdpNegotiator negotiator, SessionDescription offer, AnswerParameters p) {
        AnswerResult.Answered a = answered(negotiator.answer(offer, p));
        SessionDescription reparsed = SdpFixtures.parseText(a.sdp());
        assertEquals(a.sdp(), reparsed.write(), "the answer must round-trip through the parser");
        assertEquals(List.of(), OfferAnswerCheck.problems(offer, reparsed), a.sdp());
        return a;
    }

    static List<String> lines(MediaDescription m) {
        return m.lines().stream().map(SdpLine::text).toList();
    }

    static List<String> sessionLines(SessionDescription d) {
        return d.sessionLines().stream().map(SdpLine::text).toList();
    }
}
