package dev.junction.gateway.room;

import dev.junction.codec.rtp.KeyframeDetector;
import dev.junction.codec.sdp.jsep.NegotiatedCodec;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.RtcpFeedback;
import java.util.Arrays;

/**
 * What one published m-section negotiated, as tables the packet path reads by payload type: which payload
 * types are RTX (RFC 4588) and which primary each repairs ({@code apt}), which codecs negotiated Generic NACK,
 * and whether keyframes are asked for with PLI or FIR. Built once per Producer; immutable.
 */
final class TrackCodecs {
    static final int NONE = -1;

    private final boolean[] rtx = new boolean[128];
    private final int[] associated = new int[128];
    private final boolean[] nack = new boolean[128];
    /** {@link KeyframeDetector}'s constant for each payload type's codec. */
    private final int[] keyframeCodec = new int[128];
    private final boolean useFir;
    private final int clockRate;

    TrackCodecs(NegotiatedMedia media) {
        Arrays.fill(associated, NONE);
        boolean pli = false;
        boolean fir = false;
        for (NegotiatedCodec c : media.codecs()) {
            c.rtxPayloadType().ifPresent(pt -> {
                rtx[pt & 0x7F] = true;
                associated[pt & 0x7F] = c.payloadType() & 0x7F;
            });
            nack[c.payloadType() & 0x7F] = c.supports(RtcpFeedback.NACK);
            keyframeCodec[c.payloadType() & 0x7F] = KeyframeDetector.codecOf(c.name());
            pli |= c.supports(RtcpFeedback.NACK_PLI);
            fir |= c.supports(RtcpFeedback.CCM_FIR);
        }
        // PLI (RFC 4585 §6.3.1) when negotiated, else FIR (RFC 5104 §4.3.1) when negotiated, else PLI anyway.
        this.useFir = !pli && fir;
        this.clockRate = media.codecs().isEmpty() ? 0 : media.codecs().get(0).clockRate();
    }

    /** Whether {@code pt} is one of the m-section's RTX payload types. */
    boolean isRtx(int pt) {
        return rtx[pt & 0x7F];
    }

    /** The primary payload type RTX payload type {@code pt} repairs, or {@link #NONE}. */
    int associatedPayloadType(int pt) {
        return associated[pt & 0x7F];
    }

    /** Whether the codec of payload type {@code pt} negotiated {@code a=rtcp-fb:<pt> nack}. */
    boolean nacks(int pt) {
        return nack[pt & 0x7F];
    }

    /** The {@link KeyframeDetector} codec of payload type {@code pt} ({@link KeyframeDetector#UNKNOWN_CODEC} for audio). */
    int keyframeCodec(int pt) {
        return keyframeCodec[pt & 0x7F];
    }

    boolean useFir() {
        return useFir;
    }

    /** The RTP clock rate of the m-section's codecs (0 when it has none). */
    int clockRate() {
        return clockRate;
    }
}
