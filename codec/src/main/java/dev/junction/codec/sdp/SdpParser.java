package dev.junction.codec.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses SDP text (RFC 8866) into a {@link SessionDescription} that keeps every line, so that writing it back
 * reproduces a CRLF input byte for byte. LF-only input is accepted too (RFC 8866 §5 asks parsers to be lenient
 * about line endings); empty lines are skipped.
 *
 * <p>Never throws on bad input: the result is {@link SdpParseResult.Failed} with the line number and what is
 * wrong. What is checked:
 * <ul>
 *   <li>size, line count, line length and m-section count against {@link SdpLimits}, before the work grows;</li>
 *   <li>UTF-8 (RFC 8866 §5) and no control characters other than tab;</li>
 *   <li>structure: {@code v=0} first, one {@code o=}, known type letters, session-only types not inside media
 *       sections (RFC 8866 §5);</li>
 *   <li>the syntax of every line Junction interprets ({@code o=}, {@code c=}, {@code m=}, and the attributes of
 *       {@link SdpAttribute}); per section, no payload type with two rtpmap or fmtp lines and at most one mid.</li>
 * </ul>
 * Everything else (unknown attributes, {@code b=}, {@code t=} values) is kept as written without judgement.
 *
 * <p>Stateless and thread-safe; one instance serves every request. Runs on the caller's thread (the HTTP
 * control plane), never on a media event loop.
 */
public final class SdpParser {
    /** A parser with {@link SdpLimits#DEFAULT}. */
    public static final SdpParser DEFAULT = new SdpParser(SdpLimits.DEFAULT);

    /** Line types RFC 8866 §5 allows before the first m= line. */
    private static final String SESSION_TYPES = "vosiuepcbtrzka";
    /** Line types RFC 8866 §5 allows inside a media section. */
    private static final String MEDIA_TYPES = "icbka";

    private final SdpLimits limits;

    public SdpParser(SdpLimits limits) {
        this.limits = limits;
    }

    public SdpLimits limits() {
        return limits;
    }

    /** Parses UTF-8 bytes, e.g. an HTTP request body. */
    public SdpParseResult parse(byte[] utf8) {
        if (utf8.length > limits.maxBytes()) {
            return fail(0, "SDP is " + utf8.length + " bytes, more than the limit of " + limits.maxBytes());
        }
        return switch (SdpUtf8.decode(utf8)) {
            case SdpUtf8.Decoded d -> parse(d.text());
            case SdpUtf8.Malformed m -> fail(m.lineNumber(), "byte " + m.byteIndex() + " is not valid UTF-8 (RFC 8866 §5)");
        };
    }

    /** Parses text; its length in chars is held against {@link SdpLimits#maxBytes()}. */
    public SdpParseResult parse(CharSequence sdp) {
        String text = sdp.toString();
        if (text.length() > limits.maxBytes()) {
            return fail(0, "SDP is " + text.length() + " characters, more than the limit of " + limits.maxBytes());
        }
        if (text.isEmpty()) {
            return fail(0, "SDP is empty");
        }
        Builder builder = new Builder();
        SdpLineCursor lines = new SdpLineCursor(text);
        while (lines.advance()) {
            String problem = lines.limitProblem(limits.maxLines(), limits.maxLineLength());
            if (!problem.isEmpty()) {
                return fail(lines.lineNumber(), problem);
            }
            if (!lines.isEmpty()) {
                try {
                    builder.add(lines.lineNumber(), text, lines.start(), lines.end());
                } catch (SdpSyntaxException e) {
                    return fail(lines.lineNumber(), e.getMessage());
                }
            }
        }
        if (builder.sessionLines.isEmpty()) {
            return fail(0, "SDP has no lines");
        }
        if (!builder.sawOrigin) {
            return fail(lines.lineNumber(), "no o= line before the first m= line (RFC 8866 §5.2)");
        }
        return new SdpParseResult.Parsed(builder.build());
    }

    private static SdpParseResult fail(int line, String reason) {
        return new SdpParseResult.Failed(new SdpParseError(line, reason));
    }

    /** Per-parse state: the lines collected so far and the per-section duplicate checks. */
    private final class Builder {
        final List<SdpLine> sessionLines = new ArrayList<>(16);
        final List<MediaDescription> media = new ArrayList<>(4);
        List<SdpLine> section;
        boolean sawOrigin;
        boolean sawName;
        final int[] rtpmapLine = new int[128];
        final int[] fmtpLine = new int[128];
        int midLine;

        /** Adds the line {@code text[start, end)}, without its line ending. */
        void add(int lineNumber, String text, int start, int end) {
            for (int i = start; i < end; i++) {
                char c = text.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    throw new SdpSyntaxException(String.format("control character 0x%02X at column %d", (int) c, i - start + 1));
                }
            }
            if (end - start < 2 || text.charAt(start + 1) != '=') {
                throw new SdpSyntaxException("expected <type>=<value>, found " + SdpTokens.quote(text.substring(start, end)));
            }
            char type = text.charAt(start);
            String value = text.substring(start + 2, end);
            if (sessionLines.isEmpty()) {
                if (type != 'v') {
                    throw new SdpSyntaxException("the first line must be v=0 (RFC 8866 §5.1), found "
                            + SdpTokens.quote(text.substring(start, end)));
                }
                if (!"0".equals(value)) {
                    throw new SdpSyntaxException("v= version " + SdpTokens.quote(value) + " is not 0 (RFC 8866 §5.1)");
                }
                sessionLines.add(SdpLine.opaque('v', value));
                return;
            }
            if (type < 'a' || type > 'z') {
                throw new SdpSyntaxException("line type " + SdpTokens.quote(String.valueOf(type))
                        + " is not a lower-case letter (RFC 8866 §5)");
            }
            if (type == 'm') {
                startSection(value);
                return;
            }
            if (section == null) {
                addSessionLine(type, value);
            } else {
                addMediaLine(lineNumber, type, value);
            }
        }

        private void addSessionLine(char type, String value) {
            if (SESSION_TYPES.indexOf(type) < 0) {
                throw new SdpSyntaxException("unknown line type '" + type + "=' (RFC 8866 §5)");
            }
            switch (type) {
                case 'v' -> throw new SdpSyntaxException("a second v= line");
                case 'o' -> {
                    if (sawOrigin) {
                        throw new SdpSyntaxException("a second o= line");
                    }
                    sawOrigin = true;
                }
                case 's' -> {
                    if (sawName) {
                        throw new SdpSyntaxException("a second s= line");
                    }
                    sawName = true;
                }
                default -> {
                    // Other session-level lines may repeat.
                }
            }
            SdpField field = SdpFieldParser.parse(type, value);
            sessionLines.add(new SdpLine(type, value, field));
        }

        private void startSection(String value) {
            if (!sawOrigin) {
                throw new SdpSyntaxException("m= line before any o= line (RFC 8866 §5.2)");
            }
            finishSection();
            if (media.size() >= limits.maxMediaSections()) {
                throw new SdpSyntaxException("more than " + limits.maxMediaSections() + " m-sections");
            }
            SdpField.MediaLine m = SdpFieldParser.media(value);
            section = new ArrayList<>(32);
            section.add(new SdpLine('m', value, m));
            java.util.Arrays.fill(rtpmapLine, 0);
            java.util.Arrays.fill(fmtpLine, 0);
            midLine = 0;
        }

        private void addMediaLine(int lineNumber, char type, String value) {
            if (MEDIA_TYPES.indexOf(type) < 0) {
                if (SESSION_TYPES.indexOf(type) >= 0) {
                    throw new SdpSyntaxException("'" + type + "=' is a session-level line and cannot follow an m= line "
                            + "(RFC 8866 §5)");
                }
                throw new SdpSyntaxException("unknown line type '" + type + "=' (RFC 8866 §5)");
            }
            SdpField field = SdpFieldParser.parse(type, value);
            switch (field) {
                case SdpAttribute.Rtpmap r -> rtpmapLine[r.payloadType()] =
                        firstOnly(rtpmapLine[r.payloadType()], lineNumber, "payload type " + r.payloadType() + " has a second a=rtpmap");
                case SdpAttribute.Fmtp f when f.payloadType() >= 0 -> fmtpLine[f.payloadType()] =
                        firstOnly(fmtpLine[f.payloadType()], lineNumber, "payload type " + f.payloadType() + " has a second a=fmtp");
                case SdpAttribute.Mid mid -> midLine = firstOnly(midLine, lineNumber, "a second a=mid in one m-section");
                default -> {
                    // No per-section uniqueness rule.
                }
            }
            section.add(new SdpLine(type, value, field));
        }

        private int firstOnly(int firstLine, int lineNumber, String reason) {
            if (firstLine != 0) {
                throw new SdpSyntaxException(reason + " (first on line " + firstLine + ")");
            }
            return lineNumber;
        }

        private void finishSection() {
            if (section != null) {
                media.add(new MediaDescription(section));
                section = null;
            }
        }

        SessionDescription build() {
            finishSection();
            return new SessionDescription(sessionLines, media);
        }
    }
}
