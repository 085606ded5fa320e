package dev.junction.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class JunctionServerTest {

    @Test
    void shouldAnswerHealthOnLoopback() throws Exception {
        try (JunctionServer server = JunctionServer.start(ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "1"}));
             HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertEquals("ok\n", ok.body());
            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
        }
    }
}
