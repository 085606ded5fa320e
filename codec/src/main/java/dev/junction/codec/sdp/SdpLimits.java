package dev.junction.codec.sdp;

/**
 * Bounds on the work {@link SdpParser} does for one description; input beyond any of them is rejected before it
 * costs more. The defaults fit real browser offers with room to spare: a Chromium offer with every codec is
 * about 6 KiB, 260 lines and 2 m-sections; its longest line is under 200 characters.
 *
 * @param maxBytes         largest accepted description, in UTF-8 bytes (for text input, in chars)
 * @param maxLines         most lines, counting blank ones
 * @param maxLineLength    longest line in chars, without its line ending
 * @param maxMediaSections most m= sections
 */
public record SdpLimits(int maxBytes, int maxLines, int maxLineLength, int maxMediaSections) {

    /** 256 KiB, 16384 lines, 4096 chars per line, 64 m-sections. */
    public static final SdpLimits DEFAULT = new SdpLimits(256 * 1024, 16384, 4096, 64);

    public SdpLimits {
        if (maxBytes < 1 || maxLines < 1 || maxLineLength < 1 || maxMediaSections < 0) {
            throw new IllegalArgumentException("SDP limits must be positive: " + maxBytes + ", " + maxLines + ", "
                    + maxLineLength + ", " + maxMediaSections);
        }
    }
}
