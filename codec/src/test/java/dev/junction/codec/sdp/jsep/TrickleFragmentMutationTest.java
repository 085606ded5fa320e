package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Deterministic mutations of every sdpfrag fixture (fixed seed): deleted, duplicated, swapped and borrowed lines,
 * truncation, garbage bytes, bit flips, numbers set to edge values, tokens dropped or upper-cased, LF line ends.
 * Each input goes through {@link TrickleFragmentInvariants}: nothing escapes, refusals are one line, accepted
 * fragments are consistent and survive a canonical rewrite.
 */
class TrickleFragmentMutationTest {
    private static final int MUTATIONS = 10_000;
    private static final String[] EDGE_NUMBERS = {"0", "1", "9", "256", "257", "65535", "65536", "70000", "4294967295",
        "4294967296", "99999999999999999999", "-1", ""};

    @Test
    void shouldSurviveTenThousandMutationsOfRealFragments() {
        TrickleFragmentInvariants invariants = new TrickleFragmentInvariants();
        MutationRun.run(0x8840_9725L, MUTATIONS, FragmentFixtures.names(), FragmentFixtures::text,
                TrickleFragmentMutationTest::mutate, invariants::check);
        // The mutations must reach both outcomes often, or they test only one path.
        assertTrue(invariants.parsed > MUTATIONS / 4, "parsed " + invariants.parsed);
        assertTrue(invariants.rejected > MUTATIONS / 4, "rejected " + invariants.rejected);
    }

    private static byte[] mutate(Random random, List<String> lines, List<List<String>> fragments) {
        int last = lines.size() - 1; // the split leaves an empty string after the final CRLF
        switch (random.nextInt(11)) {
            case 0 -> lines.remove(random.nextInt(last));
            case 1 -> lines.add(random.nextInt(last + 1), lines.get(random.nextInt(last)));
            case 2 -> {
                int a = random.nextInt(last);
                int b = random.nextInt(last);
                String t = lines.get(a);
                lines.set(a, lines.get(b));
                lines.set(b, t);
            }
            case 3 -> {
                byte[] whole = join(lines, "\r\n");
                return Arrays.copyOf(whole, random.nextInt(whole.length + 1));
            }
            case 4 -> {
                byte[] whole = join(lines, "\r\n");
                int at = random.nextInt(whole.length);
                for (int n = 1 + random.nextInt(4); n > 0 && at < whole.length; n--, at++) {
                    whole[at] = (byte) random.nextInt(256);
                }
                return whole;
            }
            case 5 -> {
                byte[] whole = join(lines, "\r\n");
                int at = random.nextInt(whole.length);
                whole[at] ^= (byte) (1 << random.nextInt(8));
                return whole;
            }
            case 6 -> {
                List<String> other = fragments.get(random.nextInt(fragments.size()));
                lines.add(random.nextInt(last + 1), other.get(random.nextInt(other.size() - 1)));
            }
            case 7 -> {
                int at = random.nextInt(last);
                lines.set(at, lines.get(at).replaceFirst("\\d+", EDGE_NUMBERS[random.nextInt(EDGE_NUMBERS.length)]));
            }
            case 8 -> {
                int at = random.nextInt(last);
                String[] tokens = lines.get(at).split(" ", -1);
                if (tokens.length > 1) {
                    List<String> kept = new ArrayList<>(Arrays.asList(tokens));
                    kept.remove(random.nextInt(kept.size()));
                    lines.set(at, String.join(" ", kept));
                }
            }
            case 9 -> {
                int at = random.nextInt(last);
                lines.set(at, random.nextBoolean() ? lines.get(at).toUpperCase(java.util.Locale.ROOT)
                        : lines.get(at).replace(" ", "  "));
            }
            default -> {
                return join(lines, "\n");
            }
        }
        return join(lines, "\r\n");
    }

    private static byte[] join(List<String> lines, String separator) {
        return String.join(separator, lines).getBytes(StandardCharsets.UTF_8);
    }
}
