package dev.junction.codec.sdp.jsep;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A codec both sides use in one m-section, with the offerer's payload type numbers (the answer keeps them,
 * RFC 8829 §5.3.1).
 *
 * @param payloadType    the payload type
 * @param name           the encoding name as the offer wrote it ({@code opus}, {@code VP8}, {@code H264}, ...)
 * @param clockRate      the RTP clock rate
 * @param channels       audio channels, 1 for video
 * @param fmtp           the offer's fmtp parameters for this payload type as written, or empty
 * @param fmtpParameters the same parameters as a map, keys lower-cased
 * @param rtxPayloadType the RTX payload type whose {@code apt} is this one (RFC 4588 §8.6), if kept
 * @param rtcpFeedback   the feedback both sides support for this payload type
 */
public record NegotiatedCodec(int payloadType, String name, int clockRate, int channels, String fmtp,
        Map<String, String> fmtpParameters, OptionalInt rtxPayloadType, List<RtcpFeedback> rtcpFeedback) {

    public NegotiatedCodec {
        fmtpParameters = Map.copyOf(fmtpParameters);
        rtcpFeedback = List.copyOf(rtcpFeedback);
    }

    /** Whether this codec is {@code encodingName}, ignoring case (RFC 4855 §3). */
    public boolean is(String encodingName) {
        return name.equalsIgnoreCase(encodingName);
    }

    /** The encoding name in lower case, for map keys and metrics labels. */
    public String lowerCaseName() {
        return name.toLowerCase(Locale.ROOT);
    }

    public boolean supports(RtcpFeedback feedback) {
        return rtcpFeedback.contains(feedback);
    }
}
