package dev.junction.transport.ice;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.stun.StunErrorCode;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunWriter;
import dev.junction.transport.path.Path;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's side of ICE for one WebRtcTransport: a lite, always-controlled agent (RFC 8445 §2.5,
 * §7.3) that answers the browser's connectivity checks, follows its nomination, and tears the session
 * down when consent lapses (RFC 7675).
 *
 * <p>Sans-IO (DESIGN §3.1): input is {@link #handleBindingRequest} and {@link #handleTimeout} with the
 * time passed in; output is the response written into the caller's buffer and the state read back
 * ({@link #selectedPath()}, {@link #state()}). It never reads a clock, touches a socket or starts a thread.
 *
 * <p>Security boundary (DESIGN §3.5): a verdict that {@linkplain Verdict#authenticated() authenticated} the
 * request (USERNAME and MESSAGE-INTEGRITY check out) is the only thing that lets the transport authorize the
 * request's path in its path table; DTLS and SRTP from any other path are dropped there. The agent keeps no
 * list of its own, so the two can never disagree.
 *
 * <p>Threading: owned by the session's event loop; not thread-safe. Buffers: the request is borrowed for
 * the call; the response is appended to the caller's buffer, which the caller owns.
 */
public final class IceLiteAgent implements IceAgent {

    /** What {@link #handleBindingRequest} did. Every value except the {@code DROPPED_*} ones wrote a response. */
    public enum Verdict {
        /** Authenticated check answered with a success response. */
        ANSWERED,
        /** Authenticated check with USE-CANDIDATE: answered, and its address is now the selected pair. */
        ANSWERED_NOMINATED,
        /** 400: USERNAME, MESSAGE-INTEGRITY or PRIORITY missing (RFC 8445 §7.3, RFC 8489 §9.1.3). */
        REJECTED_BAD_REQUEST,
        /** 401: wrong USERNAME or MESSAGE-INTEGRITY does not verify. The address is not authorized. */
        REJECTED_UNAUTHENTICATED,
        /** 420: comprehension-required attributes we do not understand (RFC 8489 §6.3.1.1). */
        REJECTED_UNKNOWN_ATTRIBUTE,
        /** 487: the peer claims the controlled role too; a lite agent cannot take control (RFC 8445 §7.3.1.1). */
        REJECTED_ROLE_CONFLICT,
        /** Not a Binding request (indications, responses): nothing to answer (RFC 8489 §6.3.2). */
        DROPPED_NOT_REQUEST,
        /** The agent is closed. */
        DROPPED_CLOSED;

        /** Whether the request proved the peer holds our credentials (its path may be authorized). */
        public boolean authenticated() {
            return this == ANSWERED || this == ANSWERED_NOMINATED;
        }
    }

    // Passed by argument.
    private final long consentTimeoutNs;

    // Allocated by this.
    private final StunWriter writer = new StunWriter();
    private IceCredentials local;
    private IceCredentials remote;
    private StunIntegrity integrity;
    private byte[] expectedUsername;

    // State.
    private State state = State.NEW;
    private String closeReason;
    private Path selected;
    private Path lastAuthenticated;
    private long consentDeadlineNs;

    /**
     * @param local            our credentials, from our answer
     * @param remote           the peer's credentials, from its offer
     * @param consentTimeoutNs how long without an authenticated check before the session is closed (RFC 7675 §5.1: 30 s)
     * @param nowNs            the time of creation; a peer that never checks in is closed after the same timeout
     */
    public IceLiteAgent(IceCredentials local, IceCredentials remote, long consentTimeoutNs, long nowNs) {
        if (consentTimeoutNs <= 0) throw new IllegalArgumentException("consentTimeoutNs must be positive");
        this.consentTimeoutNs = consentTimeoutNs;
        setCredentials(local, remote);
        this.consentDeadlineNs = nowNs + consentTimeoutNs;
    }

    @Override
    public void start(long nowNs) {
        if (state == State.NEW) consentDeadlineNs = nowNs + consentTimeoutNs;
    }

    @Override
    public Outcome handleStun(long nowNs, StunMessage message, Path from, ByteBuf out) {
        return switch (handleBindingRequest(nowNs, message, from, out)) {
            case ANSWERED -> Outcome.AUTHENTICATED;
            case ANSWERED_NOMINATED -> Outcome.SELECTED;
            case DROPPED_NOT_REQUEST, DROPPED_CLOSED -> Outcome.IGNORED;
            default -> Outcome.REJECTED;
        };
    }

    /** A lite agent sends no requests of its own (RFC 8445 §2.5). */
    @Override
    public Path pollTransmit(long nowNs, ByteBuf out) {
        return null;
    }

    /**
     * Answers one STUN message that arrived on {@code from} and was parsed into {@code request}
     * ({@code wrap} returned OK). Writes the response, if any, at {@code out}'s writer index, to be sent on
     * {@code from}.
     */
    public Verdict handleBindingRequest(long nowNs, StunMessage request, Path from, ByteBuf out) {
        if (state == State.CLOSED) return Verdict.DROPPED_CLOSED;
        if (!request.isBindingRequest()) return Verdict.DROPPED_NOT_REQUEST;
        // RFC 8489 §6.3.1.1: unknown comprehension-required attributes are rejected before anything else.
        if (request.unknownComprehensionRequiredCount() > 0) {
            writer.beginResponse(out, StunMessageType.BINDING_ERROR_RESPONSE, request)
                    .errorCode(StunErrorCode.UNKNOWN_ATTRIBUTE)
                    .unknownAttributes(request)
                    .fingerprint()
                    .finish();
            return Verdict.REJECTED_UNKNOWN_ATTRIBUTE;
        }
        // RFC 8489 §9.1.3: no USERNAME or no MESSAGE-INTEGRITY is a 400, without integrity on the answer.
        if (!request.hasUsername() || !request.hasMessageIntegrity()) {
            return error(request, out, StunErrorCode.BAD_REQUEST, Verdict.REJECTED_BAD_REQUEST);
        }
        if (!request.usernameEquals(expectedUsername) || !integrity.verify(request)) {
            return error(request, out, StunErrorCode.UNAUTHENTICATED, Verdict.REJECTED_UNAUTHENTICATED);
        }
        // Authenticated from here on: the responses carry MESSAGE-INTEGRITY.
        if (!request.hasPriority()) {
            writer.beginResponse(out, StunMessageType.BINDING_ERROR_RESPONSE, request)
                    .errorCode(StunErrorCode.BAD_REQUEST)
                    .messageIntegrity(integrity)
                    .fingerprint()
                    .finish();
            return Verdict.REJECTED_BAD_REQUEST;
        }
        if (request.hasIceControlled() && !request.hasIceControlling()) {
            writer.beginResponse(out, StunMessageType.BINDING_ERROR_RESPONSE, request)
                    .errorCode(StunErrorCode.ROLE_CONFLICT)
                    .messageIntegrity(integrity)
                    .fingerprint()
                    .finish();
            return Verdict.REJECTED_ROLE_CONFLICT;
        }
        lastAuthenticated = from;
        boolean nominated = request.useCandidate();
        if (nominated) {
            selected = from;
            state = State.CONNECTED;
        } else if (state == State.NEW) {
            state = State.CHECKING;
        }
        // RFC 7675 §5.1: consent is refreshed by checks on the pair in use (any pair before nomination).
        if (selected == null || selected == from) {
            consentDeadlineNs = nowNs + consentTimeoutNs;
        }
        writer.beginResponse(out, StunMessageType.BINDING_SUCCESS_RESPONSE, request)
                .xorMappedAddress(from.remoteAddress())
                .messageIntegrity(integrity)
                .fingerprint()
                .finish();
        return nominated ? Verdict.ANSWERED_NOMINATED : Verdict.ANSWERED;
    }

    /** Closes the agent when consent has lapsed. Returns true when this call closed it. */
    @Override
    public boolean handleTimeout(long nowNs) {
        if (state != State.CLOSED && consentDeadlineNs - nowNs <= 0) {
            close(selected == null && state != State.CONNECTED
                    ? "ICE: no authenticated connectivity check within " + consentTimeoutNs / 1_000_000 + " ms"
                    : "ICE: consent expired, no check from the peer for " + consentTimeoutNs / 1_000_000 + " ms");
            return true;
        }
        return false;
    }

    /** When {@link #handleTimeout} next needs to run (compare with {@code deadline - now <= 0}). */
    @Override
    public long nextTimeoutNs() {
        return state == State.CLOSED ? Long.MAX_VALUE : consentDeadlineNs;
    }

    /**
     * ICE restart (RFC 8445 §9, RFC 9725 §4.3): new credentials on both sides. Checks with the old ones are
     * answered 401 from now on; media keeps flowing on the selected pair until a new one is nominated.
     */
    @Override
    public void restart(IceCredentials newLocal, IceCredentials newRemote) {
        if (state == State.CLOSED) throw new IllegalStateException("agent is closed: " + closeReason);
        setCredentials(newLocal, newRemote);
    }

    /** Ends the agent for good, with a reason for logs and the session's close event. */
    @Override
    public void close(String reason) {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            closeReason = reason;
        }
    }

    /**
     * Where to send: the nominated path, or before nomination the last one that passed an authenticated check
     * (so the DTLS handshake can start); null before any.
     */
    @Override
    public Path sendPath() {
        return selected != null ? selected : lastAuthenticated;
    }

    /** The nominated path (the latest nomination wins), or null. */
    public Path selectedPath() {
        return selected;
    }

    @Override
    public void onPathRevoked(Path path) {
        if (selected == path) selected = null;
        if (lastAuthenticated == path) lastAuthenticated = null;
    }

    @Override
    public boolean acceptsUsername(StunMessage request) {
        return request.usernameEquals(expectedUsername);
    }

    @Override
    public State state() {
        return state;
    }

    /** Why the agent closed, or null while it is open. */
    @Override
    public String closeReason() {
        return closeReason;
    }

    @Override
    public IceCredentials localCredentials() {
        return local;
    }

    public IceCredentials remoteCredentials() {
        return remote;
    }

    private Verdict error(StunMessage request, ByteBuf out, int code, Verdict verdict) {
        writer.beginResponse(out, StunMessageType.BINDING_ERROR_RESPONSE, request)
                .errorCode(code)
                .fingerprint()
                .finish();
        return verdict;
    }

    private void setCredentials(IceCredentials newLocal, IceCredentials newRemote) {
        this.local = newLocal;
        this.remote = newRemote;
        this.integrity = StunIntegrity.shortTerm(newLocal.pwd());
        // RFC 8445 §7.2.2: the controlling peer's USERNAME is "our-ufrag:its-ufrag".
        this.expectedUsername = (newLocal.ufrag() + ":" + newRemote.ufrag()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "IceLiteAgent[" + state + ", ufrag=" + local.ufrag() + ", selected=" + selected + "]";
    }
}
