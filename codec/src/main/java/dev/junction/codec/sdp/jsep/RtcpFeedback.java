package dev.junction.codec.sdp.jsep;

import java.util.Locale;

/**
 * One RTCP feedback capability, as written after the payload type in {@code a=rtcp-fb} (RFC 4585 §4.2).
 *
 * @param type       {@code nack}, {@code ccm}, {@code goog-remb}, {@code transport-cc}, ...
 * @param parameters {@code pli}, {@code fir}, or empty
 */
public record RtcpFeedback(String type, String parameters) {
    /** Generic NACK (RFC 4585 §6.2.1): retransmission requests, answered from the RTX cache. */
    public static final RtcpFeedback NACK = new RtcpFeedback("nack", "");
    /** Picture Loss Indication (RFC 4585 §6.3.1). */
    public static final RtcpFeedback NACK_PLI = new RtcpFeedback("nack", "pli");
    /** Full Intra Request (RFC 5104 §4.3.1). */
    public static final RtcpFeedback CCM_FIR = new RtcpFeedback("ccm", "fir");
    /** Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb). */
    public static final RtcpFeedback GOOG_REMB = new RtcpFeedback("goog-remb", "");
    /** Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01). */
    public static final RtcpFeedback TRANSPORT_CC = new RtcpFeedback("transport-cc", "");

    public RtcpFeedback {
        type = type.toLowerCase(Locale.ROOT);
        parameters = parameters.toLowerCase(Locale.ROOT);
    }

    /** Reads {@code "nack pli"}-style text, the part of an rtcp-fb line after the payload type. */
    public static RtcpFeedback of(String feedback) {
        String f = feedback.strip();
        int space = f.indexOf(' ');
        return space < 0 ? new RtcpFeedback(f, "") : new RtcpFeedback(f.substring(0, space), f.substring(space + 1).strip());
    }

    /** The text after the payload type in {@code a=rtcp-fb}: {@code "nack pli"}. */
    public String value() {
        return parameters.isEmpty() ? type : type + ' ' + parameters;
    }

    @Override
    public String toString() {
        return value();
    }
}
