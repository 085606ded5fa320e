package dev.junction.transport.dtls;

/**
 * Which side of the DTLS handshake this endpoint plays. The SDP {@code a=setup} attribute decides it
 * (RFC 8842 §5.3): Junction answers {@code setup:passive} and is the server; its client role drives tests
 * and the load tool. The DTLS client sends SRTP with the client half of the exported keys (RFC 5764 §4.2).
 */
public enum DtlsRole {
    CLIENT,
    SERVER
}
