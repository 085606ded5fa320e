package dev.junction.transport.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** REST credentials, nonces, CIDR ranges and the token bucket on their own. */
class TurnCredentialsTest {

    private static final TurnFiveTuple TUPLE = new TurnFiveTuple(TurnTransport.UDP,
            new InetSocketAddress("192.0.2.10", 61000), TurnHarness.SERVER);

    @Test
    void shouldDerivePasswordsAsBase64OfHmacSha1KnownAnswer() {
        // RFC 2202 test case 2 for HMAC-SHA1, base64-encoded: the REST formula's primitive pair.
        assertEquals("7/zfauXrL6LSdBbV8YTfnCWafHk=",
                RestCredentials.password("Jefe".getBytes(StandardCharsets.US_ASCII), "what do ya want for nothing?"));
    }

    @Test
    void shouldMintCredentialsTheServerAccepts() {
        RestCredentials.Credential credential = RestCredentials.mint(TurnHarness.SECRET, "alice", 1_767_312_000L);
        assertEquals("1767312000:alice", credential.username());
        assertEquals(TurnHarness.restPassword(credential.username()), credential.password(), "computed independently");
        assertEquals(1_767_312_000L, RestCredentials.expiry(credential.username()));
        assertEquals("alice", RestCredentials.user(credential.username()));
        assertThrows(IllegalArgumentException.class, () -> RestCredentials.mint(TurnHarness.SECRET, "a:b", 1));
    }

    @Test
    void shouldParseOnlyRestUsernames() {
        assertEquals(-1, RestCredentials.expiry("alice"));
        assertEquals(-1, RestCredentials.expiry(":alice"));
        assertEquals(-1, RestCredentials.expiry("12x:alice"));
        assertEquals(-1, RestCredentials.expiry("1234567890123:alice"), "more than 12 digits");
        assertEquals(17, RestCredentials.expiry("17:"));
        assertEquals("", RestCredentials.user("17:"));
        assertEquals("b:c", RestCredentials.user("17:b:c"));
        assertNull(RestCredentials.user("alice"));
    }

    @Test
    void shouldAcceptNoncesOnlyFromTheirTupleWithinTheirLifetime() {
        NonceIssuer nonces = new NonceIssuer(TurnHarness.NONCE_KEY, 60 * TurnHarness.SECOND_NS);
        long now = -5; // monotonic time may be negative
        String nonce = nonces.issue(TUPLE, now);
        assertEquals(27, nonce.length());
        assertTrue(nonce.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_'));
        assertTrue(nonces.isValid(nonce, TUPLE, now));
        assertTrue(nonces.isValid(nonce, TUPLE, now + 59 * TurnHarness.SECOND_NS));
        assertFalse(nonces.isValid(nonce, TUPLE, now + 60 * TurnHarness.SECOND_NS));
        assertFalse(nonces.isValid(nonce, TUPLE, now - 1), "issued in the future");
        assertFalse(nonces.isValid(nonce, new TurnFiveTuple(TurnTransport.TCP, TUPLE.client(), TUPLE.server()), now));
        assertFalse(nonces.isValid(nonce, new TurnFiveTuple(TurnTransport.UDP,
                new InetSocketAddress("192.0.2.10", 61001), TUPLE.server()), now));
        assertFalse(new NonceIssuer("another-key-of-16-bytes".getBytes(StandardCharsets.US_ASCII), 60 * TurnHarness.SECOND_NS)
                .isValid(nonce, TUPLE, now));
        assertFalse(nonces.isValid("!!!!!!!!!!!!!!!!!!!!!!!!!!!", TUPLE, now));
        char[] flipped = nonce.toCharArray();
        flipped[20] = flipped[20] == 'A' ? 'B' : 'A';
        assertFalse(nonces.isValid(new String(flipped), TUPLE, now));
    }

    @Test
    void shouldMatchCidrRanges() {
        IpRange v4 = IpRange.parse("10.0.0.0/8");
        assertTrue(v4.contains(new InetSocketAddress("10.255.0.1", 0).getAddress()));
        assertFalse(v4.contains(new InetSocketAddress("11.0.0.1", 0).getAddress()));
        IpRange odd = IpRange.parse("192.168.4.0/22");
        assertTrue(odd.contains(new InetSocketAddress("192.168.7.255", 0).getAddress()));
        assertFalse(odd.contains(new InetSocketAddress("192.168.8.0", 0).getAddress()));
        IpRange v6 = IpRange.parse("2001:db8::/32");
        assertTrue(v6.contains(new InetSocketAddress("2001:db8:1::5", 0).getAddress()));
        assertFalse(v6.contains(new InetSocketAddress("10.0.0.1", 0).getAddress()));
        assertTrue(IpRange.parse("0.0.0.0/0").contains(new InetSocketAddress("8.8.8.8", 0).getAddress()));
        assertTrue(IpRange.parse("8.8.8.8").contains(new InetSocketAddress("8.8.8.8", 0).getAddress()));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("example.com/8"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.0.0.0/x"));
    }

    @Test
    void shouldRefillTheTokenBucketAtItsRateUpToItsBurst() {
        long second = TurnHarness.SECOND_NS;
        TokenBucket bucket = new TokenBucket(1000, 1500, 0);
        assertTrue(bucket.tryConsume(1500, 0));
        assertFalse(bucket.tryConsume(1, 0));
        // 1000 steps of 1 ms add up to one second's worth, fractions kept.
        for (int i = 1; i <= 1000; i++) {
            bucket.tryConsume(0, i * second / 1000);
        }
        assertTrue(bucket.tryConsume(1000, second));
        assertFalse(bucket.tryConsume(1, second));
        assertTrue(bucket.tryConsume(1500, 100 * second), "a long pause fills to the burst, no more");
        assertFalse(bucket.tryConsume(1, 100 * second));
        assertTrue(new TokenBucket(0, 0, 0).tryConsume(1_000_000, 0), "rate 0 is unlimited");
    }

    @Test
    void shouldRefuseWildcardMediaAddresses() {
        assertThrows(IllegalArgumentException.class, () -> new PeerPolicy(
                java.util.Set.of(new InetSocketAddress("0.0.0.0", 40000)), java.util.List.of()));
    }
}
