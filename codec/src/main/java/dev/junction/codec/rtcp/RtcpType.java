package dev.junction.codec.rtcp;

/**
 * RTCP packet type numbers (the PT field, RFC 3550 §12.1, RFC 4585 §6.1) and the feedback message types
 * carried in the FMT field of RTPFB/PSFB packets (RFC 4585 §6.2-6.4, RFC 5104 §4.3, REMB, transport-cc).
 */
public final class RtcpType {

    /** Sender Report (RFC 3550 §6.4.1). */
    public static final int SR = 200;
    /** Receiver Report (RFC 3550 §6.4.2). */
    public static final int RR = 201;
    /** Source Description (RFC 3550 §6.5). */
    public static final int SDES = 202;
    /** Goodbye (RFC 3550 §6.6). */
    public static final int BYE = 203;
    /** Application-defined (RFC 3550 §6.7). */
    public static final int APP = 204;
    /** Transport-layer (generic RTP) feedback (RFC 4585 §6.2). */
    public static final int RTPFB = 205;
    /** Payload-specific feedback (RFC 4585 §6.3). */
    public static final int PSFB = 206;
    /** Extended reports (RFC 3611). */
    public static final int XR = 207;

    /** RTPFB FMT: Generic NACK (RFC 4585 §6.2.1). */
    public static final int FMT_NACK = 1;
    /** RTPFB FMT: transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1). */
    public static final int FMT_TRANSPORT_CC = 15;
    /** PSFB FMT: Picture Loss Indication (RFC 4585 §6.3.1). */
    public static final int FMT_PLI = 1;
    /** PSFB FMT: Full Intra Request (RFC 5104 §4.3.1). */
    public static final int FMT_FIR = 4;
    /** PSFB FMT: application layer feedback, which carries REMB (RFC 4585 §6.4). */
    public static final int FMT_AFB = 15;

    private RtcpType() {
    }
}
