package dev.junction.gateway.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.junction.config.ClusterSettings;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The Hazelcast member configuration of a node, built in code from {@link ClusterSettings}: Vert.x's own map and
 * multimap settings ({@code default-cluster.xml}, which its cluster manager needs), then a TCP/IP join over the
 * configured member list (no multicast, no cloud auto-detection), the cluster port bound to {@code cluster.host}
 * only, a cluster name derived from the secret, and the node's name and public URL as member attributes.
 *
 * <p>The secret: Hazelcast's open-source edition has no member authentication, but a member only joins a cluster
 * of the same name. The name is a hash of the secret, so a node without it cannot join, and the secret itself
 * never crosses the wire. It is no encryption and no defence against someone who can read the cluster's traffic
 * (the hashed name is then enough): README "Cluster" tells operators to keep the port on a private network.
 */
final class MemberConfig {

    /** Member attribute: the node's name ({@code cluster.node-name}). */
    static final String NODE_ATTRIBUTE = "junction.node";
    /** Member attribute: the node's public HTTP URL, where a 307 may send clients ({@link ClusterView}). */
    static final String URL_ATTRIBUTE = "junction.url";
    /** Member attribute: the node's pipe socket, {@code host:port}: the only source node pipe datagrams are taken from. */
    static final String PIPE_ATTRIBUTE = "junction.pipe";

    private MemberConfig() {
    }

    /** {@code publicUrl}: this node's public HTTP URL; {@code pipe}: its pipe socket; both announced with its membership. */
    static Config of(ClusterSettings settings, String publicUrl, java.net.InetSocketAddress pipe) {
        Config config = ConfigUtil.loadConfig();
        // Announced with the membership, which only the member itself sets (at join): the one source of redirect URLs.
        config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, settings.effectiveNodeName()).setAttribute(URL_ATTRIBUTE, publicUrl)
                .setAttribute(PIPE_ATTRIBUTE, pipe.getAddress().getHostAddress() + ":" + pipe.getPort());
        config.setClusterName(clusterName(settings.secret()));
        config.setInstanceName("junction-" + settings.effectiveNodeName());
        // A server never phones home, and it leaves the cluster in its own shutdown hook (JunctionServer.close),
        // after taking its rooms out of the directory: Hazelcast's hook would leave first.
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        // The membership timeout: how long a silent (killed, cut off) node keeps its rooms in the directory.
        int timeoutS = settings.memberTimeoutSeconds();
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(timeoutS));
        config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(Math.max(1, Math.min(5, timeoutS / 5))));
        config.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port()).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).setInterfaces(List.of(settings.host()));
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        List<String> members = new ArrayList<>(settings.members());
        members.add((settings.host().indexOf(':') >= 0 ? "[" + settings.host() + "]" : settings.host()) + ":" + settings.port());
        join.getTcpIpConfig().setEnabled(true).setMembers(members);
        return config;
    }

    /** {@code junction-} and 128 bits of SHA-256 over the secret: the same on every node with the same secret. */
    static String clusterName(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("junction-cluster:" + secret).getBytes(StandardCharsets.UTF_8));
            return "junction-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
