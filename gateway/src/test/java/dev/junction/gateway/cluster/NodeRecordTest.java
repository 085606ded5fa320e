package dev.junction.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Placement over node records: where a new room is homed, and where a viewer goes that this node cannot take. */
class NodeRecordTest {

    private static NodeRecord node(String name, int sessions, boolean draining, boolean full) {
        return new NodeRecord(name, name + "-uuid", "http://" + name + ".example:8080", sessions, 0, 0, draining, full, Set.of());
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

    private static NodeRecord piping(String name, int sessions, boolean full, String... rooms) {
        return new NodeRecord(name, name + "-uuid", "http://" + name + ".example:8080", sessions, 0, 0, false, full, Set.of(rooms));
    }

    @Test
    void shouldSendAViewerThisNodeCannotTakeToTheLeastLoadedOtherNodeWhenNoneCarriesTheRoom() {
        List<NodeRecord> nodes = List.of(node("a", 0, true, false), node("b", 4, false, false), node("c", 4, false, false), node("d", 7, false, false));
        assertEquals(Optional.of("b"), NodeRecord.overflow("a", "stage", null, nodes), "by name on a tie without a home");
        assertEquals(Optional.of("b"), NodeRecord.overflow("a", "stage", "a", nodes), "the home is this node: any other");
        assertEquals(Optional.empty(), NodeRecord.overflow("a", "stage", null, List.of(node("a", 0, false, true), node("b", 0, true, false))),
                "none: this node answers 503");
        assertEquals(Optional.empty(), NodeRecord.overflow("a", "stage", "a", List.of(node("a", 0, false, false))), "never itself");
    }

    @Test
    void shouldSendAViewerThisNodeCannotTakeToTheLeastLoadedNodeThatAlreadyCarriesTheRoom() {
        List<NodeRecord> nodes = List.of(piping("a", 0, true), piping("b", 1, false), piping("c", 9, false, "stage"), piping("d", 7, false),
                piping("e", 5, false, "other"));
        assertEquals(Optional.of("d"), NodeRecord.overflow("a", "stage", "d", nodes), "the home over an idler node without the room");
        assertEquals(Optional.of("c"), NodeRecord.overflow("a", "stage", null, nodes), "a node with a pipe of the room over idler ones");
        assertEquals(Optional.of("b"), NodeRecord.overflow("a", "stage", "b", nodes), "the least loaded of the home and the piping nodes");
        assertEquals(Optional.of("e"), NodeRecord.overflow("a", "other", "c", nodes), "a piping node less loaded than the home");
        assertEquals(Optional.of("c"), NodeRecord.overflow("a", "stage", "c",
                List.of(piping("a", 0, true), piping("b", 9, false, "stage"), piping("c", 9, false))), "the home first on a tie");
        assertEquals(Optional.of("b"), NodeRecord.overflow("a", "stage", "d",
                List.of(piping("a", 0, true), piping("b", 3, false), piping("c", 1, true, "stage"), piping("d", 0, true))),
                "the carriers all full or drained: the least loaded of those that take sessions");
        assertEquals(Optional.of("b"), NodeRecord.overflow("a", "stage", "gone", List.of(piping("a", 0, true), piping("b", 3, false))),
                "a home with no live record carries nothing");
    }

    @Test
    void shouldCarryDrainingAndFullThroughItsJson() {
        NodeRecord full = node("b", 10, false, true);
        assertEquals(Optional.of(full), NodeRecord.parse(full.toJson()));
        NodeRecord older = NodeRecord.parse("{\"name\":\"b\",\"member\":\"m\",\"url\":\"http://b:1\",\"sessions\":3}").orElseThrow();
        assertTrue(older.takesNewSessions(), "a record without the fields takes sessions");
        assertEquals(Set.of(), older.pipedRooms(), "and carries no room through a pipe");
    }

    @Test
    void shouldCarryItsPipedRoomsThroughItsJsonAndRefuseAMalformedList() {
        NodeRecord piping = piping("b", 2, false, "stage", "other");
        assertEquals(Optional.of(piping), NodeRecord.parse(piping.toJson()));
        assertEquals(Optional.empty(), NodeRecord.parse("{\"name\":\"b\",\"member\":\"m\",\"url\":\"http://b:1\",\"piped_rooms\":[1]}"));
        assertEquals(Optional.empty(), NodeRecord.parse("{\"name\":\"b\",\"member\":\"m\",\"url\":\"http://b:1\",\"piped_rooms\":[null]}"));
        assertEquals(Optional.empty(), NodeRecord.parse("{\"name\":\"b\",\"member\":\"m\",\"url\":\"http://b:1\",\"piped_rooms\":\"stage\"}"));
    }
}
