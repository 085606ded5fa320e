package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaKind;
import java.util.List;

/**
 * What Junction accepts in an offer: codecs in order of preference among equals (the offer's order decides
 * the answer's order) and RTP header extension URIs. Immutable; build once from configuration.
 *
 * @param codecs           media codecs and auxiliary formats
 * @param headerExtensions URIs of header extensions Junction parses or forwards ({@link HeaderExtensionUri})
 */
public record MediaCapabilities(List<CodecCapability> codecs, List<String> headerExtensions) {

    public MediaCapabilities {
        codecs = List.copyOf(codecs);
        headerExtensions = List.copyOf(headerExtensions);
    }

    /**
     * Opus; VP8, VP9 profile 0, H.264 Constrained Baseline with packetization-mode 1 ({@code 42e01f}, which every
     * browser decodes, so any publisher's H.264 can reach any subscriber), AV1 profile 0, each video codec with
     * RTX; and every header extension of {@link HeaderExtensionUri} but the dependency descriptor. RED, FEC, CN and
     * DTMF are left out: Junction forwards none of them.
     *
     * <p>The dependency descriptor is declined unless configured ({@link #withDependencyDescriptor}): where it is
     * negotiated, Chromium leaves the picture id, TL0PICIDX and temporal layer index out of its VP8 payload descriptors
     * (they move into the descriptor extension).
     */
    public static MediaCapabilities defaults() {
        return new MediaCapabilities(
                List.of(CodecCapability.opus(), CodecCapability.vp8(), CodecCapability.vp9(0),
                        CodecCapability.h264("42e01f", 1), CodecCapability.av1(0)),
                List.of(HeaderExtensionUri.MID, HeaderExtensionUri.RID, HeaderExtensionUri.REPAIRED_RID,
                        HeaderExtensionUri.ABS_SEND_TIME, HeaderExtensionUri.TRANSPORT_CC,
                        HeaderExtensionUri.AUDIO_LEVEL, HeaderExtensionUri.VIDEO_ORIENTATION));
    }

    /**
     * The same with the dependency descriptor (AV1 RTP specification, appendix A) among the header extensions: the
     * temporal layers of VP9 and AV1 publishers (and of VP8 ones, which then send them there only) are read from it
     * (issue 11).
     */
    public MediaCapabilities withDependencyDescriptor() {
        if (headerExtensions.contains(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR)) return this;
        List<String> extensions = new java.util.ArrayList<>(headerExtensions);
        extensions.add(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR);
        return new MediaCapabilities(codecs, extensions);
    }

    /** The same header extensions with other codecs. */
    public MediaCapabilities withCodecs(List<CodecCapability> newCodecs) {
        return new MediaCapabilities(newCodecs, headerExtensions);
    }

    /** The same codecs with other header extensions. */
    public MediaCapabilities withHeaderExtensions(List<String> newHeaderExtensions) {
        return new MediaCapabilities(codecs, newHeaderExtensions);
    }

    /** The media codecs (not auxiliary formats) for {@code kind}, for messages. */
    List<CodecCapability> mediaCodecs(MediaKind kind) {
        return codecs.stream().filter(c -> c.kind() == kind && !c.isAuxiliary()).toList();
    }
}
