package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What Junction accepts in an offer: codecs in order of preference among equals (the offer's order decides
 * the answer's order) and RTP header extension URIs. Immutable; build once from configuration.
 *
 * @param codecs           media codecs and auxiliary formats
 * @param headerExtensions URIs of header extensions Junction parses or forwards ({@link HeaderExtensionUri})
 * @param dependencyDescriptorCodecs when not empty, the dependency descriptor (if among {@code headerExtensions}) is
 *                         answered only in an m-section whose first codec, the one the offerer will send, is one of
 *                         these encoding names (upper case); empty: in every m-section
 */
public record MediaCapabilities(List<CodecCapability> codecs, List<String> headerExtensions,
        List<String> dependencyDescriptorCodecs) {

    public MediaCapabilities {
        codecs = List.copyOf(codecs);
        headerExtensions = List.copyOf(headerExtensions);
        dependencyDescriptorCodecs = dependencyDescriptorCodecs.stream().map(n -> n.toUpperCase(Locale.ROOT)).toList();
    }

    /** Codecs and header extensions, the dependency descriptor (if among them) answered whatever the codec. */
    public MediaCapabilities(List<CodecCapability> codecs, List<String> headerExtensions) {
        this(codecs, headerExtensions, List.of());
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
        return withDependencyDescriptorFor(List.of());
    }

    /**
     * The same with the dependency descriptor answered only where the offerer sends one of {@code encodingNames}
     * (the m-section's first codec); an empty list means wherever it is offered.
     */
    public MediaCapabilities withDependencyDescriptorFor(List<String> encodingNames) {
        List<String> extensions = new ArrayList<>(headerExtensions);
        if (!extensions.contains(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR)) extensions.add(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR);
        return new MediaCapabilities(codecs, extensions, encodingNames);
    }

    /** The same header extensions with other codecs. */
    public MediaCapabilities withCodecs(List<CodecCapability> newCodecs) {
        return new MediaCapabilities(newCodecs, headerExtensions, dependencyDescriptorCodecs);
    }

    /** The same codecs with other header extensions. */
    public MediaCapabilities withHeaderExtensions(List<String> newHeaderExtensions) {
        return new MediaCapabilities(codecs, newHeaderExtensions, dependencyDescriptorCodecs);
    }

    /** Whether an m-section whose first negotiated codec is {@code firstCodec} may carry the dependency descriptor. */
    boolean allowsDependencyDescriptor(String firstCodec) {
        return dependencyDescriptorCodecs.isEmpty() || dependencyDescriptorCodecs.contains(firstCodec.toUpperCase(Locale.ROOT));
    }

    /** The media codecs (not auxiliary formats) for {@code kind}, for messages. */
    List<CodecCapability> mediaCodecs(MediaKind kind) {
        return codecs.stream().filter(c -> c.kind() == kind && !c.isAuxiliary()).toList();
    }
}
