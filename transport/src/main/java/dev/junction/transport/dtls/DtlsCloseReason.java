package dev.junction.transport.dtls;

/** Why a {@link DtlsEndpoint} ended; passed to {@link DtlsListener#onClosed} with a one-line detail. */
public enum DtlsCloseReason {
    /** {@link DtlsEndpoint#close()} was called (close_notify sent if connected). */
    LOCAL_CLOSE,
    /** The peer sent close_notify (RFC 5246 §7.2.1); ours went back. */
    CLOSE_NOTIFY,
    /** The peer sent a fatal alert; the detail names it. */
    ALERT_RECEIVED,
    /** The peer's certificate did not match the SDP fingerprint, or it sent none (RFC 8122 §5, RFC 5763 §5); bad_certificate was sent. */
    FINGERPRINT_MISMATCH,
    /** The peer offered no {@code use_srtp} profile we accept, or its server picked one we did not offer (RFC 5764 §4.1.3). */
    NO_COMMON_SRTP_PROFILE,
    /** The handshake did not finish within the configured timeout. */
    HANDSHAKE_TIMEOUT,
    /** We raised a fatal alert for another protocol violation (for example no extended master secret); the detail names it. */
    PROTOCOL_ERROR,
    /** A bug or an unexpected exception, including one thrown by the listener. */
    INTERNAL_ERROR
}
