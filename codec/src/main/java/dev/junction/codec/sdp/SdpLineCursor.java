package dev.junction.codec.sdp;

/**
 * Walks SDP text line by line, shared by {@link SdpParser} and the trickle-ice-sdpfrag parser in
 * {@code dev.junction.codec.sdp.jsep}. LF ends a line, and a CR that ends a line (before its LF, or at the end of
 * the text) is dropped, so CRLF and LF-only input read the same (RFC 8866 §5 asks parsers to be lenient about line
 * endings). Empty lines are reported too, and counted, so that line numbers match what the sender sees.
 *
 * <p>One instance per parse, confined to the parsing thread. Holds the text, never copies it: a line is the range
 * {@link #start()} to {@link #end()}.
 */
public final class SdpLineCursor {
    // Passed by argument.
    private final String text;

    // The current line, and where the next one starts.
    private int start;
    private int end;
    private int lineNumber;
    private int next;

    public SdpLineCursor(String text) {
        this.text = text;
    }

    /** Moves to the next line; false, with the position unchanged, once the text is used up. */
    public boolean advance() {
        int n = text.length();
        if (next >= n) {
            return false;
        }
        int lf = text.indexOf('\n', next);
        int lineEnd = lf < 0 ? n : lf;
        start = next;
        end = lineEnd > start && text.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
        lineNumber++;
        next = lf < 0 ? n : lf + 1;
        return true;
    }

    /** The current line's number, from 1; after the end, the last line's; 0 before the first. */
    public int lineNumber() {
        return lineNumber;
    }

    /** Where the current line starts in the text. */
    public int start() {
        return start;
    }

    /** Where the current line's content ends in the text: before its CR LF, LF or the end of the text. */
    public int end() {
        return end;
    }

    /** Whether the current line has no content. */
    public boolean isEmpty() {
        return end == start;
    }

    /**
     * Why the current line is past the limits, or the empty string: more than {@code maxLines} lines so far, or
     * more than {@code maxLineLength} characters of content. Checked before the line is parsed, so the work stays
     * bounded.
     */
    public String limitProblem(int maxLines, int maxLineLength) {
        if (lineNumber > maxLines) {
            return "more than " + maxLines + " lines";
        }
        if (end - start > maxLineLength) {
            return "line is " + (end - start) + " characters, more than the limit of " + maxLineLength;
        }
        return "";
    }
}
