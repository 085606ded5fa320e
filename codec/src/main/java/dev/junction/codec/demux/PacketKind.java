package dev.junction.codec.demux;

/** What a datagram on a media port is, by RFC 7983 §7 and RFC 5761 §4. */
public enum PacketKind {
    /** First byte 0..3: STUN (ICE connectivity checks, consent). */
    STUN,
    /** First byte 20..63: DTLS record. */
    DTLS,
    /** First byte 128..191, second byte outside 192..223: RTP (SRTP). */
    RTP,
    /** First byte 128..191, second byte 192..223: RTCP (SRTCP) multiplexed on the RTP port. */
    RTCP,
    /** Anything else (ZRTP 16..19, TURN channel 64..79, empty or one-byte datagrams): dropped. */
    OTHER
}
