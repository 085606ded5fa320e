package dev.junction.transport.ice;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunWriter;
import dev.junction.transport.path.Path;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The client role's ICE (what a browser does against an ICE-lite server): controlling, it sends Binding
 * requests with USE-CANDIDATE to each of the answer's candidates, selects the first that answers, then
 * keeps consent with a check every few seconds (RFC 7675 §5.1) and closes when answers stop for the
 * consent timeout.
 *
 * <p>Sans-IO like {@link IceLiteAgent}: {@link #pollTransmit} writes the next due request,
 * {@link #handleResponse} takes answers, {@link #handleTimeout} expires consent; time is passed in.
 * Requests are retransmitted with the same transaction ID, from 100 ms doubling to 1.6 s (RFC 8489 §6.2.1
 * shape, tightened as browsers do for ICE).
 *
 * <p>Threading: one owner thread. Buffers: {@link #pollTransmit} appends to the caller's buffer.
 */
public final class IceControllingAgent implements IceAgent {

    static final long INITIAL_RTO_NS = 100_000_000L;
    static final long MAX_RTO_NS = 1_600_000_000L;
    /** RFC 7675 §5.1: consent checks every 4-6 s (randomized around 5 s). */
    static final long CONSENT_INTERVAL_NS = 5_000_000_000L;
    /** Sends of one transaction before it is given up (the next consent check starts a new one). */
    static final int MAX_SENDS = 7;

    /** One remote candidate and its in-flight check. */
    private static final class Pair {
        final Path remote;
        final byte[] transactionId = new byte[StunMessage.TRANSACTION_ID_LENGTH];
        boolean inFlight;
        int sends;
        long nextSendNs;

        Pair(Path remote) {
            this.remote = remote;
        }
    }

    // Passed by argument.
    private IceCredentials local;
    private IceCredentials remote;
    private final long tieBreaker;
    private final long priority;
    private final long consentTimeoutNs;
    private final Random random;

    // Allocated by this.
    private final StunWriter writer = new StunWriter();
    private StunIntegrity integrity;
    private byte[] username;
    private final List<Pair> pairs = new ArrayList<>();

    // State.
    private State state = State.NEW;
    private String closeReason;
    private Pair selected;
    /** Credentials changed: every pair is checked again from the next {@link #pollTransmit}. */
    private boolean restartPending;
    private long consentDeadlineNs;
    private long nextConsentCheckNs;

    /**
     * @param local            our credentials (from our offer)
     * @param remote           the server's credentials (from its answer)
     * @param priority         the PRIORITY of our (host) candidate
     * @param consentTimeoutNs how long without an answer before closing; also the connect timeout
     * @param random           transaction IDs, tie-breaker and consent jitter (a SecureRandom outside tests)
     */
    public IceControllingAgent(IceCredentials local, IceCredentials remote, long priority, long consentTimeoutNs,
            Random random, long nowNs) {
        this.local = local;
        this.remote = remote;
        this.priority = priority;
        this.consentTimeoutNs = consentTimeoutNs;
        this.random = random;
        this.tieBreaker = random.nextLong();
        setCredentials(local, remote);
        this.consentDeadlineNs = nowNs + consentTimeoutNs;
    }

    private void setCredentials(IceCredentials newLocal, IceCredentials newRemote) {
        this.local = newLocal;
        this.remote = newRemote;
        this.integrity = StunIntegrity.shortTerm(newRemote.pwd());
        // RFC 8445 §7.2.2: the controlling peer's USERNAME is "their-ufrag:our-ufrag".
        this.username = (newRemote.ufrag() + ":" + newLocal.ufrag()).getBytes(StandardCharsets.UTF_8);
    }

    /** Adds one of the answer's candidates; checks to it start at the next {@link #pollTransmit}. */
    public void addRemoteCandidate(Path candidate, long nowNs) {
        for (Pair p : pairs) {
            if (p.remote == candidate) return;
        }
        Pair p = new Pair(candidate);
        start(p, nowNs);
        pairs.add(p);
    }

    /** The connect deadline runs from here; checks start at the next {@link #pollTransmit}. */
    @Override
    public void start(long nowNs) {
        if (state == State.NEW || state == State.CHECKING && selected == null) consentDeadlineNs = nowNs + consentTimeoutNs;
        for (Pair p : pairs) {
            if (p.sends == 0) p.nextSendNs = nowNs;
        }
        if (state == State.NEW) state = State.CHECKING;
    }

    @Override
    public Outcome handleStun(long nowNs, StunMessage message, Path from, ByteBuf out) {
        // RFC 8445 §2.5: a lite peer never checks us, so only answers to our own checks matter.
        if (!handleResponse(nowNs, message, from)) return Outcome.IGNORED;
        return selected != null && selected.remote == from ? Outcome.SELECTED : Outcome.AUTHENTICATED;
    }

    /**
     * Writes the next due Binding request into {@code out} and returns the path to send it on, or null when
     * nothing is due now. Call until it returns null.
     */
    @Override
    public Path pollTransmit(long nowNs, ByteBuf out) {
        if (state == State.CLOSED) return null;
        if (restartPending) {
            restartPending = false;
            for (Pair p : pairs) start(p, nowNs);
        }
        if (state == State.CONNECTED && selected != null && !selected.inFlight && nextConsentCheckNs - nowNs <= 0) {
            start(selected, nowNs);
        }
        for (Pair p : pairs) {
            if (!p.inFlight || p.nextSendNs - nowNs > 0) continue;
            if (state == State.CONNECTED && p != selected) {
                p.inFlight = false; // stop checking other pairs once one is selected
                continue;
            }
            if (p.sends == MAX_SENDS) {
                p.inFlight = false;
                if (p == selected) nextConsentCheckNs = nowNs + jitteredConsentInterval();
                continue;
            }
            writer.begin(out, StunMessageType.BINDING_REQUEST, p.transactionId)
                    .username(username)
                    .priority(priority)
                    .iceControlling(tieBreaker)
                    .useCandidate()
                    .messageIntegrity(integrity)
                    .fingerprint()
                    .finish();
            long rto = Math.min(MAX_RTO_NS, INITIAL_RTO_NS << Math.min(p.sends, 5));
            p.sends++;
            p.nextSendNs = nowNs + rto;
            return p.remote;
        }
        return null;
    }

    /**
     * Takes a STUN message from {@code from}. Returns true when it answered one of our checks with an
     * authenticated success (which selects that pair the first time and refreshes consent).
     */
    public boolean handleResponse(long nowNs, StunMessage response, Path from) {
        if (state == State.CLOSED || !response.isBindingSuccessResponse()) return false;
        for (Pair p : pairs) {
            if (!p.inFlight || p.remote != from || !response.transactionIdEquals(p.transactionId)) continue;
            if (!integrity.verify(response)) return false;
            p.inFlight = false;
            if (selected == null) {
                selected = p;
                state = State.CONNECTED;
            }
            if (p == selected) {
                consentDeadlineNs = nowNs + consentTimeoutNs;
                nextConsentCheckNs = nowNs + jitteredConsentInterval();
            }
            return true;
        }
        return false;
    }

    /** Closes when no authenticated answer came for the consent timeout. Returns true when this call closed it. */
    @Override
    public boolean handleTimeout(long nowNs) {
        if (state != State.CLOSED && consentDeadlineNs - nowNs <= 0) {
            state = State.CLOSED;
            closeReason = selected == null ? "ICE: no candidate answered" : "ICE: consent lost, the server stopped answering";
            return true;
        }
        return false;
    }

    /** The earliest time something is due: a retransmission, a consent check, or the consent deadline. */
    @Override
    public long nextTimeoutNs() {
        if (state == State.CLOSED) return Long.MAX_VALUE;
        long next = consentDeadlineNs;
        for (Pair p : pairs) {
            if (p.inFlight && p.nextSendNs - next < 0) next = p.nextSendNs;
        }
        if (state == State.CONNECTED && selected != null && !selected.inFlight && nextConsentCheckNs - next < 0) next = nextConsentCheckNs;
        return next;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public String closeReason() {
        return closeReason;
    }

    /** The selected server path, or null before one answered. */
    public Path selectedPath() {
        return selected == null ? null : selected.remote;
    }

    /** The client role sends nothing before a pair is selected: DTLS waits for ICE. */
    @Override
    public Path sendPath() {
        return selectedPath();
    }

    @Override
    public void onPathRevoked(Path path) {
        pairs.removeIf(p -> p.remote == path);
        if (selected != null && selected.remote == path) {
            // Back to checking what is left, instead of idling until consent runs out.
            selected = null;
            if (state == State.CONNECTED) state = State.CHECKING;
            restartPending = true;
        }
    }

    @Override
    public boolean acceptsUsername(StunMessage request) {
        return request.usernameEquals(username);
    }

    /**
     * Restarts ICE with new credentials: every candidate is checked again from the next {@link #pollTransmit}
     * (poll right after this); media stays on the selected pair meanwhile.
     */
    @Override
    public void restart(IceCredentials newLocal, IceCredentials newRemote) {
        if (state == State.CLOSED) throw new IllegalStateException("agent is closed: " + closeReason);
        setCredentials(newLocal, newRemote);
        restartPending = true;
    }

    @Override
    public void close(String reason) {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            closeReason = reason;
        }
    }

    @Override
    public IceCredentials localCredentials() {
        return local;
    }

    private void start(Pair p, long nowNs) {
        random.nextBytes(p.transactionId);
        p.inFlight = true;
        p.sends = 0;
        p.nextSendNs = nowNs;
    }

    private long jitteredConsentInterval() {
        // RFC 7675 §5.1: uniformly random in [0.8, 1.2] of the interval.
        return (long) (CONSENT_INTERVAL_NS * (0.8 + 0.4 * random.nextDouble()));
    }
}
