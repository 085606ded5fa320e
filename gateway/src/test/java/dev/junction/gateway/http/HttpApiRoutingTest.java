package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Resources, methods, CORS, health, metrics and the demo page over a real server. */
class HttpApiRoutingTest {

    @Test
    void shouldAnswerHealth() throws Exception {
        try (TestApi api = TestApi.open()) {
            HttpResponse<String> ok = api.get("/health");
            assertEquals(200, ok.statusCode());
            assertEquals("ok\n", ok.body());
            assertEquals(HttpClient.Version.HTTP_1_1, ok.version(), "the client asks for h2c; serverOptions must refuse it");
        }
    }

    @Test
    void shouldAnswer404WithAReasonForUnknownResources() throws Exception {
        try (TestApi api = TestApi.open()) {
            for (String path : List.of("/nope", "/whip", "/whip/room/id/extra", "/index.html", "/whip/room/bad.id")) {
                HttpResponse<String> missing = api.get(path);
                assertEquals(404, missing.statusCode(), path);
                assertEquals("text/plain; charset=utf-8", missing.headers().firstValue("Content-Type").orElseThrow(), path);
                assertTrue(missing.body().endsWith("\n") && missing.body().indexOf('\n') == missing.body().length() - 1, missing.body());
                assertEquals("*", missing.headers().firstValue("Access-Control-Allow-Origin").orElseThrow(), path);
            }
        }
    }

    @Test
    void shouldAnswer400ForAMalformedRoomName() throws Exception {
        try (TestApi api = TestApi.open()) {
            HttpResponse<String> bad = api.postSdp("/whip/" + "r".repeat(65), "v=0\r\n");
            assertEquals(400, bad.statusCode());
            assertEquals("room name must match [A-Za-z0-9_-]{1,64}\n", bad.body());
            assertTrue(api.service.calls.isEmpty());
        }
    }

    @Test
    void shouldAnswer405WithAllowForWrongMethods() throws Exception {
        try (TestApi api = TestApi.open()) {
            assertMethodNotAllowed(api, api.get("/whip/room1"), "OPTIONS, POST");
            assertMethodNotAllowed(api, api.send(api.request("/whep/room1").DELETE().build()), "OPTIONS, POST");
            assertMethodNotAllowed(api, api.send(api.request("/whep/room1").PUT(HttpRequest.BodyPublishers.ofString("x")).build()), "OPTIONS, POST");
            assertMethodNotAllowed(api, api.get("/whip/room1/sess1"), "OPTIONS, PATCH, DELETE");
            assertMethodNotAllowed(api, api.postSdp("/whip/room1/sess1", "v=0\r\n"), "OPTIONS, PATCH, DELETE");
            assertMethodNotAllowed(api, api.postSdp("/health", "v=0\r\n"), "GET");
            assertMethodNotAllowed(api, api.send(api.request("/").DELETE().build()), "GET");
            assertTrue(api.service.calls.isEmpty());
        }
    }

    private static void assertMethodNotAllowed(TestApi api, HttpResponse<String> response, String allow) {
        assertEquals(405, response.statusCode(), response.request().method() + " " + response.uri());
        assertEquals(allow, response.headers().firstValue("Allow").orElseThrow());
        assertTrue(response.body().endsWith("\n"), response.body());
    }

    @Test
    void shouldAnswerCorsPreflightOnTheEndpointWithAcceptPost() throws Exception {
        try (TestApi api = TestApi.withToken("s3cret")) {
            HttpResponse<String> preflight = api.send(api.request("/whip/room1")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "http://example.org")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization, content-type")
                    .build());

            assertEquals(200, preflight.statusCode(), "a preflight carries no token and must not get 401");
            assertEquals("application/sdp", preflight.headers().firstValue("Accept-Post").orElseThrow());
            assertEquals("*", preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals("OPTIONS, POST", preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
            assertEquals("OPTIONS, POST", preflight.headers().firstValue("Allow").orElseThrow());
            String allowHeaders = preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow();
            for (String header : List.of("Authorization", "Content-Type", "If-Match")) assertTrue(allowHeaders.contains(header), allowHeaders);
            String exposed = preflight.headers().firstValue("Access-Control-Expose-Headers").orElseThrow();
            for (String header : List.of("Location", "ETag", "Link", "Accept-Patch")) assertTrue(exposed.contains(header), exposed);
            assertEquals("", preflight.body());
        }
    }

    @Test
    void shouldAnswerCorsPreflightOnASessionWithAcceptPatch() throws Exception {
        try (TestApi api = TestApi.withToken("s3cret")) {
            HttpResponse<String> preflight = api.send(api.request("/whep/room1/sess1")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Access-Control-Request-Method", "PATCH")
                    .build());

            assertEquals(200, preflight.statusCode());
            assertEquals("OPTIONS, PATCH, DELETE", preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
            assertEquals("application/trickle-ice-sdpfrag", preflight.headers().firstValue("Accept-Patch").orElseThrow());
            assertTrue(preflight.headers().firstValue("Accept-Post").isEmpty());
        }
    }

    @Test
    void shouldServeMetricsInPrometheusTextFormat() throws Exception {
        MetricsSource source = out -> out.append("# TYPE junction_sessions gauge\n").append("junction_sessions{kind=\"whip\"} 3\n");
        try (TestApi api = new TestApi("", 1024, HttpApi.DEFAULT_SERVICE_TIMEOUT, StaticFile.DEMO_PAGE, source)) {
            api.get("/nope");
            HttpResponse<String> metrics = api.get("/metrics");

            assertEquals(200, metrics.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(metrics.body().startsWith("# TYPE junction_sessions gauge\njunction_sessions{kind=\"whip\"} 3\n"), metrics.body());
            assertTrue(metrics.body().contains("junction_http_responses_total{code=\"404\"} 1\n"), metrics.body());
            assertTrue(metrics.body().endsWith("\n"));
        }
    }

    @Test
    void shouldAnswer500WhenTheMetricsSourceFails() throws Exception {
        MetricsSource broken = out -> {
            throw new IllegalStateException("counter gone");
        };
        try (TestApi api = new TestApi("", 1024, HttpApi.DEFAULT_SERVICE_TIMEOUT, StaticFile.DEMO_PAGE, broken)) {
            HttpResponse<String> failed = api.get("/metrics");
            assertEquals(500, failed.statusCode());
            assertTrue(failed.body().startsWith("metrics source failed"), failed.body());
        }
    }

    @Test
    void shouldServeTheDemoPageFromTheClasspath() throws Exception {
        // Any classpath resource proves the loading; the real page is /web/index.html, owned by the web issue.
        String resource = "/" + HttpApiRoutingTest.class.getName().replace('.', '/') + ".class";
        byte[] expected;
        try (InputStream in = HttpApiRoutingTest.class.getResourceAsStream(resource)) {
            expected = in.readAllBytes();
        }
        try (TestApi api = new TestApi("s3cret", 1024, HttpApi.DEFAULT_SERVICE_TIMEOUT, resource, MetricsSource.NONE)) {
            HttpResponse<byte[]> page = api.client.send(api.request("/").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, page.statusCode(), "the demo page needs no token");
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
            assertArrayEquals(expected, page.body());
            assertArrayEquals(expected, api.client.send(api.request("/").GET().build(), HttpResponse.BodyHandlers.ofByteArray()).body());
        }
    }

    @Test
    void shouldAnswer500WithAReasonWhenTheDemoPageIsMissing() throws Exception {
        try (TestApi api = new TestApi("", 1024, HttpApi.DEFAULT_SERVICE_TIMEOUT, "/web/no-such-page.html", MetricsSource.NONE)) {
            HttpResponse<String> missing = api.get("/");
            assertEquals(500, missing.statusCode());
            assertEquals("page missing: classpath resource /web/no-such-page.html not found\n", missing.body());
        }
    }
}
