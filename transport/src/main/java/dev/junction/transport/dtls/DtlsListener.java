package dev.junction.transport.dtls;

/**
 * Receives the outcome of a {@link DtlsEndpoint}.
 *
 * <p>Threading: both methods are called on the endpoint's own DTLS thread (a virtual thread), never on an
 * event loop. Implementations hop onto the session's event loop ({@code eventLoop.execute(...)}) before
 * touching session state, and must not block. A good place to build the {@code SrtpSession} is
 * {@link #onConnected} itself, before the hop: key derivation then stays off the loop.
 */
public interface DtlsListener {

    /** The handshake completed and the peer's certificate matched the SDP fingerprint. Called at most once. */
    void onConnected(DtlsEndpoint endpoint, DtlsResult result);

    /**
     * The endpoint ended, before or after connecting. Called exactly once, last; no datagram is sent
     * after it.
     */
    void onClosed(DtlsEndpoint endpoint, DtlsCloseReason reason, String detail);
}
