package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.Msid;
import dev.junction.codec.sdp.SdpAttribute.SsrcGroup;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome for one offered m-section, in offer order.
 *
 * @param index            the m-section's index in the offer and the answer
 * @param mid              its mid
 * @param kind             audio, video, application or other
 * @param accepted         false when the answer rejects it (port 0)
 * @param rejectionReason  why it was rejected, or empty
 * @param direction        the answer's direction, Junction's view: RECVONLY means Junction receives
 * @param codecs           the negotiated codecs (RTX folded into its primary), answer order
 * @param headerExtensions header extension URI to the offer's id, for extensions both sides use
 * @param simulcastLayers  the simulcast streams Junction receives, in the offer's order; empty without simulcast
 * @param remoteSsrcs      the SSRCs the offer announced, primaries with their RTX partner
 * @param simulcastSsrcGroups the offer's {@code a=ssrc-group:SIM} groups (legacy SSRC simulcast)
 * @param remoteMsid       the offer's {@code a=msid}, if any
 * @param sendStream       what Junction announced it sends here, if it sends
 * @param rtcpReducedSize  whether reduced-size RTCP was negotiated (RFC 5506)
 * @param extmapAllowMixed whether one- and two-byte header extensions may be mixed (RFC 8285 §6)
 */
public record NegotiatedMedia(int index, String mid, MediaKind kind, boolean accepted, String rejectionReason,
        Direction direction, List<NegotiatedCodec> codecs, Map<String, Integer> headerExtensions,
        List<SimulcastLayer> simulcastLayers, List<RemoteSsrc> remoteSsrcs, List<SsrcGroup> simulcastSsrcGroups,
        Optional<Msid> remoteMsid, Optional<SendStream> sendStream, boolean rtcpReducedSize, boolean extmapAllowMixed) {

    public NegotiatedMedia {
        codecs = List.copyOf(codecs);
        headerExtensions = Collections.unmodifiableMap(new LinkedHashMap<>(headerExtensions));
        simulcastLayers = List.copyOf(simulcastLayers);
        remoteSsrcs = List.copyOf(remoteSsrcs);
        simulcastSsrcGroups = List.copyOf(simulcastSsrcGroups);
    }

    /** Whether Junction receives media in this m-section. */
    public boolean receives() {
        return accepted && direction.receives();
    }

    /** Whether Junction sends media in this m-section. */
    public boolean sends() {
        return accepted && direction.sends();
    }

    /** The id negotiated for header extension {@code uri}. */
    public OptionalInt headerExtensionId(String uri) {
        Integer id = headerExtensions.get(uri);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The negotiated codec with payload type {@code pt}, or the one whose RTX payload type is {@code pt}. */
    public Optional<NegotiatedCodec> codecForPayloadType(int pt) {
        for (NegotiatedCodec c : codecs) {
            if (c.payloadType() == pt || (c.rtxPayloadType().isPresent() && c.rtxPayloadType().getAsInt() == pt)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
