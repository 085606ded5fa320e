package dev.junction.transport.turn;

/** The protocol between a TURN client and the server (RFC 8656 §3.1); the relay towards peers is always UDP. */
public enum TurnTransport {
    UDP,
    TCP,
    TLS;

    /** Whether messages arrive over a byte stream, where ChannelData is padded to four bytes (RFC 8656 §12.5). */
    public boolean isStream() {
        return this != UDP;
    }
}
