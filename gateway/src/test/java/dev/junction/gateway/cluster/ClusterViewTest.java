package dev.junction.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The rules that keep the directory's writable maps from sending clients anywhere but a live member's own URL
 * (issue 14, hostile input): records and room homes are claims, checked against the membership.
 */
class ClusterViewTest {

    private static final ClusterView.Member A = new ClusterView.Member("uuid-a", "a", "http://10.0.0.1:8080");
    private static final ClusterView.Member B = new ClusterView.Member("uuid-b", "b", "https://b.example.com");

    private static String record(String name, String member, String url, int sessions) {
        return new NodeRecord(name, member, url, sessions, 0, 0, false, false, java.util.Set.of()).toJson();
    }

    @Test
    void shouldTakeUrlsFromTheMembershipOnly() {
        ClusterView view = ClusterView.of(List.of(A, B), Map.of("a", record("a", "uuid-a", "http://evil.example", 0)));
        assertEquals(Optional.of("http://10.0.0.1:8080"), view.urlOf("a"), "a forged record cannot change a's URL");
        assertEquals(Optional.of("https://b.example.com"), view.urlOf("b"), "a member without a record is still reachable");
        assertEquals(Optional.empty(), view.urlOf("mallory"), "a room homed on a name no member carries is never followed");
        assertFalse(view.isLive("mallory"));
    }

    @Test
    void shouldRejectRecordsThatDoNotMatchTheirMember() {
        Map<String, String> records = new TreeMap<>();
        records.put("a", record("a", "uuid-a", "http://10.0.0.1:8080", 3));
        records.put("b", record("b", "uuid-b", "http://evil.example", 0)); // b's URL forged
        records.put("c", record("c", "uuid-c", "http://10.0.0.3:8080", 0)); // departed: no member c
        records.put("d", record("a", "uuid-a", "http://10.0.0.1:8080", 0)); // a's record under another key
        records.put("e", "{not json");
        records.put("f", record("f", "uuid-a", "http://10.0.0.1:8080", 0)); // a's UUID under another name
        ClusterView view = ClusterView.of(List.of(A, B), records);
        assertEquals(Map.of("a", NodeRecord.parse(records.get("a")).orElseThrow()), view.liveRecords());
        assertEquals(List.of("b", "c", "d", "e", "f"), view.rejectedRecords().stream().sorted().toList());
    }

    @Test
    void shouldLetTheOlderMemberKeepANameAndIgnoreMembersWithoutAttributes() {
        ClusterView.Member impostor = new ClusterView.Member("uuid-x", "a", "http://evil.example");
        ClusterView.Member bare = new ClusterView.Member("uuid-y", null, null);
        ClusterView view = ClusterView.of(List.of(A, impostor, bare), Map.of("a", record("a", "uuid-x", "http://evil.example", 0)));
        assertEquals(Optional.of(A.url()), view.urlOf("a"));
        assertEquals(List.of("a"), view.rejectedRecords());
        assertEquals(1, view.size());
        assertTrue(view.liveRecords().isEmpty());
    }
}
