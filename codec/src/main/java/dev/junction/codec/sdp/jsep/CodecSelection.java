package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpAttribute.Fmtp;
import dev.junction.codec.sdp.SdpAttribute.RtcpFb;
import dev.junction.codec.sdp.SdpAttribute.Rtpmap;
import dev.junction.codec.sdp.SdpLine;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Chooses the codecs of one offered audio or video m-section: the offered payload types Junction supports, in
 * the offer's order (RFC 8829 §5.3.1 keeps the offerer's numbers), then auxiliary formats that serve a kept
 * codec, then the RTX format of each kept codec (RFC 4588 §8.6, by {@code apt}).
 *
 * <p>Payload types without an rtpmap are skipped: JSEP offers map every payload type (RFC 8829 §5.2.1), and
 * guessing static assignments would only matter for codecs Junction does not support. Stateless.
 */
final class CodecSelection {

    /**
     * @param payloadTypes the answer's m= line formats, offer order
     * @param codecs       kept media and auxiliary codecs with their RTX payload type and feedback
     * @param lines        the answer's rtpmap, rtcp-fb and fmtp lines, grouped per payload type in m= order
     * @param problem      when nothing was kept: what was offered and what Junction supports
     */
    record Result(List<Integer> payloadTypes, List<NegotiatedCodec> codecs, List<SdpLine> lines, String problem) {
        boolean isEmpty() {
            return codecs.isEmpty();
        }

        boolean hasRtx() {
            return codecs.stream().anyMatch(c -> c.rtxPayloadType().isPresent());
        }
    }

    private CodecSelection() {
    }

    static Result select(MediaDescription m, MediaCapabilities capabilities) {
        MediaKind kind = m.kind();
        List<Integer> offered = m.payloadTypes();
        CodecCapability[] kept = new CodecCapability[128];
        boolean anyPrimary = false;
        for (int pt : offered) {
            Optional<Rtpmap> r = m.rtpmap(pt);
            if (r.isEmpty() || CodecCapability.isAuxiliary(r.get().encodingName())) {
                continue;
            }
            for (CodecCapability cap : capabilities.codecs()) {
                if (!cap.isAuxiliary() && matchesMedia(cap, kind, r.get(), m.fmtp(pt))) {
                    kept[pt] = cap;
                    anyPrimary = true;
                    break;
                }
            }
        }
        if (!anyPrimary) {
            return new Result(List.of(), List.of(), List.of(), describeMismatch(m, capabilities));
        }
        for (int pt : offered) {
            Optional<Rtpmap> r = m.rtpmap(pt);
            if (r.isEmpty() || r.get().is("rtx") || !CodecCapability.isAuxiliary(r.get().encodingName())) {
                continue;
            }
            for (CodecCapability cap : capabilities.codecs()) {
                if (cap.isAuxiliary() && matchesAuxiliary(cap, kind, r.get()) && servesKept(m, r.get(), kept)) {
                    kept[pt] = cap;
                    break;
                }
            }
        }
        int[] rtxFor = new int[128];
        java.util.Arrays.fill(rtxFor, -1);
        boolean[] isRtx = new boolean[128];
        for (int pt : offered) {
            Optional<Rtpmap> r = m.rtpmap(pt);
            if (r.isEmpty() || !r.get().is("rtx")) {
                continue;
            }
            int apt = m.fmtp(pt).flatMap(f -> f.parameter("apt")).map(CodecSelection::payloadType).orElse(-1);
            if (apt < 0 || kept[apt] == null || !kept[apt].rtx() || rtxFor[apt] >= 0
                    || m.rtpmap(apt).map(a -> a.clockRate() != r.get().clockRate()).orElse(true)) {
                continue;
            }
            rtxFor[apt] = pt;
            isRtx[pt] = true;
        }
        List<Integer> payloadTypes = new ArrayList<>();
        List<NegotiatedCodec> codecs = new ArrayList<>();
        List<SdpLine> lines = new ArrayList<>();
        for (int pt : offered) {
            if (kept[pt] == null && !isRtx[pt]) {
                continue;
            }
            payloadTypes.add(pt);
            m.rtpmapLine(pt).ifPresent(lines::add);
            if (kept[pt] != null) {
                List<RtcpFeedback> feedback = feedback(m, pt, kept[pt]);
                for (RtcpFeedback fb : feedback) {
                    lines.add(SdpLine.of(new RtcpFb(Integer.toString(pt), fb.type(), fb.parameters())));
                }
                Rtpmap r = m.rtpmap(pt).orElseThrow();
                Optional<Fmtp> fmtp = m.fmtp(pt);
                codecs.add(new NegotiatedCodec(pt, r.encodingName(), r.clockRate(), r.effectiveChannels(),
                        fmtp.map(Fmtp::parameters).orElse(""), fmtp.map(Fmtp::parameterMap).orElse(java.util.Map.of()),
                        rtxFor[pt] >= 0 ? OptionalInt.of(rtxFor[pt]) : OptionalInt.empty(), feedback));
            }
            m.fmtpLine(pt).ifPresent(lines::add);
        }
        return new Result(List.copyOf(payloadTypes), List.copyOf(codecs), List.copyOf(lines), "");
    }

    static boolean matchesMedia(CodecCapability cap, MediaKind kind, Rtpmap r, Optional<Fmtp> fmtp) {
        if (cap.kind() != kind || !r.is(cap.name())) {
            return false;
        }
        if (cap.clockRate() != 0 && cap.clockRate() != r.clockRate()) {
            return false;
        }
        if (kind == MediaKind.AUDIO && cap.channels() != r.effectiveChannels()) {
            return false;
        }
        return switch (cap.name().toUpperCase(Locale.ROOT)) {
            case "H264" -> sameH264Profile(cap, fmtp)
                    && param(fmtp, "packetization-mode", "0").equals(cap.parameters().getOrDefault("packetization-mode", "0"));
            case "VP9" -> param(fmtp, "profile-id", "0").equals(cap.parameters().getOrDefault("profile-id", "0"));
            case "AV1" -> param(fmtp, "profile", "0").equals(cap.parameters().getOrDefault("profile", "0"));
            default -> true;
        };
    }

    private static boolean sameH264Profile(CodecCapability cap, Optional<Fmtp> fmtp) {
        Optional<H264ProfileLevelId> offered = H264ProfileLevelId.parse(param(fmtp, "profile-level-id", H264ProfileLevelId.DEFAULT));
        Optional<H264ProfileLevelId> supported = H264ProfileLevelId.parse(
                cap.parameters().getOrDefault("profile-level-id", H264ProfileLevelId.DEFAULT));
        return offered.isPresent() && supported.isPresent() && offered.get().profile() == supported.get().profile();
    }

    private static String param(Optional<Fmtp> fmtp, String key, String defaultValue) {
        return fmtp.flatMap(f -> f.parameter(key)).orElse(defaultValue);
    }

    private static boolean matchesAuxiliary(CodecCapability cap, MediaKind kind, Rtpmap r) {
        return cap.kind() == kind && r.is(cap.name()) && (cap.clockRate() == 0 || cap.clockRate() == r.clockRate());
    }

    /** Whether an auxiliary format has a kept media codec to work for. */
    private static boolean servesKept(MediaDescription m, Rtpmap aux, CodecCapability[] kept) {
        String name = aux.encodingName().toLowerCase(Locale.ROOT);
        switch (name) {
            case "telephone-event", "cn" -> {
                // RFC 4733 §2.5.1.2 / RFC 3389: events and comfort noise run at the clock rate of the voice codec.
                for (int pt = 0; pt < 128; pt++) {
                    if (kept[pt] != null && !kept[pt].isAuxiliary()
                            && m.rtpmap(pt).map(r -> r.clockRate() == aux.clockRate()).orElse(false)) {
                        return true;
                    }
                }
                return false;
            }
            case "red" -> {
                // Audio RED names its redundant encodings: "111/111" (RFC 2198 §5). All of them must be kept.
                Optional<Fmtp> fmtp = m.fmtp(aux.payloadType());
                if (fmtp.isPresent() && !fmtp.get().parameters().isEmpty()) {
                    for (String pt : fmtp.get().parameters().split("/", -1)) {
                        int p = payloadType(pt.strip());
                        if (p < 0 || kept[p] == null || kept[p].isAuxiliary()) {
                            return false;
                        }
                    }
                    return true;
                }
                return anyKeptMedia(kept);
            }
            default -> {
                return anyKeptMedia(kept);
            }
        }
    }

    private static boolean anyKeptMedia(CodecCapability[] kept) {
        for (CodecCapability c : kept) {
            if (c != null && !c.isAuxiliary()) {
                return true;
            }
        }
        return false;
    }

    private static List<RtcpFeedback> feedback(MediaDescription m, int pt, CodecCapability cap) {
        Set<RtcpFeedback> result = new LinkedHashSet<>();
        for (RtcpFb fb : m.rtcpFeedback(pt)) {
            RtcpFeedback f = new RtcpFeedback(fb.type(), fb.parameters());
            if (cap.rtcpFeedback().contains(f)) {
                result.add(f);
            }
        }
        return List.copyOf(result);
    }

    private static int payloadType(String text) {
        if (text.isEmpty() || text.length() > 3) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 127 ? value : -1;
    }

    /** "offers PCMU/8000, PCMA/8000; Junction supports opus/48000/2", capped so the message stays one short line. */
    private static String describeMismatch(MediaDescription m, MediaCapabilities capabilities) {
        Set<String> offered = new LinkedHashSet<>();
        for (int pt : m.payloadTypes()) {
            m.rtpmap(pt).filter(r -> !CodecCapability.isAuxiliary(r.encodingName()))
                    .ifPresent(r -> offered.add(describe(r, m.fmtp(pt))));
        }
        List<String> shown = offered.stream().limit(8).toList();
        String offeredText = offered.isEmpty() ? "no media codec with an a=rtpmap"
                : String.join(", ", shown) + (offered.size() > shown.size() ? ", ..." : "");
        List<String> supported = capabilities.mediaCodecs(m.kind()).stream().map(CodecSelection::describe).distinct().toList();
        return "offers " + offeredText + "; Junction supports "
                + (supported.isEmpty() ? "no " + m.kind().token() + " codec" : String.join(", ", supported));
    }

    private static String describe(Rtpmap r, Optional<Fmtp> fmtp) {
        String base = r.encodingName() + '/' + r.clockRate() + (r.channels() > 1 ? "/" + r.channels() : "");
        if (r.is("H264")) {
            return base + " " + param(fmtp, "profile-level-id", H264ProfileLevelId.DEFAULT) + " pm="
                    + param(fmtp, "packetization-mode", "0");
        }
        if (r.is("VP9")) {
            return base + " profile-id=" + param(fmtp, "profile-id", "0");
        }
        if (r.is("AV1")) {
            return base + " profile=" + param(fmtp, "profile", "0");
        }
        return base;
    }

    private static String describe(CodecCapability c) {
        String base = c.describe();
        return switch (c.name().toUpperCase(Locale.ROOT)) {
            case "H264" -> base + " " + c.parameters().getOrDefault("profile-level-id", H264ProfileLevelId.DEFAULT)
                    + " pm=" + c.parameters().getOrDefault("packetization-mode", "0");
            case "VP9" -> base + " profile-id=" + c.parameters().getOrDefault("profile-id", "0");
            case "AV1" -> base + " profile=" + c.parameters().getOrDefault("profile", "0");
            default -> base;
        };
    }
}
