package dev.junction.codec.sdp.jsep;

/**
 * What the remote client does in this session, which decides how Junction answers an offered {@code sendrecv}
 * m-section (RFC 8829 §5.3.1 leaves that to the answerer) and whether it answers offered directions at all.
 */
public enum ClientRole {
    /** WHIP: the client publishes and Junction only receives; sendrecv is answered recvonly. */
    PUBLISHER(false, true),
    /** WHEP: the client subscribes and Junction only sends; sendrecv is answered sendonly. */
    SUBSCRIBER(true, false),
    /** The client publishes and subscribes in one session; sendrecv is answered sendrecv. */
    PUBLISHER_AND_SUBSCRIBER(true, true);

    private final boolean junctionSends;
    private final boolean junctionReceives;

    ClientRole(boolean junctionSends, boolean junctionReceives) {
        this.junctionSends = junctionSends;
        this.junctionReceives = junctionReceives;
    }

    /** Whether Junction may send media to this client. */
    public boolean junctionSends() {
        return junctionSends;
    }

    /** Whether Junction takes media from this client. */
    public boolean junctionReceives() {
        return junctionReceives;
    }
}
