package dev.junction.codec.sdp.jsep;

import java.util.OptionalLong;

/**
 * What Junction sends in one m-section, announced in the answer as {@code a=msid}, {@code a=ssrc} and, with RTX,
 * {@code a=ssrc-group:FID} (RFC 8830, RFC 5576, RFC 4588 §8.2).
 *
 * @param ssrc     the primary SSRC, an unsigned 32-bit value
 * @param rtxSsrc  the RTX SSRC; dropped from the answer when the m-section negotiated no RTX
 * @param cname    the RTCP CNAME (RFC 7022)
 * @param streamId the msid stream id (RFC 8830 §2)
 * @param trackId  the msid track id
 */
public record SendStream(long ssrc, OptionalLong rtxSsrc, String cname, String streamId, String trackId) {

    public SendStream {
        checkSsrc(ssrc);
        rtxSsrc.ifPresent(SendStream::checkSsrc);
        if (rtxSsrc.isPresent() && rtxSsrc.getAsLong() == ssrc) {
            throw new IllegalArgumentException("RTX SSRC equals the primary SSRC " + ssrc);
        }
        checkToken("cname", cname, 255);
        checkToken("msid stream id", streamId, 64);
        checkToken("msid track id", trackId, 64);
    }

    /** A stream without RTX. */
    public static SendStream of(long ssrc, String cname, String streamId, String trackId) {
        return new SendStream(ssrc, OptionalLong.empty(), cname, streamId, trackId);
    }

    /** A stream with an RTX SSRC. */
    public static SendStream withRtx(long ssrc, long rtxSsrc, String cname, String streamId, String trackId) {
        return new SendStream(ssrc, OptionalLong.of(rtxSsrc), cname, streamId, trackId);
    }

    private static void checkSsrc(long ssrc) {
        if (ssrc < 0 || ssrc > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("SSRC " + ssrc + " is not an unsigned 32-bit value");
        }
    }

    /** RFC 8830 §2: msid-id = 1*64 token-char; a cname goes into {@code a=ssrc:<id> cname:<cname>} the same way. */
    private static void checkToken(String what, String value, int maxLength) {
        if (value.isEmpty() || value.length() > maxLength) {
            throw new IllegalArgumentException(what + " must be 1-" + maxLength + " characters: '" + value + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new IllegalArgumentException(what + " must be printable ASCII without spaces: '" + value + "'");
            }
        }
    }
}
