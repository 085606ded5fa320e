package dev.junction.gateway;

import dev.junction.gateway.http.DirectorySource;
import dev.junction.gateway.http.MetricsSource;
import dev.junction.gateway.http.Placement;
import io.vertx.core.Vertx;

/**
 * This node's membership of a cluster (issue 14), as {@link JunctionServer} holds it. The implementation lives in
 * {@code dev.junction.gateway.cluster} and is loaded only when {@code cluster.enabled} is on: this interface names
 * none of its types, so a single node never loads a cluster or Hazelcast class.
 *
 * <p>Threading: {@link #serving} and {@link #close} are called by the thread that starts or stops the server.
 */
public interface ClusterMembership extends AutoCloseable {

    /** The clustered Vert.x the HTTP API runs on. */
    Vertx vertx();

    /** Where WHIP/WHEP POSTs are served (307 to a room's home). */
    Placement placement();

    /** {@code GET /admin/cluster}. */
    DirectorySource directory();

    /** The cluster's lines of {@code /metrics}: live nodes, redirects, rejected directory entries. */
    MetricsSource metrics();

    /** The HTTP API listens: enter the directory (this node's load record, then a tick every second). */
    void serving();

    /** Leaves the directory (this node's rooms and load entry); closing its Vert.x afterwards leaves the cluster. */
    @Override
    void close();
}
