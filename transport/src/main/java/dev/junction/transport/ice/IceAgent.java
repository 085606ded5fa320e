package dev.junction.transport.ice;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.stun.StunMessage;
import dev.junction.transport.path.Path;
import io.netty.buffer.ByteBuf;

/**
 * One session's ICE, whichever role: the server's lite agent ({@link IceLiteAgent}) or the client role's
 * controlling agent ({@link IceControllingAgent}). The transport drives it the same way for both, so it has
 * no role branches of its own.
 *
 * <p>Sans-IO (DESIGN §3.1): inputs are {@link #start}, {@link #handleStun} and {@link #handleTimeout} with the
 * time passed in; outputs are the STUN written into the caller's buffers (an answer in {@link #handleStun},
 * a request in {@link #pollTransmit}) and the state read back ({@link #sendPath()}, {@link #state()}). An agent
 * never reads a clock, touches a socket or binds a path: the transport authorizes the path of every
 * {@link Outcome#authenticated() authenticated} exchange in its path table, the one place that knows which
 * address belongs to whom.
 *
 * <p>Threading: the session's loop only. Buffers: messages are borrowed; output is appended to the caller's.
 */
public interface IceAgent {

    /** What {@link #handleStun} made of a message. */
    enum Outcome {
        /** An authenticated exchange over the path (our check answered, or the peer's check verified). */
        AUTHENTICATED,
        /** As {@link #AUTHENTICATED}, and the path is now the one media goes to. */
        SELECTED,
        /** A request that failed its checks; an error response was written (RFC 8489 §6.3.1). */
        REJECTED,
        /** Nothing for this agent: a stray response, an indication, or the agent is closed. */
        IGNORED;

        /** Whether the message proved the peer holds our credentials over this path. */
        public boolean authenticated() {
            return this == AUTHENTICATED || this == SELECTED;
        }
    }

    /** Agent states, common to both roles. */
    enum State { NEW, CHECKING, CONNECTED, CLOSED }

    /** Starts the agent at {@code nowNs}: consent deadlines run from here, and a controlling agent starts checking. */
    void start(long nowNs);

    /** Takes one parsed STUN message that arrived on {@code from}; writes an answer, if any, into {@code out}. */
    Outcome handleStun(long nowNs, StunMessage message, Path from, ByteBuf out);

    /** Writes the next due request into {@code out} and returns the path to send it on, or null when none is due. */
    Path pollTransmit(long nowNs, ByteBuf out);

    /** Fires what is due at {@code nowNs}; returns true when this call closed the agent (consent lost). */
    boolean handleTimeout(long nowNs);

    /** The earliest deadline, {@link Long#MAX_VALUE} for none (compare with {@code deadline - now <= 0}). */
    long nextTimeoutNs();

    /** Where to send now: the selected path, or before one is selected the best candidate for DTLS; null before any. */
    Path sendPath();

    /** {@code path} was unbound from this session (another session took its address, or it was evicted). */
    void onPathRevoked(Path path);

    /** Whether {@code request}'s USERNAME matches our current credentials (a cheap byte compare, no integrity check). */
    boolean acceptsUsername(StunMessage request);

    /** ICE restart (RFC 8445 §9): new credentials on both sides; the selected path carries media until a new one is chosen. */
    void restart(IceCredentials newLocal, IceCredentials newRemote);

    IceCredentials localCredentials();

    State state();

    /** Why the agent closed, or null while it is open. */
    String closeReason();

    /** Ends the agent for good. */
    void close(String reason);
}
