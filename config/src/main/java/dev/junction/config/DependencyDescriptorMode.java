package dev.junction.config;

import java.util.Locale;

/**
 * When Junction negotiates the dependency descriptor header extension (AV1 RTP specification, appendix A;
 * {@code media.dependency-descriptor}), through which it reads VP9 and AV1 publishers' temporal layers (issue 11).
 */
public enum DependencyDescriptorMode {
    /** Declined on both legs: only VP8's temporal layers (from its payload descriptor) are forwarded per subscriber. */
    OFF,
    /**
     * Answered to a publisher whose m-section's first codec (the one it sends) is VP9 or AV1, whose layers are read
     * nowhere else, and declined for VP8 and H.264 (a Chromium VP8 publisher with the descriptor moves its picture ids
     * and temporal layers into it, and viewers that do not read it lose them); answered to every subscriber that offers
     * it.
     */
    AUTO,
    /** Answered on both legs whatever the codec: VP8's temporal layers then come from the descriptor too. */
    ON;

    /** The configuration spelling. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
