package dev.junction.gateway.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What this node believes about the cluster at one moment: the members as Hazelcast's membership names them, and
 * the directory's node records checked against them. Pure: built from plain values, no Hazelcast call, so the
 * rules that keep a forged directory entry from redirecting clients are tested without a cluster.
 *
 * <p>Where a 307 may send a client comes only from {@link Member}: the name and public URL a node announced as its
 * Hazelcast member attributes when it joined, which travel with the membership itself and which no other member
 * can rewrite. The directory's maps are writable by every member, so their entries are claims to check, never
 * facts:
 * <ul>
 *   <li>a node record counts (its load is used) only when its key, its name, its member UUID and its URL all match
 *       one live member's attributes; anything else is {@linkplain #rejectedRecords() rejected};</li>
 *   <li>a room's home is followed only when a live member carries that node name ({@link #urlOf}); a room naming
 *       anything else is stale or forged and is placed anew.</li>
 * </ul>
 *
 * <p>Immutable; any thread.
 */
final class ClusterView {

    /**
     * One live member as the membership announces it.
     *
     * @param uuid its Hazelcast member UUID
     * @param name its node name (member attribute {@value MemberConfig#NODE_ATTRIBUTE})
     * @param url  its public HTTP URL (member attribute {@value MemberConfig#URL_ATTRIBUTE})
     * @param pipe its pipe socket, {@code host:port} (member attribute {@value MemberConfig#PIPE_ATTRIBUTE}), or null
     */
    record Member(String uuid, String name, String url, String pipe) {
        Member(String uuid, String name, String url) {
            this(uuid, name, url, null);
        }

        /** The pipe socket's address, if announced and well formed. */
        Optional<java.net.InetSocketAddress> pipeAddress() {
            if (pipe == null) return Optional.empty();
            int colon = pipe.lastIndexOf(':');
            try {
                int port = Integer.parseInt(pipe.substring(colon + 1));
                String host = pipe.substring(0, colon);
                // An IP literal only (what MemberConfig announces): never a name to look up.
                if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:.]+\\]?")) return Optional.empty();
                return Optional.of(new java.net.InetSocketAddress(host, port));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private final Map<String, Member> membersByName;
    private final Map<String, NodeRecord> live;
    private final List<String> rejectedRecords;

    private ClusterView(Map<String, Member> membersByName, Map<String, NodeRecord> live, List<String> rejectedRecords) {
        this.membersByName = membersByName;
        this.live = live;
        this.rejectedRecords = rejectedRecords;
    }

    /**
     * {@code members}: the live members (those without both attributes, or whose name another member already
     * holds, are ignored: the older member, listed first by Hazelcast, keeps a name). {@code records}: the node map's
     * entries, key to JSON.
     */
    static ClusterView of(Collection<Member> members, Map<String, String> records) {
        Map<String, Member> byName = new HashMap<>();
        for (Member m : members) {
            if (m.name() == null || m.url() == null || m.name().isEmpty()) continue;
            byName.putIfAbsent(m.name(), m);
        }
        Map<String, NodeRecord> live = new HashMap<>();
        List<String> rejected = new ArrayList<>();
        for (Map.Entry<String, String> e : records.entrySet()) {
            Optional<NodeRecord> r = NodeRecord.parse(e.getValue());
            Member m = byName.get(e.getKey());
            if (r.isPresent() && m != null && r.get().name().equals(e.getKey()) && r.get().member().equals(m.uuid())
                    && r.get().url().equals(m.url())) {
                live.put(e.getKey(), r.get());
            } else {
                rejected.add(e.getKey());
            }
        }
        return new ClusterView(Map.copyOf(byName), Map.copyOf(live), List.copyOf(rejected));
    }

    /** The public URL of live node {@code node}, from its membership; empty when no live member has that name. */
    Optional<String> urlOf(String node) {
        Member m = membersByName.get(node);
        return m == null ? Optional.empty() : Optional.of(m.url());
    }

    /** The member named {@code node}, if it is live. */
    Optional<Member> member(String node) {
        return Optional.ofNullable(membersByName.get(node));
    }

    /** Whether a live member is named {@code node}. */
    boolean isLive(String node) {
        return membersByName.containsKey(node);
    }

    /** Node records that match their member, by node name: the only load placement reads. */
    Map<String, NodeRecord> liveRecords() {
        return live;
    }

    /** Keys of node records that match no live member (departed, damaged or forged). */
    List<String> rejectedRecords() {
        return rejectedRecords;
    }

    /** How many live members carry a node name. */
    int size() {
        return membersByName.size();
    }
}
