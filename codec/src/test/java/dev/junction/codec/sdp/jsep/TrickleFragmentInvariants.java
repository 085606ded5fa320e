package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What must hold for any body, shared by the mutation test and the fuzz target:
 * <ul>
 *   <li>the parser never throws;</li>
 *   <li>a refusal is one non-empty line, and a line number in it lies inside the body;</li>
 *   <li>an accepted fragment stays within the limits, its credentials pass {@link IceCredentials}' checks, its
 *       m-section mids are unique, and every candidate writes out to text that parses back to the same record;</li>
 *   <li>the fragment written back in canonical form parses to the same content, and writing that again gives
 *       the same text.</li>
 * </ul>
 */
final class TrickleFragmentInvariants {
    private static final Pattern LINE = Pattern.compile("^line (\\d+): ");

    /** Outcome counts, so callers can tell that inputs reached the accepting paths too. */
    int parsed;
    int rejected;

    void check(byte[] body) {
        switch (TrickleFragment.parse(body)) {
            case TrickleFragment.Rejected r -> {
                rejected++;
                Refusals.assertOneLine(r.reason());
                Matcher m = LINE.matcher(r.reason());
                if (m.find()) {
                    int line = Integer.parseInt(m.group(1));
                    assertTrue(line >= 1 && line <= Refusals.countLines(body) + 1, r.reason());
                }
            }
            case TrickleFragment.Parsed p -> {
                parsed++;
                checkParsed(p.fragment());
            }
        }
    }

    private static void checkParsed(TrickleFragment f) {
        TrickleLimits limits = TrickleLimits.DEFAULT;
        assertTrue(f.candidates().size() <= limits.maxCandidates());
        assertTrue(f.media().size() <= limits.maxMediaSections());
        f.credentials().ifPresent(c -> {
            assertEquals("", IceCredentials.ufragProblem(c.ufrag()));
            assertEquals("", IceCredentials.pwdProblem(c.pwd()));
        });
        Set<String> mids = new HashSet<>();
        for (TrickleFragment.MediaSection m : f.media()) {
            assertFalse(m.media().isEmpty());
            assertTrue(m.mid().isEmpty() || mids.add(m.mid()), () -> "mid " + m.mid() + " twice in " + f);
        }
        for (TrickleFragment.Candidate c : f.candidates()) {
            IceCandidate candidate = c.candidate();
            String written = candidate.write();
            assertTrue(written.length() <= IceCandidate.MAX_LENGTH);
            assertNotNull(candidate.addressKind());
            assertEquals(new IceCandidate.Parsed(candidate), IceCandidate.parse(written), written);
        }
        String canonical = canonical(f);
        if (canonical.isEmpty()) {
            // Only attributes the parser ignores: nothing to say, which is still a valid fragment.
            assertEquals(new TrickleFragment(java.util.Optional.empty(), false, List.of(), List.of(), List.of(), false), f);
            return;
        }
        TrickleFragment again = switch (TrickleFragment.parse(canonical.getBytes(StandardCharsets.UTF_8))) {
            case TrickleFragment.Parsed p -> p.fragment();
            case TrickleFragment.Rejected r -> throw new AssertionError("canonical form refused: " + r.reason() + "\n" + canonical);
        };
        assertEquals(f.credentials(), again.credentials());
        assertEquals(f.iceLite(), again.iceLite());
        assertEquals(f.iceOptions(), again.iceOptions());
        assertEquals(f.media(), again.media());
        assertEquals(f.endOfCandidates(), again.endOfCandidates());
        assertEquals(sorted(f), sorted(again), canonical);
        assertEquals(canonical, canonical(again));
    }

    /**
     * The fragment as canonical text: session attributes, then the candidates no m-section claims (those of an
     * empty mid first, then each other mid after its session-level a=mid), then each m-section with its own.
     * LF line ends and the shortest m= line, so the canonical form is never larger than the body it came from.
     */
    static String canonical(TrickleFragment f) {
        StringBuilder sb = new StringBuilder();
        if (f.iceLite()) {
            sb.append("a=ice-lite\n");
        }
        f.credentials().ifPresent(c -> sb.append("a=ice-ufrag:").append(c.ufrag()).append("\na=ice-pwd:")
                .append(c.pwd()).append("\n"));
        appendIceOptions(sb, f.iceOptions());
        if (f.endOfCandidates()) {
            sb.append("a=end-of-candidates\n");
        }
        Set<String> sectionMids = new HashSet<>();
        f.media().forEach(m -> sectionMids.add(m.mid()));
        List<String> orphanMids = new ArrayList<>();
        for (TrickleFragment.Candidate c : f.candidates()) {
            if (c.mid().isEmpty() || !sectionMids.contains(c.mid())) {
                if (c.mid().isEmpty()) {
                    sb.append("a=candidate:").append(c.candidate().write()).append("\n");
                } else if (!orphanMids.contains(c.mid())) {
                    orphanMids.add(c.mid());
                }
            }
        }
        for (String mid : orphanMids) {
            sb.append("a=mid:").append(mid).append("\n");
            for (TrickleFragment.Candidate c : f.candidates()) {
                if (c.mid().equals(mid)) {
                    sb.append("a=candidate:").append(c.candidate().write()).append("\n");
                }
            }
        }
        for (TrickleFragment.MediaSection m : f.media()) {
            sb.append("m=").append(m.media()).append(" 9 R 0\n");
            if (!m.mid().isEmpty()) {
                sb.append("a=mid:").append(m.mid()).append("\n");
                for (TrickleFragment.Candidate c : f.candidates()) {
                    if (c.mid().equals(m.mid())) {
                        sb.append("a=candidate:").append(c.candidate().write()).append("\n");
                    }
                }
            }
            if (m.endOfCandidates()) {
                sb.append("a=end-of-candidates\n");
            }
        }
        return sb.toString();
    }

    /** Tags on as few lines as fit the line limit; a body may spread them over many a=ice-options lines. */
    private static void appendIceOptions(StringBuilder sb, List<String> tags) {
        StringBuilder line = new StringBuilder();
        for (String tag : tags) {
            if (!line.isEmpty() && line.length() + 1 + tag.length() > TrickleLimits.DEFAULT.maxLineLength()) {
                sb.append(line).append("\n");
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "a=ice-options:" : " ").append(tag);
        }
        if (!line.isEmpty()) {
            sb.append(line).append("\n");
        }
    }

    private static List<String> sorted(TrickleFragment f) {
        return f.candidates().stream().map(c -> c.mid() + "|" + c.candidate().write()).sorted().toList();
    }
}
