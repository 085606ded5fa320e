package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A codec Junction accepts, and how it is matched against an offered {@code a=rtpmap}/{@code a=fmtp} pair.
 *
 * <p>Matching: the encoding name ignoring case (RFC 4855 §3), the clock rate, for audio the channel count, and
 * for a few codecs the fmtp parameters that must agree (the rest is the offerer's business and is echoed back):
 * <ul>
 *   <li>H.264: the profile of {@code profile-level-id} ({@link H264ProfileLevelId}; the level is negotiable,
 *       RFC 6184 §8.2.2) and {@code packetization-mode} exactly (default 0, RFC 6184 §8.1);</li>
 *   <li>VP9: {@code profile-id} (draft-ietf-payload-vp9 §6, default 0);</li>
 *   <li>AV1: {@code profile} (AV1 RTP specification §7.2, default 0).</li>
 * </ul>
 * Auxiliary formats ({@code red}, {@code ulpfec}, {@code flexfec-03}, {@code CN}, {@code telephone-event}) are
 * kept only beside a kept media codec they can serve; a {@code clockRate} of 0 means "the rate of that codec".
 *
 * @param kind         the m-section kind the codec belongs to
 * @param name         the encoding name as written in rtpmap, e.g. {@code opus}, {@code H264}
 * @param clockRate    the RTP clock rate, or 0 for "any" (auxiliary formats only)
 * @param channels     audio channels (Opus is always 2, RFC 7587 §7); 1 for video
 * @param parameters   fmtp parameters that decide the match (lower-case keys), see above
 * @param rtcpFeedback the feedback Junction supports for this codec; the answer keeps what both sides list
 * @param rtx          whether an offered RTX format for this codec (RFC 4588, mapped by {@code apt}) is kept
 */
public record CodecCapability(MediaKind kind, String name, int clockRate, int channels, Map<String, String> parameters,
        Set<RtcpFeedback> rtcpFeedback, boolean rtx) {

    /** Video feedback Junction handles: NACK from the RTX cache, PLI/FIR forwarded upstream, REMB and TWCC. */
    public static final Set<RtcpFeedback> VIDEO_FEEDBACK = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            RtcpFeedback.GOOG_REMB, RtcpFeedback.TRANSPORT_CC, RtcpFeedback.CCM_FIR, RtcpFeedback.NACK,
            RtcpFeedback.NACK_PLI)));
    /** Audio feedback: transport-wide CC, and NACK where an offer asks for it. */
    public static final Set<RtcpFeedback> AUDIO_FEEDBACK = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            RtcpFeedback.TRANSPORT_CC, RtcpFeedback.NACK)));

    private static final Set<String> AUXILIARY = Set.of("red", "ulpfec", "flexfec-03", "cn", "telephone-event", "rtx");

    public CodecCapability {
        Objects.requireNonNull(kind, "kind");
        if (name.isBlank() || clockRate < 0 || channels < 1) {
            throw new IllegalArgumentException("codec capability needs a name, a clock rate >= 0 and channels >= 1: "
                    + name + "/" + clockRate + "/" + channels);
        }
        Map<String, String> lower = new LinkedHashMap<>();
        parameters.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        parameters = Collections.unmodifiableMap(lower);
        rtcpFeedback = Collections.unmodifiableSet(new LinkedHashSet<>(rtcpFeedback));
    }

    /** Opus, 48 kHz, stereo signalling (RFC 7587 §7). */
    public static CodecCapability opus() {
        return new CodecCapability(MediaKind.AUDIO, "opus", 48000, 2, Map.of(), AUDIO_FEEDBACK, false);
    }

    /** VP8 (RFC 7741). */
    public static CodecCapability vp8() {
        return new CodecCapability(MediaKind.VIDEO, "VP8", 90000, 1, Map.of(), VIDEO_FEEDBACK, true);
    }

    /** VP9 with the given {@code profile-id} (0: 8-bit 4:2:0, 2: 10-bit). */
    public static CodecCapability vp9(int profileId) {
        return new CodecCapability(MediaKind.VIDEO, "VP9", 90000, 1, Map.of("profile-id", Integer.toString(profileId)),
                VIDEO_FEEDBACK, true);
    }

    /**
     * H.264 with the profile of {@code profileLevelId} (e.g. {@code 42e01f}, Constrained Baseline) and the given
     * packetization mode (0 single NAL unit, 1 non-interleaved).
     */
    public static CodecCapability h264(String profileLevelId, int packetizationMode) {
        if (H264ProfileLevelId.parse(profileLevelId).isEmpty() || packetizationMode < 0 || packetizationMode > 2) {
            throw new IllegalArgumentException("not an H.264 profile-level-id/packetization-mode: " + profileLevelId
                    + "/" + packetizationMode);
        }
        return new CodecCapability(MediaKind.VIDEO, "H264", 90000, 1, Map.of("profile-level-id", profileLevelId,
                "packetization-mode", Integer.toString(packetizationMode)), VIDEO_FEEDBACK, true);
    }

    /** AV1 with the given {@code profile} (0 Main). */
    public static CodecCapability av1(int profile) {
        return new CodecCapability(MediaKind.VIDEO, "AV1", 90000, 1, Map.of("profile", Integer.toString(profile)),
                VIDEO_FEEDBACK, true);
    }

    /**
     * DTMF events (RFC 4733) beside an audio codec of the same clock rate. Not in the defaults: Junction does
     * not consume DTMF, and a browser publisher only sends it when a page calls {@code insertDTMF}.
     */
    public static CodecCapability telephoneEvent() {
        return new CodecCapability(MediaKind.AUDIO, "telephone-event", 0, 1, Map.of(), Set.of(), false);
    }

    /** RED redundancy (RFC 2198) for {@code kind}: audio RED over Opus, or video RED carrying ULPFEC. */
    public static CodecCapability red(MediaKind kind) {
        return new CodecCapability(kind, "red", 0, kind == MediaKind.AUDIO ? 2 : 1, Map.of(), Set.of(),
                kind == MediaKind.VIDEO);
    }

    /** Whether this is a helper format rather than a media codec. */
    public boolean isAuxiliary() {
        return isAuxiliary(name);
    }

    static boolean isAuxiliary(String encodingName) {
        return AUXILIARY.contains(encodingName.toLowerCase(Locale.ROOT));
    }

    /** {@code name/clockRate[/channels]} for messages. */
    public String describe() {
        String base = name + '/' + (clockRate == 0 ? "*" : Integer.toString(clockRate));
        return kind == MediaKind.AUDIO && channels > 1 ? base + '/' + channels : base;
    }
}
