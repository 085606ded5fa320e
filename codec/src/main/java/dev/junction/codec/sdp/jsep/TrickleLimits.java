package dev.junction.codec.sdp.jsep;

/**
 * Bounds on the work {@link TrickleFragment#parse} does for one PATCH body; input beyond any of them is refused
 * before it costs more. The defaults fit real fragments with room to spare: RFC 9725 §4.3.1's example is about
 * 550 bytes and 10 lines, and a browser gathers a handful of candidates per transport. Immutable; any thread.
 *
 * @param maxBytes         largest accepted body, in UTF-8 bytes
 * @param maxLines         most lines, counting blank ones
 * @param maxLineLength    longest line in chars, without its line ending
 * @param maxMediaSections most m= lines
 * @param maxCandidates    most a=candidate lines
 */
public record TrickleLimits(int maxBytes, int maxLines, int maxLineLength, int maxMediaSections, int maxCandidates) {

    /** 64 KiB, 1024 lines, 4096 chars per line, 64 m-sections, 256 candidates. */
    public static final TrickleLimits DEFAULT = new TrickleLimits(64 * 1024, 1024, 4096, 64, 256);

    public TrickleLimits {
        if (maxBytes < 1 || maxLines < 1 || maxLineLength < 1 || maxMediaSections < 0 || maxCandidates < 0) {
            throw new IllegalArgumentException("trickle limits must be positive: " + maxBytes + ", " + maxLines + ", "
                    + maxLineLength + ", " + maxMediaSections + ", " + maxCandidates);
        }
    }
}
