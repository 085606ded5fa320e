package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.SdpLineCursor;
import dev.junction.codec.sdp.SdpTokens;
import dev.junction.codec.sdp.SdpUtf8;
import dev.junction.codec.sdp.jsep.TrickleFragment.Parsed;
import dev.junction.codec.sdp.jsep.TrickleFragment.Rejected;
import dev.junction.codec.sdp.jsep.TrickleFragment.Result;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parser behind {@link TrickleFragment#parse}: checks the body against {@link TrickleLimits}, decodes it as
 * strict UTF-8, then reads it line by line into the fragment or the first reason to refuse it. A new instance per
 * body holds the state of one parse; confined to the calling thread.
 */
final class TrickleFragmentParser {
    /** A mid also travels in RTP's sdes:mid header extension (RFC 8843), 16 bytes at most there; this leaves room. */
    private static final int MAX_MID_LENGTH = 64;
    /**
     * Attributes that describe media or DTLS: a full offer's, never a fragment's (RFC 8840 §9.2 lists the ICE
     * attributes only). A body carrying them is an offer sent to the wrong place, so it is refused, where an
     * unknown attribute is ignored.
     */
    private static final Set<String> OFFER_ATTRIBUTES = Set.of("rtpmap", "fmtp", "rtcp-fb", "extmap",
            "extmap-allow-mixed", "ssrc", "ssrc-group", "msid", "msid-semantic", "rid", "simulcast", "fingerprint",
            "setup", "tls-id", "identity", "crypto", "sendrecv", "sendonly", "recvonly", "inactive", "rtcp", "rtcp-mux",
            "rtcp-mux-only", "rtcp-rsize", "bundle-only", "sctp-port", "max-message-size", "sctpmap");

    // Passed by argument.
    private final TrickleLimits limits;

    // Allocated by this, for one parse.
    private final List<Section> sections = new ArrayList<>(4);
    private final Map<String, Integer> midLines = new HashMap<>();
    private final List<Pending> candidates = new ArrayList<>(8);
    private final Set<String> iceOptions = new LinkedHashSet<>();
    private Section section;
    private String sessionMid = "";
    private boolean iceLite;
    private boolean endOfCandidates;
    private String ufrag;
    private int ufragLine;
    private String pwd;
    private int pwdLine;

    TrickleFragmentParser(TrickleLimits limits) {
        this.limits = limits;
    }

    /** One m= line while its section is read; {@code mid} is null until its a=mid. */
    private static final class Section {
        final String media;
        String mid;
        int midLine;
        boolean endOfCandidates;

        Section(String media) {
            this.media = media;
        }
    }

    /** A candidate whose mid is known once its section ends (a=mid may follow the candidates). */
    private record Pending(Section section, String sessionMid, IceCandidate candidate) {
    }

    /** Why the body is refused; carries no stack trace, it is control flow within this class. */
    private static final class Refusal extends RuntimeException {
        final int lineNumber;

        Refusal(int lineNumber, String reason) {
            super(reason, null, false, false);
            this.lineNumber = lineNumber;
        }
    }

    Result parse(byte[] body) {
        if (body.length == 0) {
            return reject(0, "the body is empty; a trickle-ice-sdpfrag carries a= lines (RFC 8840 §9.2)");
        }
        if (body.length > limits.maxBytes()) {
            return reject(0, "the body is " + body.length + " bytes, more than the limit of " + limits.maxBytes());
        }
        try {
            String text = decode(body);
            SdpLineCursor lines = new SdpLineCursor(text);
            boolean sawLine = false;
            while (lines.advance()) {
                String problem = lines.limitProblem(limits.maxLines(), limits.maxLineLength());
                if (!problem.isEmpty()) {
                    throw new Refusal(lines.lineNumber(), problem);
                }
                if (!lines.isEmpty()) {
                    sawLine = true;
                    add(lines.lineNumber(), text.substring(lines.start(), lines.end()));
                }
            }
            if (!sawLine) {
                return reject(0, "the body has only blank lines; a trickle-ice-sdpfrag carries a= lines (RFC 8840 §9.2)");
            }
            return new Parsed(build());
        } catch (Refusal r) {
            return reject(r.lineNumber, r.getMessage());
        }
    }

    private static String decode(byte[] body) {
        return switch (SdpUtf8.decode(body)) {
            case SdpUtf8.Decoded d -> d.text();
            case SdpUtf8.Malformed m -> throw new Refusal(m.lineNumber(), "byte " + m.byteIndex()
                    + " is not valid UTF-8; a trickle-ice-sdpfrag is SDP text (RFC 8866 §5)");
        };
    }

    private void add(int lineNumber, String line) {
        int control = IceSyntax.controlCharacter(line);
        if (control >= 0) {
            throw new Refusal(lineNumber, String.format("control character 0x%02X at column %d; a trickle-ice-sdpfrag "
                    + "is SDP text (RFC 8866 §5)", (int) line.charAt(control), control + 1));
        }
        if (line.length() < 2 || line.charAt(1) != '=') {
            throw new Refusal(lineNumber, "expected <type>=<value>, found " + SdpTokens.quote(line));
        }
        char type = line.charAt(0);
        String value = line.substring(2);
        switch (type) {
            case 'a' -> attribute(lineNumber, value);
            case 'm' -> mediaLine(lineNumber, value);
            case 'v' -> throw new Refusal(lineNumber, "'v=' starts a full SDP; a trickle-ice-sdpfrag carries only a= "
                    + "and m= lines (RFC 8840 §9.2)");
            default -> {
                if (type < 'a' || type > 'z') {
                    throw new Refusal(lineNumber, "line type " + SdpTokens.quote(String.valueOf(type))
                            + " is not a lower-case letter (RFC 8866 §5)");
                }
                throw new Refusal(lineNumber, "'" + type + "=' lines are not allowed; a trickle-ice-sdpfrag carries only "
                        + "a= and m= lines (RFC 8840 §9.2)");
            }
        }
    }

    /** {@code m=<media> <port>[/<count>] <proto> <fmt> ...} (RFC 8866 §5.14); only the media token is kept. */
    private void mediaLine(int lineNumber, String value) {
        if (sections.size() >= limits.maxMediaSections()) {
            throw new Refusal(lineNumber, "more than " + limits.maxMediaSections() + " m= lines");
        }
        List<String> t = SdpTokens.split(value);
        if (t.size() < 4) {
            throw new Refusal(lineNumber, "m= needs <media> <port> <proto> <fmt> (RFC 8866 §5.14), found " + t.size()
                    + " fields");
        }
        if (!SdpTokens.isToken(t.get(0))) {
            throw new Refusal(lineNumber, "m= media " + SdpTokens.quote(t.get(0)) + " is not a token (RFC 8866 §5.14)");
        }
        String port = t.get(1);
        int slash = port.indexOf('/');
        boolean portOk = IceSyntax.number(slash < 0 ? port : port.substring(0, slash), 5, 65535) >= 0
                && (slash < 0 || IceSyntax.number(port.substring(slash + 1), 5, 65535) >= 1);
        if (!portOk) {
            throw new Refusal(lineNumber, "m= port " + SdpTokens.quote(port) + " is not <port>[/<count>] in 0-65535");
        }
        section = new Section(t.get(0));
        sections.add(section);
    }

    private void attribute(int lineNumber, String value) {
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        String v = colon < 0 ? "" : value.substring(colon + 1);
        if (name.isEmpty()) {
            throw new Refusal(lineNumber, "a= has no attribute name");
        }
        if (!SdpTokens.isToken(name)) {
            throw new Refusal(lineNumber, "attribute name " + SdpTokens.quote(name) + " is not a token (RFC 8866 §5.13)");
        }
        switch (name) {
            case "candidate" -> candidate(lineNumber, v);
            case "ice-ufrag" -> ufrag(lineNumber, v);
            case "ice-pwd" -> pwd(lineNumber, v);
            case "ice-options" -> iceOptions(lineNumber, v);
            case "mid" -> mid(lineNumber, v);
            case "end-of-candidates" -> {
                if (section == null) {
                    endOfCandidates = true;
                } else {
                    section.endOfCandidates = true;
                }
            }
            case "ice-lite" -> {
                if (section != null) {
                    throw new Refusal(lineNumber, "a=ice-lite is a session-level attribute (RFC 8839 §5.3), found in "
                            + "an m-section");
                }
                iceLite = true;
            }
            case "group" -> {
                if (section != null) {
                    throw new Refusal(lineNumber, "a=group is a session-level attribute (RFC 5888 §5), found in an "
                            + "m-section");
                }
            }
            default -> {
                if (OFFER_ATTRIBUTES.contains(name)) {
                    throw new Refusal(lineNumber, "a=" + name + " belongs in an SDP offer or answer; a trickle-ice-sdpfrag "
                            + "carries ICE attributes only (RFC 8840 §9.2)");
                }
                // RFC 8840 §9.2 allows extension attributes: ice-pacing, remote-candidates, and ones yet to come.
            }
        }
    }

    private void candidate(int lineNumber, String value) {
        if (candidates.size() >= limits.maxCandidates()) {
            throw new Refusal(lineNumber, "more than " + limits.maxCandidates() + " a=candidate lines");
        }
        switch (IceCandidate.parse(value)) {
            case IceCandidate.Parsed p -> candidates.add(new Pending(section, sessionMid, p.candidate()));
            case IceCandidate.Rejected r -> throw new Refusal(lineNumber, r.reason());
        }
    }

    private void ufrag(int lineNumber, String value) {
        String problem = IceCredentials.ufragProblem(value);
        if (!problem.isEmpty()) {
            throw new Refusal(lineNumber, problem);
        }
        if (ufrag == null) {
            ufrag = value;
            ufragLine = lineNumber;
        } else if (!ufrag.equals(value)) {
            throw new Refusal(lineNumber, "a=ice-ufrag:" + SdpTokens.quote(value) + " differs from a=ice-ufrag:"
                    + SdpTokens.quote(ufrag) + " on line " + ufragLine + "; the fragment is for one ICE transport (BUNDLE)");
        }
    }

    private void pwd(int lineNumber, String value) {
        String problem = IceCredentials.pwdProblem(value);
        if (!problem.isEmpty()) {
            throw new Refusal(lineNumber, problem);
        }
        if (pwd == null) {
            pwd = value;
            pwdLine = lineNumber;
        } else if (!pwd.equals(value)) {
            // The password keys STUN message integrity: the reason names the lines, not the values.
            throw new Refusal(lineNumber, "a=ice-pwd differs from the a=ice-pwd on line " + pwdLine
                    + "; the fragment is for one ICE transport (BUNDLE)");
        }
    }

    /** {@code ice-options = ice-option-tag *(SP ice-option-tag)}, {@code ice-option-tag = 1*ice-char} (RFC 8839 §5.6). */
    private void iceOptions(int lineNumber, String value) {
        List<String> tags = SdpTokens.split(value);
        if (tags.isEmpty()) {
            throw new Refusal(lineNumber, "a=ice-options needs at least one option tag (RFC 8839 §5.6)");
        }
        for (String tag : tags) {
            if (!IceSyntax.isIceChars(tag, 1, 256)) {
                throw new Refusal(lineNumber, "a=ice-options tag " + SdpTokens.quote(tag)
                        + " is not 1-256 ice-chars A-Z a-z 0-9 + / (RFC 8839 §5.6)");
            }
            iceOptions.add(tag);
        }
    }

    /**
     * In an m-section, its identification tag (RFC 5888 §4), once. Before any m= line, the mid of the candidates
     * that follow: what clients write when they trickle one RTCIceCandidate with its sdpMid and no m= line.
     */
    private void mid(int lineNumber, String value) {
        if (!SdpTokens.isToken(value) || value.length() > MAX_MID_LENGTH) {
            throw new Refusal(lineNumber, "a=mid " + SdpTokens.quote(value) + " is not a token of 1-" + MAX_MID_LENGTH
                    + " characters (RFC 5888 §4)");
        }
        if (section == null) {
            sessionMid = value;
            return;
        }
        if (section.mid != null) {
            throw new Refusal(lineNumber, "a second a=mid in one m-section (first on line " + section.midLine + ")");
        }
        Integer other = midLines.putIfAbsent(value, lineNumber);
        if (other != null) {
            throw new Refusal(lineNumber, "a=mid:" + value + " is already the mid of another m-section (line " + other + ")");
        }
        section.mid = value;
        section.midLine = lineNumber;
    }

    private TrickleFragment build() {
        if (ufrag != null && pwd == null) {
            throw new Refusal(ufragLine, "a=ice-ufrag without a=ice-pwd; ICE credentials come in pairs (RFC 8839 §5.4)");
        }
        if (pwd != null && ufrag == null) {
            throw new Refusal(pwdLine, "a=ice-pwd without a=ice-ufrag; ICE credentials come in pairs (RFC 8839 §5.4)");
        }
        List<TrickleFragment.MediaSection> media = new ArrayList<>(sections.size());
        for (Section s : sections) {
            media.add(new TrickleFragment.MediaSection(s.media, s.mid == null ? "" : s.mid, s.endOfCandidates));
        }
        List<TrickleFragment.Candidate> result = new ArrayList<>(candidates.size());
        for (Pending p : candidates) {
            String mid = p.section() == null ? p.sessionMid() : p.section().mid == null ? "" : p.section().mid;
            result.add(new TrickleFragment.Candidate(mid, p.candidate()));
        }
        Optional<IceCredentials> credentials = ufrag == null ? Optional.empty() : Optional.of(new IceCredentials(ufrag, pwd));
        return new TrickleFragment(credentials, iceLite, List.copyOf(iceOptions), media, result, endOfCandidates);
    }

    private static Result reject(int lineNumber, String reason) {
        return new Rejected(lineNumber > 0 ? "line " + lineNumber + ": " + reason : reason);
    }
}
