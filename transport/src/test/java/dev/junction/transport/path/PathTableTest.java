package dev.junction.transport.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.stun.StunMessage;
import dev.junction.config.MediaSettings;
import dev.junction.transport.DropReason;
import dev.junction.transport.socket.MediaPlane;
import dev.junction.transport.socket.MediaSocket;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The 5-tuple boundary (DESIGN §3.5): only authorized paths reach their owner, one address has one owner, the
 * latest authenticated session takes an address over, and a session holds a bounded number of paths.
 */
class PathTableTest {

    private static MediaPlane plane;
    private static MediaSocket socket;
    private static MediaSocket other;

    private final PathTable table = new PathTable();

    @BeforeAll
    static void sockets() {
        plane = MediaPlane.start(new MediaSettings("127.0.0.1", 0, 1, List.of("127.0.0.1")), i -> (s, c, f, n) -> { });
        socket = plane.sockets().get(0);
        other = plane.open(0, new InetSocketAddress("127.0.0.1", 0), (s, c, f, n) -> { });
    }

    @AfterAll
    static void close() {
        plane.close();
    }

    /** An owner that records which of its paths were revoked. */
    private static final class Owner implements PathOwner {
        final List<Path> revoked = new ArrayList<>();

        @Override
        public DropReason handleStun(StunMessage message, Path from, long nowNs) {
            return null;
        }

        @Override
        public DropReason handleDtls(Path from, ByteBuf datagram) {
            return null;
        }

        @Override
        public DropReason handleSrtp(Path from, ByteBuf datagram, boolean rtcp, long nowNs) {
            return null;
        }

        @Override
        public boolean acceptsUsername(StunMessage request) {
            return false;
        }

        @Override
        public void onPathRevoked(Path path) {
            revoked.add(path);
        }
    }

    private static InetSocketAddress peer(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void shouldBindAPathOnlyWhenAuthorized() {
        Owner owner = new Owner();
        PathTable.PathSet set = table.newSet(owner);
        UdpPath candidate = table.candidate(socket, peer(1));
        assertNull(table.find(socket, peer(1)), "a candidate is not in the table");
        assertNull(candidate.owner());
        assertFalse(candidate.isAuthorized());

        set.authorize(candidate, null);
        assertSame(candidate, table.find(socket, peer(1)));
        assertSame(owner, candidate.owner());
        assertTrue(candidate.isAuthorized());
        assertTrue(set.contains(candidate));
        assertNull(table.find(other, peer(1)), "the same address on another socket is another 5-tuple");
    }

    @Test
    void shouldRouteButNotAuthorizeARegisteredPath() {
        Owner owner = new Owner();
        PathTable.PathSet set = table.newSet(owner);
        UdpPath answerCandidate = new UdpPath(socket, peer(2));
        set.register(answerCandidate);
        assertSame(answerCandidate, table.find(socket, peer(2)), "the server's answers find their session");
        assertFalse(answerCandidate.isAuthorized(), "but its DTLS and SRTP do not, until ICE authenticated it");
        set.authorize(answerCandidate, answerCandidate);
        assertTrue(answerCandidate.isAuthorized());
        assertEquals(1, set.size());
    }

    @Test
    void shouldLetTheLatestAuthenticatedSessionTakeAnAddressOver() {
        Owner abandoned = new Owner();
        Owner fresh = new Owner();
        PathTable.PathSet old = table.newSet(abandoned);
        PathTable.PathSet now = table.newSet(fresh);
        UdpPath first = table.candidate(socket, peer(3));
        old.authorize(first, first);

        UdpPath second = table.candidate(socket, peer(3));
        now.authorize(second, second);

        assertSame(second, table.find(socket, peer(3)));
        assertSame(fresh, second.owner());
        assertEquals(List.of(first), abandoned.revoked, "the old session is told, so it stops sending there");
        assertFalse(first.isAuthorized());
        assertNull(first.owner());
        assertEquals(0, old.size());
        assertEquals(1, table.size());
    }

    @Test
    void shouldKeepTheOldPairAfterANewNominationButBoundTheSet() {
        Owner owner = new Owner();
        PathTable.PathSet set = table.newSet(owner);
        UdpPath v4 = table.candidate(socket, peer(10));
        set.authorize(v4, v4);
        UdpPath rebound = table.candidate(socket, peer(11));
        set.authorize(rebound, rebound);
        assertTrue(v4.isAuthorized(), "the old pair stays authorized for packets in flight");
        assertSame(v4, table.find(socket, peer(10)));

        // A peer that keeps checking from new ports cannot grow the table: its oldest paths go first.
        UdpPath selected = rebound;
        for (int port = 12; port < 12 + 2 * PathTable.MAX_PATHS_PER_OWNER; port++) {
            set.authorize(table.candidate(socket, peer(port)), selected);
        }
        assertEquals(PathTable.MAX_PATHS_PER_OWNER, set.size());
        assertEquals(PathTable.MAX_PATHS_PER_OWNER, table.size());
        assertTrue(selected.isAuthorized(), "the path media goes to is never evicted");
        assertSame(selected, table.find(socket, peer(11)));
        assertTrue(owner.revoked.contains(v4));
        assertEquals(2 + 2 * PathTable.MAX_PATHS_PER_OWNER - PathTable.MAX_PATHS_PER_OWNER, owner.revoked.size(),
                "every path beyond the bound was revoked, and only those");
    }

    @Test
    void shouldUnbindEverythingWhenTheSessionEnds() {
        Owner owner = new Owner();
        PathTable.PathSet set = table.newSet(owner);
        UdpPath a = table.candidate(socket, peer(40));
        UdpPath b = table.candidate(socket, peer(41));
        set.authorize(a, a);
        set.authorize(b, a);
        set.releaseAll();
        assertEquals(0, table.size());
        assertEquals(0, set.size());
        assertNull(table.find(socket, peer(40)));
        assertFalse(a.isAuthorized());
        assertTrue(owner.revoked.isEmpty(), "the owner ended them itself");
    }
}
