package dev.junction.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Placement over node records: where a new room is homed, and where a viewer goes that this node cannot take. */
class NodeRecordTest {

    private static NodeRecord node(String name, int sessions, boolean draining, boolean full) {
        return new NodeRecord(name, name + "-uuid", "http://" + name + ".example:8080", sessions, 0, 0, draining, full);
    }

    @Test
    void shouldHomeNewRoomsOnTheLeastLoadedNodeThatTakesSessions() {
        assertEquals("b", NodeRecord.leastLoaded("a", List.of(node("a", 5, false, false), node("b", 2, false, false), node("c", 3, false, false))));
        assertEquals("a", NodeRecord.leastLoaded("a", List.of(node("a", 2, false, false), node("b", 2, false, false))), "self on a tie");
        assertEquals("c", NodeRecord.leastLoaded("a", List.of(node("a", 0, true, false), node("b", 0, false, true), node("c", 9, false, false))),
                "a drained and a full node are skipped however idle");
        assertEquals("a", NodeRecord.leastLoaded("a", List.of(node("a", 0, true, false), node("b", 0, false, true))),
                "self when none takes sessions (it answers 503)");
    }

    @Test
    void shouldSendAViewerThisNodeCannotTakeToTheLeastLoadedOtherNodeTheHomeFirstOnATie() {
        List<NodeRecord> nodes = List.of(node("a", 0, true, false), node("b", 4, false, false), node("c", 4, false, false), node("d", 7, false, false));
        assertEquals(Optional.of("b"), NodeRecord.overflow("a", null, nodes), "by name on a tie without a home");
        assertEquals(Optional.of("c"), NodeRecord.overflow("a", "c", nodes), "the home on a tie: it has the media without a pipe");
        assertEquals(Optional.of("b"), NodeRecord.overflow("a", "d", nodes), "the home only on a tie, not when busier");
        assertEquals(Optional.empty(), NodeRecord.overflow("a", null, List.of(node("a", 0, false, true), node("b", 0, true, false))),
                "none: this node answers 503");
        assertEquals(Optional.empty(), NodeRecord.overflow("a", "a", List.of(node("a", 0, false, false))), "never itself");
    }

    @Test
    void shouldCarryDrainingAndFullThroughItsJson() {
        NodeRecord full = node("b", 10, false, true);
        assertEquals(Optional.of(full), NodeRecord.parse(full.toJson()));
        NodeRecord older = NodeRecord.parse("{\"name\":\"b\",\"member\":\"m\",\"url\":\"http://b:1\",\"sessions\":3}").orElseThrow();
        assertTrue(older.takesNewSessions(), "a record without the fields takes sessions");
    }
}
