package dev.junction.codec.demux;

/** What the first bytes of a TCP connection to the one public port are ({@link StreamClassifier}). */
public enum StreamKind {
    /** Too few bytes to tell yet; every kind below is still possible. */
    NEED_MORE,
    /** A TLS handshake record: HTTPS or TURN over TLS, which its ClientHello decides. */
    TLS,
    /** An HTTP/1.x request line. */
    HTTP,
    /** An RFC 4571 frame holding a STUN message: ICE-TCP (RFC 6544). */
    ICE_TCP,
    /** A STUN message or ChannelData with no framing: TURN over TCP (RFC 8656 §3.1). */
    TURN,
    /** None of these. */
    UNKNOWN
}
