package dev.junction.gateway.room;

import dev.junction.codec.sdp.jsep.H264ProfileLevelId;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.NegotiatedCodec;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How one Producer's packets are renumbered for one subscriber slot: payload types matched by codec
 * (name, clock rate, channels and the fmtp parameters that change the bitstream), header-extension ids
 * matched by URI. Built once when a Producer is bound to a slot; the lookups on the packet path are array
 * reads.
 *
 * <p>Extensions that describe the publisher's leg rather than the media are never forwarded, whatever the
 * subscriber negotiated: MID and RID/RepairedRID (RFC 8843, RFC 8852: the subscriber demuxes by the SSRC
 * we announced, and a publisher's rid or mid value would be wrong on this leg) and the transport-wide
 * sequence number (its feedback belongs to the leg that numbered the packets). They map to id 0, which
 * {@code RtpPacket.rewriteExtensionIds} blanks to padding.
 *
 * <p>Immutable after construction; confined to the room's event loop like its Consumer.
 */
final class RtpMapping {
    static final int NOT_NEGOTIATED = -1;
    private static final Set<String> LEG_LOCAL_EXTENSIONS = Set.of(HeaderExtensionUri.MID, HeaderExtensionUri.RID,
            HeaderExtensionUri.REPAIRED_RID, HeaderExtensionUri.TRANSPORT_CC);

    /** Publisher payload type to subscriber payload type, or {@link #NOT_NEGOTIATED}. */
    private final int[] payloadTypes = new int[128];
    /** Publisher payload type to the codec's RTP clock rate, 0 when unknown. */
    private final int[] clockRates = new int[128];
    /** Publisher extension id to subscriber extension id, 0 to drop (the {@code rewriteExtensionIds} rule). */
    private final byte[] extensionIds = new byte[256];
    /** Subscriber payload type to the subscriber's RTX payload type for it (RFC 4588 apt), or {@link #NOT_NEGOTIATED}. */
    private final int[] rtxPayloadTypes = new int[128];
    private final int mappedCodecs;
    /** The publisher's transport-wide sequence number extension id, 0 when it negotiated none. */
    private int transportCcSourceId;

    private RtpMapping(int mappedCodecs) {
        this.mappedCodecs = mappedCodecs;
    }

    /**
     * The mapping from {@code producerMedia} (as the publisher negotiated it) to a slot with
     * {@code slotCodecs} and {@code slotExtensions} (URI to id, the subscriber's numbers).
     */
    static RtpMapping between(NegotiatedMedia producerMedia, List<NegotiatedCodec> slotCodecs,
            Map<String, Integer> slotExtensions) {
        int[] pts = new int[128];
        Arrays.fill(pts, NOT_NEGOTIATED);
        int mapped = 0;
        int[] rates = new int[128];
        for (NegotiatedCodec source : producerMedia.codecs()) {
            if (source.payloadType() < 0 || source.payloadType() > 127) {
                continue;
            }
            rates[source.payloadType()] = source.clockRate();
            for (NegotiatedCodec target : slotCodecs) {
                if (compatible(source, target)) {
                    pts[source.payloadType()] = target.payloadType();
                    mapped++;
                    break;
                }
            }
        }
        RtpMapping m = new RtpMapping(mapped);
        Arrays.fill(m.rtxPayloadTypes, NOT_NEGOTIATED);
        for (NegotiatedCodec target : slotCodecs) {
            if (target.payloadType() >= 0 && target.payloadType() < 128 && target.rtxPayloadType().isPresent()) {
                m.rtxPayloadTypes[target.payloadType()] = target.rtxPayloadType().getAsInt();
            }
        }
        System.arraycopy(pts, 0, m.payloadTypes, 0, 128);
        System.arraycopy(rates, 0, m.clockRates, 0, 128);
        Integer ownTransportCc = producerMedia.headerExtensions().get(HeaderExtensionUri.TRANSPORT_CC);
        if (ownTransportCc != null && ownTransportCc > 0 && ownTransportCc < 256) m.transportCcSourceId = ownTransportCc;
        for (Map.Entry<String, Integer> e : producerMedia.headerExtensions().entrySet()) {
            Integer target = slotExtensions.get(e.getKey());
            int id = e.getValue();
            if (target != null && id > 0 && id < 256 && target > 0 && target < 256
                    && !LEG_LOCAL_EXTENSIONS.contains(e.getKey())) {
                m.extensionIds[id] = (byte) (int) target;
            }
        }
        return m;
    }

    /**
     * Same codec on both legs: name, clock rate and channels, and for codecs whose fmtp selects a different
     * bitstream the parameters that do so (H.264 profile and packetization mode, RFC 6184 §8.1; VP9
     * profile-id). Other fmtp parameters (max-fs, useinbandfec, ...) are receiver hints that do not
     * change what a decoder accepts.
     */
    static boolean compatible(NegotiatedCodec source, NegotiatedCodec target) {
        if (!source.name().equalsIgnoreCase(target.name()) || source.clockRate() != target.clockRate()
                || source.channels() != target.channels()) {
            return false;
        }
        return switch (source.lowerCaseName()) {
            case "h264" -> Objects.equals(param(source, "packetization-mode", "0"), param(target, "packetization-mode", "0"))
                    && sameH264Profile(source, target);
            case "vp9" -> Objects.equals(param(source, "profile-id", "0"), param(target, "profile-id", "0"));
            case "av1" -> Objects.equals(param(source, "profile", "0"), param(target, "profile", "0"));
            default -> true;
        };
    }

    private static String param(NegotiatedCodec codec, String key, String fallback) {
        return codec.fmtpParameters().getOrDefault(key, fallback);
    }

    /**
     * Whether both sides name the same H.264 profile (RFC 6184 §8.1): profile_idc with the constraint flags that
     * matter for it, as the answerer compares them ({@link H264ProfileLevelId}). So {@code 42c01e} (x264-based
     * encoders: GStreamer, OBS) and Chromium's {@code 42e01f} are both Constrained Baseline. The level may differ
     * (level-asymmetry-allowed, and a decoder handles lower levels).
     */
    private static boolean sameH264Profile(NegotiatedCodec source, NegotiatedCodec target) {
        Optional<H264ProfileLevelId> a = H264ProfileLevelId.parse(param(source, "profile-level-id", H264ProfileLevelId.DEFAULT));
        Optional<H264ProfileLevelId> b = H264ProfileLevelId.parse(param(target, "profile-level-id", H264ProfileLevelId.DEFAULT));
        return a.isPresent() && b.isPresent() && a.get().profile() == b.get().profile();
    }

    /** The subscriber's payload type for publisher payload type {@code pt}, or {@link #NOT_NEGOTIATED}. */
    int payloadType(int pt) {
        return payloadTypes[pt & 0x7F];
    }

    /** The subscriber's RTX payload type for its payload type {@code subscriberPt}, or {@link #NOT_NEGOTIATED}. */
    int rtxPayloadType(int subscriberPt) {
        return rtxPayloadTypes[subscriberPt & 0x7F];
    }

    /** The clock rate of publisher payload type {@code pt}, 0 when the publisher did not negotiate it. */
    int clockRate(int pt) {
        return clockRates[pt & 0x7F];
    }

    /** The id map for {@code RtpPacket.rewriteExtensionIds}; never modified after construction. */
    byte[] extensionIds() {
        return extensionIds;
    }

    /**
     * The publisher's transport-wide sequence number id (0: none). Its element is blanked like the other leg-local
     * ones, but a subscriber leg that numbers its packets reuses the element's place for its own number.
     */
    int transportCcSourceId() {
        return transportCcSourceId;
    }

    /** Whether any of the publisher's codecs can be forwarded to the slot. */
    boolean anyCodec() {
        return mappedCodecs > 0;
    }
}
