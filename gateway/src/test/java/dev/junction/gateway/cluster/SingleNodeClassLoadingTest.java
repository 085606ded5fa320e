package dev.junction.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.dtls.DtlsCertificate;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code --cluster} nothing changes (issue 14): a server started and used as today loads no class of the
 * cluster package and none of Hazelcast's or its Vert.x cluster manager's, although they are on its classpath. The
 * JVM's own class-loading log is the witness.
 */
class SingleNodeClassLoadingTest {

    @Test
    void shouldLoadNoClusterOrHazelcastClassWithoutCluster(@TempDir Path dir) throws Exception {
        Path classLog = dir.resolve("classes.log");
        try (NodeProcess node = NodeProcess.start("single", List.of("-Xlog:class+load=info:file=" + classLog), List.of(), Map.of())) {
            String url = node.awaitReady();
            HttpResponse<String> published = NodeProcess.post(url + "/whip/room1", ClientOffer.publisher(DtlsCertificate.generate().fingerprint(),
                    new InetSocketAddress("127.0.0.1", 9), new SecureRandom()).sdp());
            assertEquals(201, published.statusCode(), published.body());
            assertEquals(404, NodeProcess.get(url + "/admin/cluster", NodeProcess.ADMIN_TOKEN).statusCode());
        }
        List<String> loaded = Files.readAllLines(classLog);
        assertTrue(loaded.stream().anyMatch(l -> l.contains("dev.junction.gateway.JunctionServer ")), "the log lists our classes");
        List<String> clusterClasses = loaded.stream()
                .filter(l -> l.contains("com.hazelcast.") || l.contains("io.vertx.spi.cluster.") || l.contains("dev.junction.gateway.cluster."))
                .toList();
        assertEquals(List.of(), clusterClasses, "a single node loads no cluster class");
    }
}
