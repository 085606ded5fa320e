package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.SdpFixtures;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutations of every fixture offer (fixed seed): deleted, duplicated and swapped lines, truncation,
 * garbage bytes, bit flips, huge lines, numbers set to edge values, tokens removed, lines borrowed from other
 * offers, m-sections repeated past the limit. Each input goes through {@link SdpInvariants}: nothing escapes,
 * refusals are one line, parsed offers write back identically, answers pass the offerer's checks.
 */
class SdpMutationTest {
    private static final int MUTATIONS = 20_000;
    private static final String[] EDGE_NUMBERS = {"0", "1", "127", "128", "255", "256", "65535", "65536", "4294967295",
        "4294967296", "99999999999999999999", "-1", ""};
    private static final String[] ATTRIBUTES = {"rtpmap", "fmtp", "rtcp-fb", "extmap", "ssrc", "ssrc-group", "msid", "rid",
        "simulcast", "candidate", "fingerprint", "setup", "mid", "group", "ice-ufrag", "ice-pwd", "sctp-port", "sctpmap"};

    @Test
    void shouldSurviveTwentyThousandMutationsOfRealOffers() {
        SdpInvariants invariants = new SdpInvariants();
        MutationRun.run(0x5DB_2026L, MUTATIONS, SdpFixtures.names(), SdpFixtures::text, SdpMutationTest::mutate,
                invariants::check);
        // The mutations must still reach the answerer often, or they test nothing but the parser's refusals.
        assertTrue(invariants.parsed > MUTATIONS / 4, "parsed " + invariants.parsed);
        assertTrue(invariants.answered > MUTATIONS / 4, "answered " + invariants.answered);
    }

    private static byte[] mutate(Random random, List<String> lines, List<List<String>> offers) {
        int last = lines.size() - 1; // the split leaves an empty string after the final CRLF
        switch (random.nextInt(13)) {
            case 0 -> lines.remove(random.nextInt(last));
            case 1 -> lines.add(random.nextInt(last), lines.get(random.nextInt(last)));
            case 2 -> {
                int a = random.nextInt(last);
                int b = random.nextInt(last);
                String t = lines.get(a);
                lines.set(a, lines.get(b));
                lines.set(b, t);
            }
            case 3 -> {
                byte[] whole = join(lines);
                return Arrays.copyOf(whole, random.nextInt(whole.length + 1));
            }
            case 4 -> {
                byte[] whole = join(lines);
                byte[] garbage = new byte[1 + random.nextInt(16)];
                random.nextBytes(garbage);
                int at = random.nextInt(whole.length + 1);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(whole, 0, at);
                out.write(garbage, 0, garbage.length);
                out.write(whole, at, whole.length - at);
                return out.toByteArray();
            }
            case 5 -> {
                byte[] whole = join(lines);
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    whole[random.nextInt(whole.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return whole;
            }
            case 6 -> {
                int at = random.nextInt(last);
                String line = lines.get(at);
                if (!line.isEmpty()) {
                    char[] chars = line.toCharArray();
                    chars[random.nextInt(chars.length)] = (char) (0x20 + random.nextInt(0x5F));
                    lines.set(at, new String(chars));
                }
            }
            case 7 -> lines.add(1 + random.nextInt(last), "a=x-huge:" + "z".repeat(random.nextInt(10_000)));
            case 8 -> {
                int at = random.nextInt(last);
                lines.set(at, replaceNumber(random, lines.get(at)));
            }
            case 9 -> {
                int at = random.nextInt(last);
                String[] tokens = lines.get(at).split(" ", -1);
                if (tokens.length > 1) {
                    List<String> kept = new ArrayList<>(Arrays.asList(tokens));
                    kept.remove(1 + random.nextInt(tokens.length - 1));
                    lines.set(at, String.join(" ", kept));
                }
            }
            case 10 -> {
                List<String> other = offers.get(random.nextInt(offers.size()));
                lines.add(1 + random.nextInt(last), other.get(random.nextInt(other.size() - 1)));
            }
            case 11 -> {
                int firstMedia = indexOfMedia(lines, 0);
                int secondMedia = firstMedia < 0 ? -1 : indexOfMedia(lines, firstMedia + 1);
                if (firstMedia >= 0) {
                    List<String> section = lines.subList(firstMedia, secondMedia < 0 ? last : secondMedia);
                    List<String> copy = new ArrayList<>(section);
                    for (int n = random.nextInt(80); n > 0; n--) {
                        lines.addAll(last, copy);
                    }
                }
            }
            default -> {
                String junk = Integer.toString(random.nextInt(200)) + (random.nextBoolean() ? " " : ":") + random.nextInt();
                lines.add(1 + random.nextInt(last), "a=" + ATTRIBUTES[random.nextInt(ATTRIBUTES.length)] + ":" + junk);
            }
        }
        return join(lines);
    }

    private static String replaceNumber(Random random, String line) {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < line.length(); ) {
            if (Character.isDigit(line.charAt(i))) {
                int start = i;
                while (i < line.length() && Character.isDigit(line.charAt(i))) {
                    i++;
                }
                runs.add(new int[] {start, i});
            } else {
                i++;
            }
        }
        if (runs.isEmpty()) {
            return line;
        }
        int[] run = runs.get(random.nextInt(runs.size()));
        return line.substring(0, run[0]) + EDGE_NUMBERS[random.nextInt(EDGE_NUMBERS.length)] + line.substring(run[1]);
    }

    private static int indexOfMedia(List<String> lines, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).startsWith("m=")) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] join(List<String> lines) {
        return String.join("\r\n", lines).getBytes(StandardCharsets.UTF_8);
    }
}
