package dev.junction.transport.ice;

import dev.junction.codec.sdp.jsep.IceCredentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunErrorCode;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import dev.junction.transport.ice.IceAgent.State;
import dev.junction.transport.ice.IceLiteAgent.Verdict;
import dev.junction.transport.path.FakePath;
import dev.junction.transport.path.Path;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's ICE-lite agent against the client role's controlling agent, pumped with a fake clock
 * (faster than real time) and seeded loss (STYLE: Cores).
 */
class IceLiteAgentTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long CONSENT_TIMEOUT = 30 * SECOND;
    private static final IceCredentials SERVER = new IceCredentials("srvF", "serverPasswordOf24Chars1");
    private static final IceCredentials CLIENT = new IceCredentials("cli9", "clientPasswordOf24Chars2");
    private static final Path SERVER_V4 = new FakePath("127.0.0.1", 40000);
    private static final Path CLIENT_V4 = new FakePath("127.0.0.1", 50000);
    private static final Path CLIENT_V6 = new FakePath("::1", 50002);

    private final ByteBuf wire = Unpooled.buffer(512);
    private final ByteBuf reply = Unpooled.buffer(512);
    private final StunMessage parsed = new StunMessage();
    private long nowNs = 1_000 * SECOND; // arbitrary origin, as System.nanoTime() has one

    @AfterEach
    void release() {
        wire.release();
        reply.release();
    }

    @Test
    void shouldNominateThePairTheClientChecks() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        Peer client = new Peer(CLIENT_V4, CLIENT, SERVER, new Random(1));
        client.agent.addRemoteCandidate(SERVER_V4, nowNs);
        assertEquals(State.NEW, server.state());
        assertNull(server.sendPath());

        Verdict verdict = exchange(client, server, 0.0, new Random(2));

        assertEquals(Verdict.ANSWERED_NOMINATED, verdict);
        assertEquals(State.CONNECTED, server.state());
        assertEquals(CLIENT_V4, server.selectedPath());
        assertEquals(CLIENT_V4, server.sendPath());
        assertTrue(verdict.authenticated(), "the transport authorizes the checked path");
        assertEquals(State.CONNECTED, client.agent.state());
        assertEquals(SERVER_V4, client.agent.selectedPath());
    }

    @Test
    void shouldCountOnlyAnsweredChecksAsAuthenticated() {
        for (Verdict v : Verdict.values()) {
            assertEquals(v == Verdict.ANSWERED || v == Verdict.ANSWERED_NOMINATED, v.authenticated(), v.name());
        }
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writeRequest(CLIENT.ufrag(), SERVER, true, false, false);
        assertEquals(IceAgent.Outcome.AUTHENTICATED, server.handleStun(nowNs, parse(wire), CLIENT_V4, reply));
        wire.clear();
        reply.clear();
        writeRequest(CLIENT.ufrag(), SERVER, true, true, false);
        assertEquals(IceAgent.Outcome.SELECTED, server.handleStun(nowNs, parse(wire), CLIENT_V4, reply));
        wire.clear();
        reply.clear();
        writeRequest("zzzz", SERVER, true, true, false);
        assertEquals(IceAgent.Outcome.REJECTED, server.handleStun(nowNs, parse(wire), CLIENT_V6, reply));
        assertEquals(CLIENT_V4, server.selectedPath());
    }

    @Test
    void shouldForgetARevokedPath() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writeRequest(CLIENT.ufrag(), SERVER, true, true, false);
        server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply);
        assertEquals(CLIENT_V4, server.sendPath());
        server.onPathRevoked(CLIENT_V6);
        assertEquals(CLIENT_V4, server.sendPath(), "another path's loss changes nothing");
        server.onPathRevoked(CLIENT_V4);
        assertNull(server.sendPath(), "its address went to another session: nowhere to send");
        assertEquals(State.CONNECTED, server.state(), "consent decides when the session ends");
    }

    @Test
    void shouldAnswerSuccessWithMappedAddressIntegrityAndFingerprint() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writeRequest(CLIENT.ufrag(), SERVER, true, true, false);
        assertEquals(Verdict.ANSWERED_NOMINATED, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V6, reply));

        assertEquals(StunParseResult.OK, parsed.wrap(reply, reply.readerIndex(), reply.readableBytes()), "fingerprint checks out");
        assertTrue(parsed.isBindingSuccessResponse());
        assertTrue(parsed.hasFingerprint());
        assertTrue(StunIntegrity.shortTerm(SERVER.pwd()).verify(parsed), "signed with the server's ice-pwd");
        assertEquals(CLIENT_V6.remoteAddress(), parsed.xorMappedSocketAddress());
        assertTrue(parsed.transactionIdEquals(TRANSACTION));
    }

    @Test
    void shouldAnswer401AndNotAuthorizeOnBadPassword() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        IceCredentials wrongServerPwd = new IceCredentials(SERVER.ufrag(), "notTheServerPassword0000");
        Peer attacker = new Peer(CLIENT_V4, CLIENT, wrongServerPwd, new Random(3));
        attacker.agent.addRemoteCandidate(SERVER_V4, nowNs);

        Verdict verdict = exchange(attacker, server, 0.0, new Random(4));

        assertEquals(Verdict.REJECTED_UNAUTHENTICATED, verdict);
        assertFalse(verdict.authenticated(), "the path is not authorized");
        assertNull(server.sendPath());
        assertEquals(State.NEW, server.state());
        assertEquals(StunParseResult.OK, parsed.wrap(reply, reply.readerIndex(), reply.readableBytes()));
        assertTrue(parsed.isBindingErrorResponse());
        assertEquals(StunErrorCode.UNAUTHENTICATED, parsed.errorCode());
        assertFalse(parsed.hasMessageIntegrity(), "a 401 cannot be signed with a key the peer does not prove to know");
        assertEquals(State.CHECKING, attacker.agent.state());
    }

    @Test
    void shouldAnswer401ForAnotherSessionsUsername() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writeRequest("zzzz", SERVER, true, true, false); // right password, wrong remote ufrag
        assertEquals(Verdict.REJECTED_UNAUTHENTICATED, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));
        assertNull(server.sendPath());
    }

    @Test
    void shouldAnswer400WhenIntegrityOrPriorityIsMissing() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writer.begin(wire, StunMessageType.BINDING_REQUEST, TRANSACTION).username(SERVER.ufrag() + ":" + CLIENT.ufrag()).priority(1).fingerprint().finish();
        assertEquals(Verdict.REJECTED_BAD_REQUEST, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));
        assertErrorCode(StunErrorCode.BAD_REQUEST);

        wire.clear();
        reply.clear();
        writeRequest(CLIENT.ufrag(), SERVER, false, false, false); // authenticated, no PRIORITY
        assertEquals(Verdict.REJECTED_BAD_REQUEST, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));
        assertErrorCode(StunErrorCode.BAD_REQUEST);
        assertTrue(StunIntegrity.shortTerm(SERVER.pwd()).verify(parsed), "authenticated requests get signed errors");
        assertNull(server.sendPath(), "a rejected check selects nothing");
    }

    @Test
    void shouldAnswer420ListingUnknownComprehensionRequiredAttributes() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writer.begin(wire, StunMessageType.BINDING_REQUEST, TRANSACTION)
                .username(SERVER.ufrag() + ":" + CLIENT.ufrag())
                .attribute(0x7F01, new byte[] {1, 2, 3, 4}, 0, 4)
                .priority(1)
                .messageIntegrity(StunIntegrity.shortTerm(SERVER.pwd()))
                .fingerprint()
                .finish();
        assertEquals(Verdict.REJECTED_UNKNOWN_ATTRIBUTE, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));
        assertErrorCode(StunErrorCode.UNKNOWN_ATTRIBUTE);
        assertEquals(1, parsed.reportedUnknownAttributeCount());
        assertEquals(0x7F01, parsed.reportedUnknownAttribute(0));
    }

    @Test
    void shouldAnswer487WhenPeerClaimsControlledRole() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writeRequest(CLIENT.ufrag(), SERVER, true, false, true);
        assertEquals(Verdict.REJECTED_ROLE_CONFLICT, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));
        assertErrorCode(StunErrorCode.ROLE_CONFLICT);
    }

    @Test
    void shouldIgnoreIndicationsAndResponses() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writer.begin(wire, StunMessageType.BINDING_INDICATION, TRANSACTION).fingerprint().finish();
        assertEquals(Verdict.DROPPED_NOT_REQUEST, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));
        assertEquals(0, reply.readableBytes());
    }

    @Test
    void shouldSwitchToTheLatestNominatedPair() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writeRequest(CLIENT.ufrag(), SERVER, true, true, false);
        assertEquals(Verdict.ANSWERED_NOMINATED, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));
        assertEquals(CLIENT_V4, server.selectedPath());

        // Checks without nomination on another pair authorize it but do not move media.
        wire.clear();
        reply.clear();
        writeRequest(CLIENT.ufrag(), SERVER, true, false, false);
        assertEquals(Verdict.ANSWERED, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V6, reply));
        assertEquals(CLIENT_V4, server.selectedPath());

        // The peer nominates the IPv6 pair (a NAT rebinding looks the same): media follows.
        wire.clear();
        reply.clear();
        writeRequest(CLIENT.ufrag(), SERVER, true, true, false);
        assertEquals(Verdict.ANSWERED_NOMINATED, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V6, reply));
        assertEquals(CLIENT_V6, server.selectedPath());
    }

    @Test
    void shouldConnectThroughTenPercentLoss() {
        for (int seed = 0; seed < 20; seed++) {
            nowNs = 1_000 * SECOND;
            IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
            Peer client = new Peer(CLIENT_V4, CLIENT, SERVER, new Random(seed));
            client.agent.addRemoteCandidate(SERVER_V4, nowNs);
            runFor(client, server, 5 * SECOND, 0.10, new Random(1000 + seed));
            assertEquals(State.CONNECTED, server.state(), "seed " + seed);
            assertEquals(State.CONNECTED, client.agent.state(), "seed " + seed);
        }
    }

    @Test
    void shouldKeepConsentWhileChecksArriveDespiteLoss() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        Peer client = new Peer(CLIENT_V4, CLIENT, SERVER, new Random(7));
        client.agent.addRemoteCandidate(SERVER_V4, nowNs);
        runFor(client, server, 10 * 60 * SECOND, 0.30, new Random(8)); // ten minutes of fake time, 30% loss

        assertEquals(State.CONNECTED, server.state());
        assertEquals(State.CONNECTED, client.agent.state());
        assertTrue(client.checksSent > 10 * 60 / 6, "consent checks kept flowing: " + client.checksSent);
    }

    @Test
    void shouldCloseWhenConsentLapses() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        Peer client = new Peer(CLIENT_V4, CLIENT, SERVER, new Random(9));
        client.agent.addRemoteCandidate(SERVER_V4, nowNs);
        runFor(client, server, 20 * SECOND, 0.0, new Random(10));
        long lastCheckNs = client.lastDeliveredNs;

        // The browser goes away: no more checks. Nothing happens until 30 s after the last one.
        nowNs = lastCheckNs + CONSENT_TIMEOUT - 1;
        assertFalse(server.handleTimeout(nowNs));
        assertEquals(State.CONNECTED, server.state());
        assertEquals(lastCheckNs + CONSENT_TIMEOUT, server.nextTimeoutNs());
        nowNs += 1;
        assertTrue(server.handleTimeout(nowNs));
        assertEquals(State.CLOSED, server.state());
        assertEquals("ICE: consent expired, no check from the peer for 30000 ms", server.closeReason());

        // A closed agent answers nothing.
        writeRequest(CLIENT.ufrag(), SERVER, true, true, false);
        assertEquals(Verdict.DROPPED_CLOSED, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));
        assertEquals(0, reply.readableBytes());
    }

    @Test
    void shouldCloseWhenNoCheckEverArrives() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        assertFalse(server.handleTimeout(nowNs + CONSENT_TIMEOUT - 1));
        assertTrue(server.handleTimeout(nowNs + CONSENT_TIMEOUT));
        assertEquals("ICE: no authenticated connectivity check within 30000 ms", server.closeReason());
    }

    @Test
    void shouldNotRefreshConsentFromUnselectedPair() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        writeRequest(CLIENT.ufrag(), SERVER, true, true, false);
        server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply);
        long deadline = server.nextTimeoutNs();
        nowNs += 10 * SECOND;
        wire.clear();
        reply.clear();
        writeRequest(CLIENT.ufrag(), SERVER, true, false, false);
        assertEquals(Verdict.ANSWERED, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V6, reply));
        assertEquals(deadline, server.nextTimeoutNs(), "consent is per pair in use (RFC 7675 §5.1)");
    }

    @Test
    void shouldUseNewCredentialsAfterIceRestart() {
        IceLiteAgent server = new IceLiteAgent(SERVER, CLIENT, CONSENT_TIMEOUT, nowNs);
        Peer client = new Peer(CLIENT_V4, CLIENT, SERVER, new Random(11));
        client.agent.addRemoteCandidate(SERVER_V4, nowNs);
        runFor(client, server, 2 * SECOND, 0.0, new Random(12));
        assertEquals(CLIENT_V4, server.selectedPath());

        IceCredentials newServer = new IceCredentials("srv2", "restartedServerPassword1");
        IceCredentials newClient = new IceCredentials("cli2", "restartedClientPassword2");
        server.restart(newServer, newClient);
        assertEquals(newServer, server.localCredentials());
        assertEquals(CLIENT_V4, server.sendPath(), "media keeps its pair until a new nomination");

        // The old credentials no longer work.
        writeRequest(CLIENT.ufrag(), SERVER, true, true, false);
        assertEquals(Verdict.REJECTED_UNAUTHENTICATED, server.handleBindingRequest(nowNs, parse(wire), CLIENT_V4, reply));

        // The restarted browser checks with the new ones from a new address and is nominated.
        Peer restarted = new Peer(CLIENT_V6, newClient, newServer, new Random(13));
        restarted.agent.addRemoteCandidate(SERVER_V4, nowNs);
        runFor(restarted, server, 2 * SECOND, 0.0, new Random(14));
        assertEquals(CLIENT_V6, server.selectedPath());
        assertEquals(State.CONNECTED, server.state());
    }

    // ---- harness -------------------------------------------------------------------------------

    private static final byte[] TRANSACTION = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    private final StunWriter writer = new StunWriter();

    /** A client-role peer at {@code address} with its own controlling agent. */
    private final class Peer {
        final Path address;
        final IceControllingAgent agent;
        int checksSent;
        long lastDeliveredNs;

        Peer(Path address, IceCredentials local, IceCredentials remote, Random random) {
            this.address = address;
            this.agent = new IceControllingAgent(local, remote, 2_130_706_431L, CONSENT_TIMEOUT, random, nowNs);
            agent.start(nowNs);
        }
    }

    /** Sends the client's first due check and returns the server's verdict, with the reply in {@code reply}. */
    private Verdict exchange(Peer client, IceLiteAgent server, double loss, Random lossRandom) {
        wire.clear();
        reply.clear();
        Path to = client.agent.pollTransmit(nowNs, wire);
        assertEquals(SERVER_V4, to);
        Verdict verdict = server.handleBindingRequest(nowNs, parse(wire), client.address, reply);
        if (reply.isReadable() && lossRandom.nextDouble() >= loss) {
            ByteBuf copy = reply.copy();
            try {
                StunMessage response = new StunMessage();
                if (response.wrap(copy, copy.readerIndex(), copy.readableBytes()) == StunParseResult.OK) {
                    client.agent.handleResponse(nowNs, response, SERVER_V4);
                }
            } finally {
                copy.release();
            }
        }
        return verdict;
    }

    /** Advances fake time event by event for {@code durationNs}, losing each datagram with probability {@code loss}. */
    private void runFor(Peer client, IceLiteAgent server, long durationNs, double loss, Random lossRandom) {
        long endNs = nowNs + durationNs;
        StunMessage response = new StunMessage();
        while (nowNs - endNs < 0 && server.state() != State.CLOSED) {
            while (true) {
                wire.clear();
                reply.clear();
                Path to = client.agent.pollTransmit(nowNs, wire);
                if (to == null) break;
                client.checksSent++;
                if (lossRandom.nextDouble() < loss) continue;
                client.lastDeliveredNs = nowNs;
                server.handleBindingRequest(nowNs, parse(wire), client.address, reply);
                if (!reply.isReadable() || lossRandom.nextDouble() < loss) continue;
                assertEquals(StunParseResult.OK, response.wrap(reply, reply.readerIndex(), reply.readableBytes()));
                client.agent.handleResponse(nowNs, response, to);
            }
            client.agent.handleTimeout(nowNs);
            server.handleTimeout(nowNs);
            long next = Math.min(client.agent.nextTimeoutNs(), server.nextTimeoutNs());
            nowNs = next - endNs < 0 ? Math.max(next, nowNs + 1) : endNs;
        }
    }

    private StunMessage parse(ByteBuf buf) {
        StunMessage m = new StunMessage();
        assertEquals(StunParseResult.OK, m.wrap(buf, buf.readerIndex(), buf.readableBytes()));
        return m;
    }

    /** A Binding request as a browser sends it to the server, with the chosen parts present. */
    private void writeRequest(String clientUfrag, IceCredentials server, boolean priority, boolean useCandidate, boolean claimControlled) {
        StunWriter w = writer.begin(wire, StunMessageType.BINDING_REQUEST, TRANSACTION).username(server.ufrag() + ":" + clientUfrag);
        if (priority) w.priority(2_130_706_431L);
        if (claimControlled) w.iceControlled(42);
        else w.iceControlling(42);
        if (useCandidate) w.useCandidate();
        w.messageIntegrity(StunIntegrity.shortTerm(server.pwd())).fingerprint().finish();
    }

    private void assertErrorCode(int code) {
        assertEquals(StunParseResult.OK, parsed.wrap(reply, reply.readerIndex(), reply.readableBytes()));
        assertTrue(parsed.isBindingErrorResponse());
        assertEquals(code, parsed.errorCode());
    }
}
