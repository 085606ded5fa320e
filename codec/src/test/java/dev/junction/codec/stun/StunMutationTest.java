package dev.junction.codec.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutation of real messages (fixed seed): every truncation, every single bit flip, hostile
 * length fields at every attribute, and 20,000 random multi-step mutations. {@link StunInvariants} checks
 * each result; the mutations keep the header length consistent and re-seal the FINGERPRINT often enough
 * that the attribute walk and the integrity check are reached, not only the header checks.
 */
class StunMutationTest {

    private static final int[] HOSTILE_LENGTHS = {0, 1, 2, 3, 4, 5, 8, 19, 20, 21, 0x7FFF, 0x8000, 0xFFFC, 0xFFFF};

    private final StunInvariants invariants = new StunInvariants();
    private final List<Seed> seeds = seeds();

    /** A valid message, with the integrity key that signed it (or null). */
    private record Seed(String name, byte[] bytes, StunIntegrity signer) {
    }

    private static List<Seed> seeds() {
        List<Seed> seeds = new ArrayList<>();
        seeds.add(new Seed("RFC 5769 2.1", StunFixtures.SAMPLE_REQUEST, StunIntegrity.shortTerm(StunFixtures.PASSWORD)));
        seeds.add(new Seed("RFC 5769 2.2", StunFixtures.SAMPLE_IPV4_RESPONSE, StunIntegrity.shortTerm(StunFixtures.PASSWORD)));
        seeds.add(new Seed("RFC 5769 2.3", StunFixtures.SAMPLE_IPV6_RESPONSE, StunIntegrity.shortTerm(StunFixtures.PASSWORD)));
        seeds.add(new Seed("RFC 5769 2.4", StunFixtures.SAMPLE_LONG_TERM_REQUEST, StunIntegrity.longTerm(
                StunFixtures.LONG_TERM_USERNAME, StunFixtures.LONG_TERM_REALM, StunFixtures.LONG_TERM_PASSWORD)));
        seeds.add(new Seed("chrome check", StunFixtures.chromeBindingRequest(), StunIntegrity.shortTerm(StunFixtures.LOCAL_PASSWORD)));
        seeds.add(new Seed("420", unknownAttributeErrorResponse(), null));
        seeds.add(new Seed("TURN Allocate", TurnFixtures.allocateRequest(), TurnFixtures.INTEGRITY));
        seeds.add(new Seed("TURN Allocate answer", TurnFixtures.allocateSuccessResponse(), TurnFixtures.INTEGRITY));
        seeds.add(new Seed("TURN Send", TurnFixtures.SEND_INDICATION, null));
        seeds.add(new Seed("TURN ChannelBind", TurnFixtures.channelBindRequest(), TurnFixtures.INTEGRITY));
        return seeds;
    }

    @Test
    void shouldAcceptEverySeedUnchanged() {
        for (Seed seed : seeds) {
            assertEquals(StunParseResult.OK, invariants.check(seed.bytes, seed.signer, seed.bytes), seed.name);
        }
    }

    @Test
    void shouldRejectEveryTruncationAndExtension() {
        for (Seed seed : seeds) {
            for (int length = 0; length < seed.bytes.length; length++) {
                assertNotEquals(StunParseResult.OK, invariants.check(Arrays.copyOf(seed.bytes, length), seed.signer, seed.bytes),
                        seed.name + " truncated to " + length);
            }
            for (int extra = 1; extra <= 8; extra++) {
                assertEquals(StunParseResult.LENGTH_MISMATCH,
                        invariants.check(Arrays.copyOf(seed.bytes, seed.bytes.length + extra), seed.signer, seed.bytes));
            }
        }
    }

    @Test
    void shouldNeverAcceptASingleBitFlipUnderAFingerprint() {
        for (Seed seed : seeds) {
            for (int bit = 0; bit < seed.bytes.length * 8; bit++) {
                byte[] b = seed.bytes.clone();
                b[bit >>> 3] ^= (byte) (1 << (bit & 7));
                invariants.check(b, seed.signer, seed.bytes);
                // CRC-32 catches every single-bit error. A flip can still leave an acceptable message, for
                // example a USERNAME length that now swallows MESSAGE-INTEGRITY and FINGERPRINT, but never
                // one that is accepted with a FINGERPRINT.
                assertFalse(invariants.lastAcceptedWithFingerprint(), seed.name + " bit " + bit);
            }
        }
    }

    @Test
    void shouldSurviveHostileLengthFieldsAtEveryAttribute() {
        for (Seed seed : seeds) {
            List<Integer> headerOffsets = attributeHeaderOffsets(seed.bytes);
            headerOffsets.add(0); // and the message length field itself
            for (int headerOffset : headerOffsets) {
                int[] lengths = Arrays.copyOf(HOSTILE_LENGTHS, HOSTILE_LENGTHS.length + 3);
                lengths[HOSTILE_LENGTHS.length] = seed.bytes.length - headerOffset;     // to the end and beyond
                lengths[HOSTILE_LENGTHS.length + 1] = headerOffset;                     // self-referencing
                lengths[HOSTILE_LENGTHS.length + 2] = seed.bytes.length;                // the whole datagram
                for (int length : lengths) {
                    byte[] b = seed.bytes.clone();
                    b[headerOffset + 2] = (byte) (length >>> 8);
                    b[headerOffset + 3] = (byte) length;
                    invariants.check(b, seed.signer, seed.bytes);
                    invariants.check(resealed(withConsistentLength(b)), seed.signer, seed.bytes);
                }
            }
        }
    }

    @Test
    void shouldSurviveTwentyThousandRandomMutations() {
        Random random = new Random(0x5354554EL);
        Map<StunParseResult, Integer> seen = new EnumMap<>(StunParseResult.class);
        for (int i = 0; i < 20_000; i++) {
            Seed seed = seeds.get(random.nextInt(seeds.size()));
            byte[] b = seed.bytes.clone();
            int steps = 1 + random.nextInt(4);
            for (int s = 0; s < steps; s++) {
                b = mutate(b, random);
            }
            if (random.nextInt(10) < 7) {
                b = withConsistentLength(b);
            }
            if (random.nextBoolean()) {
                b = resealed(b);
            }
            seen.merge(invariants.check(b, seed.signer, seed.bytes), 1, Integer::sum);
        }
        // The mutations must reach past the header checks into the attribute walk and the CRC.
        assertTrue(seen.getOrDefault(StunParseResult.OK, 0) > 1_000, seen::toString);
        for (StunParseResult deep : new StunParseResult[] {StunParseResult.TRUNCATED_ATTRIBUTE,
                StunParseResult.MALFORMED_ATTRIBUTE, StunParseResult.BAD_FINGERPRINT, StunParseResult.LENGTH_MISMATCH,
                StunParseResult.FINGERPRINT_NOT_LAST, StunParseResult.TOO_SHORT}) {
            assertTrue(seen.getOrDefault(deep, 0) > 0, () -> deep + " never reached: " + seen);
        }
    }

    @Test
    void shouldSurviveRandomGarbageBehindAValidHeader() {
        Random random = new Random(7983);
        for (int i = 0; i < 5_000; i++) {
            byte[] b = new byte[20 + 4 * random.nextInt(40)];
            random.nextBytes(b);
            b[0] &= 0x3F;
            System.arraycopy(StunFixtures.SAMPLE_REQUEST, 4, b, 4, 4); // magic cookie
            invariants.check(resealed(withConsistentLength(b)), null, null);
            invariants.check(b, null, null);
        }
    }

    private static byte[] mutate(byte[] b, Random random) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt(256)};
        }
        int at = random.nextInt(b.length);
        switch (random.nextInt(9)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) random.nextInt(256);
            case 2 -> b[at] = (byte) new int[] {0x00, 0xFF, 0x7F, 0x80, 0x20, 0x3A}[random.nextInt(6)];
            case 3 -> {
                return Arrays.copyOf(b, at);
            }
            case 4 -> {
                byte[] extra = new byte[1 + random.nextInt(12)];
                random.nextBytes(extra);
                byte[] grown = Arrays.copyOf(b, b.length + extra.length);
                System.arraycopy(b, at, grown, at + extra.length, b.length - at);
                System.arraycopy(extra, 0, grown, at, extra.length);
                return grown;
            }
            case 5 -> {
                int n = Math.min(b.length - at, 1 + random.nextInt(8));
                byte[] shrunk = new byte[b.length - n];
                System.arraycopy(b, 0, shrunk, 0, at);
                System.arraycopy(b, at + n, shrunk, at, b.length - at - n);
                return shrunk;
            }
            case 6 -> {
                // An attribute length field (offset 2 of a 4-aligned attribute header) set to a hostile value.
                List<Integer> headers = attributeHeaderOffsets(b);
                if (!headers.isEmpty()) {
                    int h = headers.get(random.nextInt(headers.size()));
                    int length = HOSTILE_LENGTHS[random.nextInt(HOSTILE_LENGTHS.length)];
                    b[h + 2] = (byte) (length >>> 8);
                    b[h + 3] = (byte) length;
                }
            }
            case 7 -> {
                // An attribute type replaced by one the parser treats specially.
                List<Integer> headers = attributeHeaderOffsets(b);
                if (!headers.isEmpty()) {
                    int h = headers.get(random.nextInt(headers.size()));
                    int[] types = {StunAttribute.MESSAGE_INTEGRITY, StunAttribute.FINGERPRINT, StunAttribute.USERNAME,
                            StunAttribute.XOR_MAPPED_ADDRESS, StunAttribute.ERROR_CODE, StunAttribute.PRIORITY,
                            StunAttribute.MESSAGE_INTEGRITY_SHA256, StunAttribute.UNKNOWN_ATTRIBUTES, 0x0033, 0xC057,
                            StunAttribute.XOR_PEER_ADDRESS, StunAttribute.XOR_RELAYED_ADDRESS, StunAttribute.DATA,
                            StunAttribute.CHANNEL_NUMBER, StunAttribute.LIFETIME, StunAttribute.EVEN_PORT,
                            StunAttribute.REQUESTED_TRANSPORT, StunAttribute.ADDRESS_ERROR_CODE};
                    int type = types[random.nextInt(types.length)];
                    b[h] = (byte) (type >>> 8);
                    b[h + 1] = (byte) type;
                }
            }
            default -> {
                // Duplicate a 4-aligned chunk after the header (duplicated attributes).
                if (b.length > 24) {
                    int from = 20 + 4 * random.nextInt((b.length - 20) / 4);
                    int n = Math.min(b.length - from, 4 * (1 + random.nextInt(4)));
                    byte[] grown = Arrays.copyOf(b, b.length + n);
                    System.arraycopy(b, from, grown, b.length, n);
                    return grown;
                }
            }
        }
        return b;
    }

    /** Offsets of the attribute headers, following lengths as far as they stay inside the bytes. */
    private static List<Integer> attributeHeaderOffsets(byte[] b) {
        List<Integer> offsets = new ArrayList<>();
        for (int pos = StunMessage.HEADER_LENGTH; pos + 4 <= b.length; ) {
            offsets.add(pos);
            int length = (b[pos + 2] & 0xFF) << 8 | (b[pos + 3] & 0xFF);
            pos += StunAttribute.encodedLength(length);
        }
        return offsets;
    }

    private static byte[] withConsistentLength(byte[] b) {
        if (b.length < StunMessage.HEADER_LENGTH || b.length - StunMessage.HEADER_LENGTH > 0xFFFF) {
            return b;
        }
        byte[] fixed = b.clone();
        int length = b.length - StunMessage.HEADER_LENGTH;
        fixed[2] = (byte) (length >>> 8);
        fixed[3] = (byte) length;
        return fixed;
    }

    /** Recomputes the FINGERPRINT value if the last 8 bytes look like a FINGERPRINT attribute. */
    private static byte[] resealed(byte[] b) {
        if (!fingerprintPresent(b)) {
            return b;
        }
        byte[] sealed = b.clone();
        ByteBuf buf = Unpooled.wrappedBuffer(sealed);
        try {
            buf.setInt(sealed.length - 4, new StunFingerprint().compute(buf, 0, sealed.length - 8));
        } finally {
            buf.release();
        }
        return sealed;
    }

    private static boolean fingerprintPresent(byte[] b) {
        int n = b.length;
        return n >= 28 && b[n - 8] == (byte) 0x80 && b[n - 7] == 0x28 && b[n - 6] == 0 && b[n - 5] == 4;
    }

    private static byte[] unknownAttributeErrorResponse() {
        ByteBuf out = Unpooled.buffer();
        try {
            new StunWriter().begin(out, StunMessageType.BINDING_ERROR_RESPONSE, StunFixtures.TRANSACTION_ID)
                    .errorCode(StunErrorCode.UNKNOWN_ATTRIBUTE)
                    .unknownAttributes(new int[] {0x0033, 0x7001, 0x0002}, 3)
                    .fingerprint()
                    .finish();
            return StunFixtures.bytes(out);
        } finally {
            out.release();
        }
    }
}
