package dev.junction.transport.turn;

import static dev.junction.transport.turn.TurnHarness.MEDIA;
import static dev.junction.transport.turn.TurnHarness.MEDIA_V6;
import static dev.junction.transport.turn.TurnHarness.REALM;
import static dev.junction.transport.turn.TurnHarness.SECRET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunAttribute;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.transport.turn.TurnHarness.Client;
import dev.junction.transport.turn.TurnHarness.Response;
import dev.junction.transport.turn.TurnHarness.Sent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The TURN core driven by a client role, a fake clock and fake relay ports: every method, every error code, every lifetime. */
class TurnServerTest {

    private static final InetSocketAddress ALICE = new InetSocketAddress("192.0.2.10", 61000);
    private static final InetSocketAddress OUTSIDER = new InetSocketAddress("8.8.8.8", 53);
    private static final InetSocketAddress LAN_PEER = new InetSocketAddress("10.1.2.3", 7000);
    private static final byte[] HELLO = "hello, relay".getBytes(StandardCharsets.US_ASCII);

    private TurnHarness harness = new TurnHarness();

    private Client client() {
        return harness.new Client(TurnTransport.UDP, ALICE);
    }

    private TurnHarness withRanges(String... cidrs) {
        return new TurnHarness(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA, MEDIA_V6))
                .withAllowedPeerRanges(java.util.Arrays.stream(cidrs).map(IpRange::parse).toList()));
    }

    // ---- Binding and authentication ----

    @Test
    void shouldAnswerBindingWithTheMappedAddressWithoutCredentials() {
        Client c = client();
        harness.fromClient(c.tuple, c.request(StunMessageType.BINDING_REQUEST, c.newTransactionId(), false, w -> { }));
        Response r = harness.response();
        assertEquals(StunMessageType.BINDING_SUCCESS_RESPONSE, r.type);
        assertEquals(ALICE, r.mapped);
        assertTrue(r.fingerprint);
    }

    @Test
    void shouldChallengeAllocateWithoutCredentialsWith401RealmAndNonce() {
        Client c = client();
        harness.fromClient(c.tuple, c.request(StunMessageType.ALLOCATE_REQUEST, c.newTransactionId(), false, w -> w.requestedTransport(17)));
        Response r = harness.response();
        assertEquals(StunMessageType.ALLOCATE_ERROR_RESPONSE, r.type);
        assertEquals(401, r.errorCode);
        assertEquals(REALM, r.realm);
        assertNotNull(r.nonce);
        assertFalse(r.integrity, "a challenge cannot be signed");
        assertEquals(1, harness.server.drops(TurnDropReason.CHALLENGED));
        assertEquals(0, harness.server.allocationCount());
    }

    @Test
    void shouldAllocateWithRestCredentials() {
        Client c = client();
        Response r = c.allocate();
        assertEquals(StunMessageType.ALLOCATE_SUCCESS_RESPONSE, r.type, r::toString);
        assertEquals(List.of(new InetSocketAddress("198.51.100.1", 50000)), r.relayed);
        assertEquals(600, r.lifetime, "the default lifetime (RFC 8656 §7.2)");
        assertEquals(ALICE, r.mapped);
        assertTrue(r.verifies(c.integrity), "signed with MD5(username:realm:base64(HMAC-SHA1(secret, username)))");
        assertTrue(r.fingerprint);
        assertEquals(1, harness.server.allocationCount());
        assertEquals(c.tuple, harness.server.ownerOf(r.relayed.get(0)));
    }

    @Test
    void shouldGrantLifetimesBetweenDefaultAndMaximum() {
        Client c = client();
        assertEquals(3600, c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).lifetime(86_400)).lifetime);
        assertEquals(3600, c.refresh(7200).lifetime);
        assertEquals(600, c.refresh(30).lifetime);
        assertEquals(1200, c.refresh(1200).lifetime);
        assertEquals(600, c.refresh(-1).lifetime, "no LIFETIME means the default");
    }

    @Test
    void shouldAnswerARetransmittedAllocateWithTheSameRelayedAddress() {
        Client c = client();
        c.allocateOk();
        byte[] id = c.newTransactionId();
        harness.server.handleClientClosed(c.tuple); // start over on a clean 5-tuple
        byte[] request = c.request(StunMessageType.ALLOCATE_REQUEST, id, true, w -> w.requestedTransport(17));
        harness.fromClient(c.tuple, request);
        Response first = harness.response();
        harness.nowNs += 2 * TurnHarness.SECOND_NS;
        harness.fromClient(c.tuple, request);
        Response again = harness.response();
        assertEquals(StunMessageType.ALLOCATE_SUCCESS_RESPONSE, again.type);
        assertEquals(first.relayed, again.relayed);
        assertEquals(2, harness.relayPorts.allocations, "one relay port per allocation, none for the retransmission");
        assertTrue(again.verifies(c.integrity));
    }

    @Test
    void shouldRejectASecondAllocateOnTheSameFiveTupleWith437() {
        Client c = client();
        c.allocateOk();
        Response r = c.allocate();
        assertEquals(437, r.errorCode);
        assertTrue(r.verifies(c.integrity), "errors after authentication are signed");
        assertEquals(1, harness.server.drops(TurnDropReason.REJECTED_ALLOCATION_MISMATCH));
    }

    @Test
    void shouldRejectTransportsOtherThanUdpWith442AndAMissingOneWith400() {
        Client c = client();
        assertEquals(442, c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(6)).errorCode);
        assertEquals(400, c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.lifetime(600)).errorCode);
        assertEquals(1, harness.server.drops(TurnDropReason.REJECTED_UNSUPPORTED_TRANSPORT));
        assertEquals(0, harness.server.allocationCount());
    }

    @Test
    void shouldRejectAnExpiredRestUsernameWith401() {
        Client c = client().user("alice", -1);
        Response r = c.allocate();
        assertEquals(401, r.errorCode);
        assertNotNull(r.nonce);
        assertEquals(REALM, r.realm);
        assertEquals(1, harness.server.drops(TurnDropReason.REJECTED_UNAUTHENTICATED));
    }

    @Test
    void shouldStopAcceptingAUsernameOnceItExpires() {
        Client c = client().user("alice", 1200);
        c.allocateOk();
        harness.advanceSeconds(500);
        assertEquals(StunMessageType.REFRESH_SUCCESS_RESPONSE, c.refresh(600).type);
        harness.advanceSeconds(701); // past the username's expiry, before the allocation's
        assertEquals(401, c.refresh(600).errorCode);
    }

    @Test
    void shouldRejectWrongPasswordsRealmsAndNonRestUsernamesWith401() {
        Client c = client();
        c.allocate(); // learns the nonce (and allocates)
        harness.server.handleClientClosed(c.tuple);
        c.integrity = StunIntegrity.longTerm(c.username, REALM, "not-the-password");
        assertEquals(401, c.allocate().errorCode);

        Client other = client();
        other.nonce = c.nonce;
        other.username = "alice";
        other.integrity = StunIntegrity.ofKey(TurnHarness.longTermKey("alice", REALM, TurnHarness.restPassword("alice")));
        assertEquals(401, other.allocate().errorCode, "no expiry: not a REST username");

        Client realm = client();
        realm.nonce = c.nonce;
        realm.realm = "elsewhere";
        assertEquals(401, realm.allocate().errorCode);
        assertEquals(3, harness.server.drops(TurnDropReason.REJECTED_UNAUTHENTICATED));
        assertEquals(0, harness.server.allocationCount());
    }

    @Test
    void shouldAnswer400WhenIntegrityComesWithoutUsernameRealmOrNonce() {
        Client c = client();
        harness.fromClient(c.tuple, c.request(StunMessageType.ALLOCATE_REQUEST, c.newTransactionId(), false,
                w -> w.requestedTransport(17).messageIntegrity(c.integrity)));
        assertEquals(400, harness.response().errorCode);
    }

    @Test
    void shouldAnswerAStaleNonceWith438AndAFreshOneThatWorks() {
        harness = new TurnHarness(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA)).withNonceLifetimeSeconds(60));
        Client c = client();
        c.allocateOk();
        String old = c.nonce;
        harness.advanceSeconds(61);
        byte[] request = c.request(StunMessageType.REFRESH_REQUEST, c.newTransactionId(), true, w -> w.lifetime(600));
        harness.fromClient(c.tuple, request);
        Response stale = harness.response();
        assertEquals(438, stale.errorCode);
        assertEquals(REALM, stale.realm);
        assertNotNull(stale.nonce);
        assertNotEquals(old, stale.nonce);
        assertFalse(stale.integrity);
        c.nonce = stale.nonce;
        assertEquals(StunMessageType.REFRESH_SUCCESS_RESPONSE, c.refresh(600).type);
        assertEquals(1, harness.server.drops(TurnDropReason.REJECTED_STALE_NONCE));
    }

    @Test
    void shouldAnswerForgedOrBorrowedNoncesWith438() {
        Client c = client();
        c.allocateOk();
        Client thief = harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.99", 1234));
        thief.nonce = c.nonce; // issued to another 5-tuple
        harness.fromClient(thief.tuple, thief.request(StunMessageType.ALLOCATE_REQUEST, thief.newTransactionId(), true,
                w -> w.requestedTransport(17)));
        assertEquals(438, harness.response().errorCode);
        thief.nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAA";
        harness.fromClient(thief.tuple, thief.request(StunMessageType.ALLOCATE_REQUEST, thief.newTransactionId(), true,
                w -> w.requestedTransport(17)));
        assertEquals(438, harness.response().errorCode);
        thief.nonce = "short";
        harness.fromClient(thief.tuple, thief.request(StunMessageType.ALLOCATE_REQUEST, thief.newTransactionId(), true,
                w -> w.requestedTransport(17)));
        assertEquals(438, harness.response().errorCode);
    }

    @Test
    void shouldAnswerUnknownComprehensionRequiredAttributesWith420() {
        Client c = client();
        harness.fromClient(c.tuple, c.request(StunMessageType.ALLOCATE_REQUEST, c.newTransactionId(), false,
                w -> w.requestedTransport(17).attribute(0x0033, new byte[4], 0, 4)));
        Response r = harness.response();
        assertEquals(420, r.errorCode);
        assertEquals(List.of(0x0033), r.unknownAttributes);
    }

    @Test
    void shouldAnswerDontFragmentWith420NamingIt() {
        Client c = client();
        Response r = c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).dontFragment());
        assertEquals(420, r.errorCode);
        assertEquals(List.of(StunAttribute.DONT_FRAGMENT), r.unknownAttributes);
        assertTrue(r.verifies(c.integrity));
    }

    @Test
    void shouldAnswerUnknownMethodsWith400() {
        Client c = client();
        harness.fromClient(c.tuple, c.request(StunMessageType.of(0x00A, StunMessageType.CLASS_REQUEST), c.newTransactionId(), false, w -> { }));
        assertEquals(400, harness.response().errorCode);
    }

    @Test
    void shouldRefuseReservationTokensWith508AndContradictionsWith400() {
        Client c = client();
        assertEquals(508, c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).reservationToken(42)).errorCode);
        assertEquals(400, c.send(StunMessageType.ALLOCATE_REQUEST,
                w -> w.requestedTransport(17).evenPort(false).reservationToken(42)).errorCode);
        assertEquals(400, c.send(StunMessageType.ALLOCATE_REQUEST,
                w -> w.requestedTransport(17).requestedAddressFamily(1).additionalAddressFamily(2)).errorCode);
        assertEquals(400, c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).additionalAddressFamily(1)).errorCode);
    }

    // ---- address families ----

    @Test
    void shouldAllocateIpv6WhenAskedAndAnswer440WhenTheRelayCannot() {
        Client c = client();
        Response v6 = c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).requestedAddressFamily(StunMessage.FAMILY_IPV6));
        assertEquals(new InetSocketAddress("2001:db8::100", 50000), v6.relayed.get(0));

        Client bad = harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.11", 1));
        assertEquals(440, bad.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).requestedAddressFamily(3)).errorCode);
        harness.relayPorts.ipv6 = false;
        assertEquals(440, bad.send(StunMessageType.ALLOCATE_REQUEST,
                w -> w.requestedTransport(17).requestedAddressFamily(StunMessage.FAMILY_IPV6)).errorCode);
        assertEquals(2, harness.server.drops(TurnDropReason.REJECTED_ADDRESS_FAMILY));
    }

    @Test
    void shouldMakeDualAllocationsAndReportAFailedIpv6HalfWithAddressErrorCode() {
        Client c = client();
        Response dual = c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).additionalAddressFamily(2));
        assertEquals(2, dual.relayed.size());
        assertEquals(-1, dual.addressErrorCode);
        assertEquals(dual.relayed, harness.server.relayedAddresses(c.tuple));

        harness.relayPorts.ipv6 = false;
        Client v4only = harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.12", 1));
        Response half = v4only.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).additionalAddressFamily(2));
        assertEquals(StunMessageType.ALLOCATE_SUCCESS_RESPONSE, half.type);
        assertEquals(1, half.relayed.size());
        assertEquals(440, half.addressErrorCode);
    }

    @Test
    void shouldAnswerPeerFamilyMismatchWith443() {
        Client c = client();
        c.allocateOk(); // IPv4 only
        assertEquals(443, c.createPermission(MEDIA_V6).errorCode);
        assertEquals(443, c.channelBind(0x4000, MEDIA_V6).errorCode);
        assertEquals(443, c.send(StunMessageType.REFRESH_REQUEST, w -> w.requestedAddressFamily(StunMessage.FAMILY_IPV6)).errorCode);
        assertEquals(3, harness.server.drops(TurnDropReason.REJECTED_PEER_FAMILY_MISMATCH));
        // A Send indication to the other family is dropped silently.
        harness.fromClient(c.tuple, c.sendIndication(MEDIA_V6, HELLO));
        assertTrue(harness.toClient.isEmpty());
        assertEquals(1, harness.server.drops(TurnDropReason.PEER_FAMILY_MISMATCH));
    }

    @Test
    void shouldRelayIpv6PeersOnAnIpv6Allocation() {
        Client c = client();
        InetSocketAddress relay = c.send(StunMessageType.ALLOCATE_REQUEST,
                w -> w.requestedTransport(17).requestedAddressFamily(StunMessage.FAMILY_IPV6)).relayed.get(0);
        assertEquals(StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE, c.createPermission(MEDIA_V6).type);
        harness.fromClient(c.tuple, c.sendIndication(MEDIA_V6, HELLO));
        Sent sent = harness.local.poll();
        assertEquals(relay, sent.relay());
        assertEquals(MEDIA_V6, sent.peer());
    }

    // ---- quotas ----

    @Test
    void shouldAnswerAllocationQuotaReachedPerUserWith486() {
        harness = new TurnHarness(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA)).withQuotas(2, 100));
        for (int port = 1; port <= 2; port++) {
            harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", port)).allocateOk();
        }
        Client third = harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 3));
        assertEquals(486, third.allocate().errorCode);
        // A fresh credential of the same user counts as the same user.
        Client renewed = harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 4)).user("alice", 7200);
        assertEquals(486, renewed.allocate().errorCode);
        // Another user is not affected, and deleting one frees a slot.
        harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 5)).user("bob", 600).allocateOk();
        Client first = harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 1));
        first.nonce = third.nonce;
        harness.server.handleClientClosed(first.tuple);
        assertEquals(StunMessageType.ALLOCATE_SUCCESS_RESPONSE, third.allocate().type);
        assertEquals(2, harness.server.drops(TurnDropReason.REJECTED_QUOTA));
    }

    @Test
    void shouldAnswerInsufficientCapacityWith508AtTheTotalOrWithoutFreePorts() {
        harness = new TurnHarness(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA)).withQuotas(100, 2));
        harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 1)).user("a", 600).allocateOk();
        harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 2)).user("b", 600).allocateOk();
        assertEquals(508, harness.new Client(TurnTransport.UDP, new InetSocketAddress("192.0.2.10", 3)).user("c", 600).allocate().errorCode);

        harness = new TurnHarness();
        harness.relayPorts.capacity = 0;
        assertEquals(508, client().allocate().errorCode);
        assertEquals(1, harness.server.drops(TurnDropReason.REJECTED_CAPACITY));
    }

    @Test
    void shouldAnswer508WhenAnAllocationsPermissionTableIsFull() {
        InetSocketAddress media2 = new InetSocketAddress(MEDIA.getAddress(), 40001);
        harness = new TurnHarness(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA, media2)).withTableLimits(1, 1)
                .withAllowedPeerRanges(List.of(IpRange.parse("10.0.0.0/8"))));
        Client c = client();
        c.allocateOk();
        assertEquals(StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE, c.createPermission(MEDIA).type);
        assertEquals(508, c.createPermission(LAN_PEER).errorCode);
        assertEquals(508, c.channelBind(0x4001, LAN_PEER).errorCode);
        assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, c.channelBind(0x4001, MEDIA).type);
        assertEquals(508, c.channelBind(0x4002, media2).errorCode, "the channel table is full");
        assertEquals(3, harness.server.drops(TurnDropReason.REJECTED_CAPACITY));
    }

    // ---- Refresh and lifetimes ----

    @Test
    void shouldDeleteOnRefreshWithLifetimeZeroAndReleaseThePort() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        Response r = c.refresh(0);
        assertEquals(StunMessageType.REFRESH_SUCCESS_RESPONSE, r.type);
        assertEquals(0, r.lifetime);
        assertEquals(0, harness.server.allocationCount());
        assertEquals(List.of(relay), harness.relayPorts.released);
        assertEquals(437, c.refresh(0).errorCode, "then there is nothing to refresh");
    }

    @Test
    void shouldAnswer437ForRequestsWithoutAnAllocation() {
        Client c = client();
        assertEquals(437, c.refresh(600).errorCode);
        assertEquals(437, c.createPermission(MEDIA).errorCode);
        assertEquals(437, c.channelBind(0x4000, MEDIA).errorCode);
        assertEquals(3, harness.server.drops(TurnDropReason.REJECTED_ALLOCATION_MISMATCH));
    }

    @Test
    void shouldAnswerWrongCredentialsWith441() {
        Client c = client();
        c.allocateOk();
        Client impostor = harness.new Client(TurnTransport.UDP, ALICE).user("mallory", 600);
        impostor.nonce = c.nonce;
        assertEquals(441, impostor.refresh(600).errorCode);
        assertEquals(441, impostor.createPermission(MEDIA).errorCode);
        assertEquals(441, impostor.channelBind(0x4000, MEDIA).errorCode);
        assertEquals(3, harness.server.drops(TurnDropReason.REJECTED_WRONG_CREDENTIALS));
        assertEquals(1, harness.server.allocationCount());
    }

    @Test
    void shouldExpireAnAllocationAtItsLifetimeUnlessRefreshed() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        assertEquals(TurnHarness.START_NS + 600 * TurnHarness.SECOND_NS, harness.server.nextTimeoutNs());
        harness.advanceSeconds(599);
        assertEquals(StunMessageType.REFRESH_SUCCESS_RESPONSE, c.refresh(600).type);
        harness.advanceSeconds(599);
        assertEquals(1, harness.server.allocationCount(), "refreshed at 599 s: lives to 1199 s");
        harness.advanceSeconds(2);
        assertEquals(0, harness.server.allocationCount());
        assertEquals(List.of(relay), harness.relayPorts.released);
        assertEquals(Long.MAX_VALUE, harness.server.nextTimeoutNs());
        harness.fromPeer(relay, MEDIA, HELLO);
        assertEquals(1, harness.server.drops(TurnDropReason.NO_ALLOCATION));
    }

    @Test
    void shouldTreatAnExpiredButUnsweptAllocationAsGone() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        harness.nowNs += 601 * TurnHarness.SECOND_NS; // no handleTimeout
        assertEquals(437, c.refresh(600).errorCode);
        assertEquals(List.of(relay), harness.relayPorts.released);
        assertEquals(StunMessageType.ALLOCATE_SUCCESS_RESPONSE, c.allocate().type);
    }

    @Test
    void shouldDeleteTheAllocationOfAClosedTcpConnection() {
        Client c = harness.new Client(TurnTransport.TCP, ALICE);
        InetSocketAddress relay = c.allocateOk();
        harness.server.handleClientClosed(c.tuple);
        assertEquals(0, harness.server.allocationCount());
        assertEquals(List.of(relay), harness.relayPorts.released);
    }

    // ---- permissions and the not-open-relay policy ----

    @Test
    void shouldPermitOurMediaAddressesAndRefuseOthersWith403() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        assertEquals(StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE, c.createPermission(MEDIA).type);
        assertTrue(harness.server.hasPermission(relay, MEDIA.getAddress(), harness.nowNs));
        Response forbidden = c.createPermission(OUTSIDER);
        assertEquals(403, forbidden.errorCode);
        assertTrue(forbidden.verifies(c.integrity));
        assertEquals(403, c.channelBind(0x4000, OUTSIDER).errorCode);
        assertEquals(403, c.channelBind(0x4000, new InetSocketAddress(MEDIA.getAddress(), 22)).errorCode,
                "a channel to another port of our own host");
        assertEquals(3, harness.server.drops(TurnDropReason.REJECTED_FORBIDDEN));
        assertFalse(harness.server.hasPermission(relay, OUTSIDER.getAddress(), harness.nowNs));
    }

    @Test
    void shouldInstallNoPermissionWhenAnyPeerIsForbidden() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        assertEquals(403, c.createPermission(MEDIA, OUTSIDER).errorCode);
        assertFalse(harness.server.hasPermission(relay, MEDIA.getAddress(), harness.nowNs));
        assertEquals(400, c.createPermission().errorCode, "no XOR-PEER-ADDRESS");
    }

    @Test
    void shouldPermitConfiguredRangesOnAnyPort() {
        harness = withRanges("10.0.0.0/8");
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        assertEquals(StunMessageType.CREATE_PERMISSION_SUCCESS_RESPONSE, c.createPermission(LAN_PEER).type);
        harness.fromClient(c.tuple, c.sendIndication(LAN_PEER, HELLO));
        Sent sent = harness.toPeer.poll();
        assertNotNull(sent, "relayed through the kernel");
        assertEquals(relay, sent.relay());
        assertEquals(LAN_PEER, sent.peer());
        assertArrayEquals(HELLO, sent.bytes());
        assertEquals(1, harness.server.relayedToPeers());
    }

    @Test
    void shouldDropDataToOtherPortsOfOurMediaIps() {
        Client c = client();
        c.allocateOk();
        c.createPermission(MEDIA);
        harness.fromClient(c.tuple, c.sendIndication(new InetSocketAddress(MEDIA.getAddress(), 22), HELLO));
        assertTrue(harness.toPeer.isEmpty());
        assertTrue(harness.local.isEmpty());
        assertEquals(1, harness.server.drops(TurnDropReason.FORBIDDEN_PEER));
    }

    @Test
    void shouldExpirePermissionsAfterFiveMinutesUnlessRefreshed() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        c.refresh(3600);
        c.createPermission(MEDIA);
        harness.advanceSeconds(299);
        harness.fromPeer(relay, MEDIA, HELLO);
        assertEquals(StunMessageType.DATA_INDICATION, harness.response().type);
        c.createPermission(MEDIA); // refreshed at 299 s
        harness.advanceSeconds(299);
        assertTrue(harness.server.hasPermission(relay, MEDIA.getAddress(), harness.nowNs));
        harness.advanceSeconds(2);
        assertFalse(harness.server.hasPermission(relay, MEDIA.getAddress(), harness.nowNs));
        harness.fromPeer(relay, MEDIA, HELLO);
        harness.fromClient(c.tuple, c.sendIndication(MEDIA, HELLO));
        assertTrue(harness.toClient.isEmpty());
        assertTrue(harness.local.isEmpty());
        assertEquals(2, harness.server.drops(TurnDropReason.NO_PERMISSION));
    }

    // ---- Send and Data indications, short-circuit ----

    @Test
    void shouldDeliverSendIndicationsToOurMediaSocketsInProcess() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        c.createPermission(MEDIA);
        harness.fromClient(c.tuple, c.sendIndication(MEDIA, HELLO));
        Sent sent = harness.local.poll();
        assertNotNull(sent, "short-circuited, not sent through the kernel");
        assertTrue(harness.toPeer.isEmpty());
        assertEquals(relay, sent.relay(), "as if from the allocation's relayed address");
        assertEquals(MEDIA, sent.peer());
        assertArrayEquals(HELLO, sent.bytes());
        assertEquals(1, harness.server.relayedLocally());
    }

    @Test
    void shouldWrapPeerDataInADataIndication() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        c.createPermission(MEDIA);
        harness.fromPeer(relay, MEDIA, HELLO);
        Response data = harness.response();
        assertEquals(StunMessageType.DATA_INDICATION, data.type);
        assertEquals(MEDIA, data.peer);
        assertArrayEquals(HELLO, data.data);
        assertFalse(data.integrity, "indications are not signed (RFC 8656 §10.3)");
        assertEquals(1, harness.server.relayedToClients());
    }

    @Test
    void shouldDropMalformedOrUnpermittedSendIndications() {
        Client c = client();
        harness.fromClient(c.tuple, c.sendIndication(MEDIA, HELLO));
        assertEquals(1, harness.server.drops(TurnDropReason.NO_ALLOCATION));
        c.allocateOk();
        harness.fromClient(c.tuple, c.sendIndication(MEDIA, HELLO));
        assertEquals(1, harness.server.drops(TurnDropReason.NO_PERMISSION));
        c.createPermission(MEDIA);
        ByteBuf out = Unpooled.buffer();
        try {
            c.writer.begin(out, StunMessageType.SEND_INDICATION, c.newTransactionId()).xorPeerAddress(MEDIA).finish();
            byte[] noData = new byte[out.readableBytes()];
            out.getBytes(0, noData);
            harness.fromClient(c.tuple, noData);
            out.clear();
            c.writer.begin(out, StunMessageType.SEND_INDICATION, c.newTransactionId()).xorPeerAddress(MEDIA)
                    .data(HELLO, 0, HELLO.length).dontFragment().finish();
            byte[] dontFragment = new byte[out.readableBytes()];
            out.getBytes(0, dontFragment);
            harness.fromClient(c.tuple, dontFragment);
        } finally {
            out.release();
        }
        assertEquals(2, harness.server.drops(TurnDropReason.BAD_SEND_INDICATION));
        assertTrue(harness.local.isEmpty());
        assertTrue(harness.toClient.isEmpty(), "indications are never answered");
    }

    @Test
    void shouldDropStunResponsesAndOtherIndications() {
        Client c = client();
        harness.fromClient(c.tuple, c.request(StunMessageType.BINDING_SUCCESS_RESPONSE, c.newTransactionId(), false, w -> { }));
        harness.fromClient(c.tuple, c.request(StunMessageType.DATA_INDICATION, c.newTransactionId(), false, w -> { }));
        assertEquals(2, harness.server.drops(TurnDropReason.UNEXPECTED_STUN));
        assertTrue(harness.toClient.isEmpty());
    }

    // ---- channels ----

    @Test
    void shouldRoundTripChannelDataOverUdpWithoutPadding() {
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        Response bound = c.channelBind(0x4001, MEDIA);
        assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, bound.type);
        assertTrue(bound.verifies(c.integrity));
        assertTrue(harness.server.hasPermission(relay, MEDIA.getAddress(), harness.nowNs), "ChannelBind installs the permission");

        byte[] message = channelData(0x4001, HELLO, 2); // padding bytes a UDP sender may add
        harness.fromClient(c.tuple, message);
        Sent sent = harness.local.poll();
        assertEquals(relay, sent.relay());
        assertArrayEquals(HELLO, sent.bytes());

        harness.fromPeer(relay, MEDIA, HELLO);
        byte[] back = harness.toClient.poll().bytes();
        assertEquals(4 + HELLO.length, back.length, "no padding over UDP");
        assertEquals(0x4001, ((back[0] & 0xFF) << 8) | (back[1] & 0xFF));
        assertEquals(HELLO.length, ((back[2] & 0xFF) << 8) | (back[3] & 0xFF));
    }

    @Test
    void shouldPadChannelDataToFourBytesOverTcp() {
        Client c = harness.new Client(TurnTransport.TCP, ALICE);
        InetSocketAddress relay = c.allocateOk();
        c.channelBind(0x4FFF, MEDIA);
        harness.fromPeer(relay, MEDIA, HELLO);
        byte[] back = harness.toClient.poll().bytes();
        assertEquals(4 + 12, back.length, "12 bytes of data, already a multiple of four");
        harness.fromPeer(relay, MEDIA, "odd".getBytes(StandardCharsets.US_ASCII));
        assertEquals(8, harness.toClient.poll().bytes().length);
        // A TCP frame must be exactly padded.
        harness.fromClient(c.tuple, channelData(0x4FFF, "odd".getBytes(StandardCharsets.US_ASCII), 1));
        assertArrayEquals("odd".getBytes(StandardCharsets.US_ASCII), harness.local.poll().bytes());
        harness.fromClient(c.tuple, channelData(0x4FFF, "odd".getBytes(StandardCharsets.US_ASCII), 0));
        assertEquals(1, harness.server.drops(TurnDropReason.MALFORMED_CHANNEL_DATA));
    }

    @Test
    void shouldRelayChannelDataToAllowedRangesThroughTheKernel() {
        harness = withRanges("10.0.0.0/8");
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        c.channelBind(0x4002, LAN_PEER);
        harness.fromClient(c.tuple, channelData(0x4002, HELLO, 0));
        Sent sent = harness.toPeer.poll();
        assertEquals(LAN_PEER, sent.peer());
        assertEquals(relay, sent.relay());
    }

    @Test
    void shouldAnswerBadChannelNumbersAndConflictsWith400() {
        InetSocketAddress otherMedia = new InetSocketAddress(MEDIA.getAddress(), 40002);
        harness = new TurnHarness(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA, otherMedia)));
        Client c = client();
        c.allocateOk();
        assertEquals(400, c.channelBind(0x3FFF, MEDIA).errorCode);
        assertEquals(400, c.channelBind(0x8000, MEDIA).errorCode, "above RFC 5766's range");
        assertEquals(400, c.send(StunMessageType.CHANNEL_BIND_REQUEST, w -> w.channelNumber(0x4000)).errorCode);
        assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, c.channelBind(0x4000, MEDIA).type);
        assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, c.channelBind(0x4000, MEDIA).type, "a refresh");
        assertEquals(400, c.channelBind(0x4000, otherMedia).errorCode, "number bound to another peer");
        assertEquals(400, c.channelBind(0x4001, MEDIA).errorCode, "peer bound to another number");
        assertEquals(5, harness.server.drops(TurnDropReason.REJECTED_BAD_REQUEST));
    }

    @Test
    void shouldAcceptRfc5766ChannelNumbersAbove0x4FFF() {
        Client c = client();
        c.allocateOk();
        assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, c.channelBind(0x7ABC, MEDIA).type);
        harness.fromClient(c.tuple, new byte[] {0x7A, (byte) 0xBC, 0, 2, 'h', 'i'});
        assertEquals(1, harness.local.size(), "ChannelData on an RFC 5766 channel is relayed");
    }

    @Test
    void shouldExpireChannelsAndReserveThemForFiveMinutes() {
        InetSocketAddress otherMedia = new InetSocketAddress(MEDIA.getAddress(), 40002);
        harness = new TurnHarness(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA, otherMedia)));
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        c.refresh(3600);
        c.channelBind(0x4000, MEDIA);
        harness.advanceSeconds(290);
        c.createPermission(MEDIA); // the permission outlives the channel
        harness.advanceSeconds(290);
        c.createPermission(MEDIA);
        assertTrue(harness.server.hasActiveChannel(c.tuple, 0x4000, harness.nowNs));
        harness.advanceSeconds(21); // 601 s
        assertFalse(harness.server.hasActiveChannel(c.tuple, 0x4000, harness.nowNs));
        harness.fromClient(c.tuple, channelData(0x4000, HELLO, 0));
        assertEquals(1, harness.server.drops(TurnDropReason.NO_CHANNEL));
        harness.fromPeer(relay, MEDIA, HELLO);
        assertEquals(StunMessageType.DATA_INDICATION, harness.response().type, "without a channel, peer data comes as Data indications");
        assertEquals(400, c.channelBind(0x4000, otherMedia).errorCode, "reserved for 5 minutes after expiry");
        harness.advanceSeconds(301);
        assertEquals(StunMessageType.CHANNEL_BIND_SUCCESS_RESPONSE, c.channelBind(0x4000, otherMedia).type);
    }

    @Test
    void shouldDropChannelDataOnUnboundChannelsOrWithoutAllocation() {
        Client c = client();
        harness.fromClient(c.tuple, channelData(0x4000, HELLO, 0));
        assertEquals(1, harness.server.drops(TurnDropReason.NO_ALLOCATION));
        c.allocateOk();
        harness.fromClient(c.tuple, channelData(0x4000, HELLO, 0));
        assertEquals(1, harness.server.drops(TurnDropReason.NO_CHANNEL));
        harness.fromClient(c.tuple, new byte[] {0x40, 0x00, 0x00, 0x09, 1, 2});
        harness.fromClient(c.tuple, new byte[] {0x40});
        assertEquals(2, harness.server.drops(TurnDropReason.MALFORMED_CHANNEL_DATA));
        harness.fromClient(c.tuple, new byte[] {(byte) 0x80, 0, 0, 0});
        harness.fromClient(c.tuple, new byte[0]);
        assertEquals(2, harness.server.drops(TurnDropReason.NOT_TURN));
    }

    // ---- bandwidth ----

    @Test
    void shouldDropRelayedDataOverTheAllocationsBandwidthBudget() {
        harness = new TurnHarness(TurnSettings.defaults(REALM, SECRET, Set.of(MEDIA)).withBandwidth(10_000, 2_000));
        Client c = client();
        InetSocketAddress relay = c.allocateOk();
        c.channelBind(0x4000, MEDIA);
        byte[] packet = new byte[900];
        harness.fromClient(c.tuple, channelData(0x4000, packet, 0));
        harness.fromPeer(relay, MEDIA, packet);   // both directions share the budget
        harness.fromClient(c.tuple, channelData(0x4000, packet, 0));
        assertEquals(1, harness.local.size());
        assertEquals(1, harness.toClient.size());
        assertEquals(1, harness.server.drops(TurnDropReason.BANDWIDTH_EXCEEDED));
        harness.nowNs += 100_000_000L; // 0.1 s refills 1000 bytes
        harness.fromClient(c.tuple, channelData(0x4000, packet, 0));
        assertEquals(2, harness.local.size());
        harness.fromPeer(relay, MEDIA, packet);
        assertEquals(2, harness.server.drops(TurnDropReason.BANDWIDTH_EXCEEDED));
    }

    // ---- closing ----

    @Test
    void shouldReleaseEveryRelayPortOnClose() {
        Client c = client();
        c.send(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17).additionalAddressFamily(2));
        harness.new Client(TurnTransport.TLS, new InetSocketAddress("192.0.2.77", 443)).allocateOk();
        harness.server.close();
        assertEquals(3, harness.relayPorts.released.size());
        assertTrue(harness.relayPorts.inUse.isEmpty());
        assertEquals(0, harness.server.allocationCount());
        assertNull(harness.server.ownerOf(harness.relayPorts.released.get(0)));
    }

    /** ChannelData with {@code padding} extra zero bytes after the data. */
    static byte[] channelData(int channel, byte[] data, int padding) {
        byte[] b = new byte[4 + data.length + padding];
        b[0] = (byte) (channel >>> 8);
        b[1] = (byte) channel;
        b[2] = (byte) (data.length >>> 8);
        b[3] = (byte) data.length;
        System.arraycopy(data, 0, b, 4, data.length);
        return b;
    }
}
