package dev.junction.codec.sdp;

/** The {@code <media>} token of an {@code m=} line (RFC 8866 §5.14) as far as WebRTC uses it. */
public enum MediaKind {
    AUDIO("audio"),
    VIDEO("video"),
    /** Data channels: {@code m=application ... UDP/DTLS/SCTP webrtc-datachannel} (RFC 8841). */
    APPLICATION("application"),
    /** Any other media token ({@code text}, {@code message}, ...). */
    OTHER("");

    private final String token;

    MediaKind(String token) {
        this.token = token;
    }

    /** The SDP token, empty for {@link #OTHER}. */
    public String token() {
        return token;
    }

    /** The kind named by an {@code m=} line's media token; media tokens are case-sensitive (RFC 8866 §5.14). */
    public static MediaKind of(String media) {
        return switch (media) {
            case "audio" -> AUDIO;
            case "video" -> VIDEO;
            case "application" -> APPLICATION;
            default -> OTHER;
        };
    }
}
