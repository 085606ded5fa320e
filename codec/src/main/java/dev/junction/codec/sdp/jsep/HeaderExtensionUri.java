package dev.junction.codec.sdp.jsep;

/** The URIs of the RTP header extensions Junction negotiates (RFC 8285), as browsers write them in {@code a=extmap}. */
public final class HeaderExtensionUri {
    /** MID (RFC 8843 §15.1): which m-section a bundled packet belongs to. */
    public static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
    /** RtpStreamId (RFC 8852 §3.1): the simulcast rid of a packet. */
    public static final String RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    /** RepairedRtpStreamId (RFC 8852 §3.2): the rid an RTX packet repairs. */
    public static final String REPAIRED_RID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    /** Absolute send time, 6.18 fixed point seconds (webrtc.org experiment, used by REMB). */
    public static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    /** Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01). */
    public static final String TRANSPORT_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /** Client-to-mixer audio level (RFC 6464). */
    public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    /** Coordination of video orientation (3GPP TS 26.114 §7.4.5). */
    public static final String VIDEO_ORIENTATION = "urn:3gpp:video-orientation";
    /** AV1 dependency descriptor (AV1 RTP specification, appendix A), also used with VP8/VP9 by Chromium. */
    public static final String DEPENDENCY_DESCRIPTOR =
            "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";

    private HeaderExtensionUri() {
    }
}
