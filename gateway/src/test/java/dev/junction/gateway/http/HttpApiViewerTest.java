package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A WHEP session's viewer controls over a real server (issue 11): the Link headers, every refusal of the layer
 * endpoint with its one-line reason, what the service is given, and the event stream's framing and lifetime.
 */
class HttpApiViewerTest {

    private static final String LAYER = "/whep/room1/sess1/layer";
    private static final String EVENTS = "/whep/room1/sess1/sse";

    private TestApi api;

    @BeforeEach
    void start() throws Exception {
        api = TestApi.open();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private void createWhep() throws Exception {
        assertEquals(201, api.postSdp("/whep/room1", HttpApiSessionTest.OFFER).statusCode());
    }

    @Test
    void shouldAdvertiseTheLayerEndpointAndEventsOnAWhepSessionOnly() throws Exception {
        HttpResponse<String> whep = api.postSdp("/whep/room1", HttpApiSessionTest.OFFER);
        assertEquals(List.of("</whep/room1/sess1/layer>; rel=\"urn:ietf:params:whep:ext:core:layer\"",
                "</whep/room1/sess1/sse>; rel=\"urn:ietf:params:whep:ext:core:server-sent-events\"; events=\"active,inactive,layers,selection\""),
                whep.headers().allValues("Link"));
        HttpResponse<String> options = api.send(api.request("/whep/room1/sess1").method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(2, options.headers().allValues("Link").size(), "the session's OPTIONS names them too");
        HttpResponse<String> whip = api.postSdp("/whip/room1", HttpApiSessionTest.OFFER);
        assertTrue(whip.headers().allValues("Link").isEmpty(), "a publisher has no viewer controls");
        assertEquals(404, api.post("/whip/room1/sess2/layer", "application/json", "{}").statusCode());
        assertEquals(404, api.post("/whep/room1/sess1/other", "application/json", "{}").statusCode());
    }

    @Test
    void shouldPassAValidPreferenceToTheServiceAndAnswerItsJson() throws Exception {
        createWhep();
        HttpResponse<String> ok = api.post(LAYER, "application/json; charset=utf-8",
                "{\"mediaId\":\"1\",\"encodingId\":\"q\",\"maxTemporalLayerId\":1,\"maxBitrate\":500000}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("application/json", ok.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"slots\":{}}", ok.body());
        assertEquals(new LayerRequest("1", "q", -1, 1, 500_000).toString(), api.service.calls.getLast().body());

        assertEquals(200, api.post(LAYER, "application/json", "{\"mediaId\":\"1\"}").statusCode(), "clearing back to automatic");
        assertTrue(LayerRequest.parse("{\"mediaId\":\"1\",\"rid\":null}".getBytes(StandardCharsets.UTF_8)).isAuto());
        assertEquals(200, api.post(LAYER, "application/json", "{\"spatialLayerId\":2.0}").statusCode(), "every video slot, 2.0 is whole");
        assertEquals(new LayerRequest(null, null, 2, -1, -1).toString(), api.service.calls.getLast().body());
        assertEquals(404, api.post("/whep/room1/nosuch/layer", "application/json", "{}").statusCode());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                                              | empty body",
            "{\"mediaId\":                                   | malformed JSON",
            "[1,2]                                           | must be a JSON object",
            "{\"layer\":1}                                   | unknown field \"layer\"",
            "{\"maxWidth\":640}                              | maxWidth is not supported",
            "{\"mediaId\":1}                                 | mediaId must be a string",
            "{\"mediaId\":\"\"}                              | mediaId must be 1 to 32",
            "{\"encodingId\":2}                              | encodingId must be a string",
            "{\"encodingId\":\"a b\"}                        | a rid is 1 to 16",
            "{\"encodingId\":\"q\",\"rid\":\"q\"}            | give encodingId or rid, not both",
            "{\"rid\":\"q\",\"spatialLayerId\":0}            | name the spatial layer once",
            "{\"spatialLayerId\":16}                         | spatialLayerId must be 0 to 15",
            "{\"maxSpatialLayerId\":-1}                      | maxSpatialLayerId must be 0 to 15",
            "{\"temporalLayerId\":4}                         | temporalLayerId must be 0 to 3",
            "{\"temporalLayerId\":\"1\"}                     | temporalLayerId must be a number",
            "{\"maxBitrate\":999}                            | maxBitrate must be 1000 to 10000000000",
            "{\"maxBitrate\":1e11}                           | maxBitrate must be 1000 to 10000000000",
            "{\"maxBitrate\":1500.5}                         | maxBitrate must be a whole number",
            "{\"maxBitrate\":true}                           | maxBitrate must be a number",
    })
    void shouldRefuseABadLayerRequestWith400AndItsReason(String body, String reason) throws Exception {
        createWhep();
        HttpResponse<String> refused = api.post(LAYER, "application/json", body);
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains(reason), refused.body());
        assertTrue(refused.body().endsWith("\n") && refused.body().indexOf('\n') == refused.body().length() - 1, "one line: " + refused.body());
        assertEquals(1, api.service.calls.size(), "the service never saw it: " + api.service.calls);
    }

    @Test
    void shouldRefuseAWrongContentTypeATooLargeBodyAndAWrongMethod() throws Exception {
        createWhep();
        HttpResponse<String> type = api.post(LAYER, "text/plain", "{}");
        assertEquals(415, type.statusCode());
        assertEquals("application/json", type.headers().firstValue("Accept-Post").orElseThrow());
        HttpResponse<String> large = api.post(LAYER, "application/json", "{\"mediaId\":\"" + "1".repeat(LayerRequest.MAX_BODY_BYTES) + "\"}");
        assertEquals(413, large.statusCode());
        HttpResponse<String> get = api.get(LAYER);
        assertEquals(405, get.statusCode());
        assertEquals("OPTIONS, POST", get.headers().firstValue("Allow").orElseThrow());
        String metrics = metrics();
        assertTrue(metrics.contains("junction_whep_layer_requests_total{code=\"415\"} 1"), metrics);
        assertTrue(metrics.contains("junction_whep_layer_requests_total{code=\"413\"} 1"), metrics);
    }

    @Test
    void shouldAskForTheSessionsTokenOnTheViewerControls() throws Exception {
        api.close();
        api = TestApi.withToken("s3cret");
        assertEquals(201, api.send(api.request("/whep/room1").header("Authorization", "Bearer s3cret").header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(HttpApiSessionTest.OFFER)).build()).statusCode());
        assertEquals(401, api.post(LAYER, "application/json", "{}").statusCode());
        assertEquals(401, api.get(EVENTS).statusCode());
        HttpResponse<String> ok = api.send(api.request(LAYER).header("Authorization", "Bearer s3cret").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void shouldStreamChangedEventsOnlyAndEndWithTheSession() throws Exception {
        createWhep();
        HttpResponse<InputStream> response = api.client.send(api.request(EVENTS).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertEquals(": junction viewer events", in.readLine());
            assertEquals("", in.readLine());
            awaitCondition(() -> api.service.watchers.size() == 1);
            ViewerEvents sink = api.service.watchers.getFirst();
            sink.onEvent("inactive", "{}"); // never first
            sink.onEvent("layers", "{\"1\":{}}");
            sink.onEvent("layers", "{\"1\":{}}"); // unchanged: not sent
            sink.onEvent("active", "{}");
            sink.onEvent("active", "{}");
            sink.onEvent("inactive", "{}");
            sink.onEnd("session ended");
            assertEquals(List.of("event: layers", "data: {\"1\":{}}", "", "event: active", "data: {}", "", "event: inactive", "data: {}", ""),
                    List.of(in.readLine(), in.readLine(), in.readLine(), in.readLine(), in.readLine(), in.readLine(), in.readLine(), in.readLine(),
                            in.readLine()));
            assertEquals(null, in.readLine(), "the stream ends with the session");
        }
        awaitCondition(() -> metrics().contains("junction_whep_event_streams_closed_total{reason=\"session_ended\"} 1"));
        assertTrue(metrics().contains("junction_whep_event_streams 0"));
    }

    @Test
    void shouldFilterEventsRefuseUnknownOnesAndLimitStreams() throws Exception {
        createWhep();
        HttpResponse<String> unknown = api.get(EVENTS + "?events=layers,nosuch");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body().startsWith("unknown event \"nosuch\""), unknown.body());
        assertEquals(404, api.get("/whep/room1/nosuch/sse").statusCode());
        api.service.maxWatchers = 0;
        HttpResponse<String> full = api.get(EVENTS);
        assertEquals(429, full.statusCode());
        assertEquals("5", full.headers().firstValue("Retry-After").orElseThrow());
        api.service.maxWatchers = 1;
        HttpResponse<InputStream> response = api.client.send(api.request(EVENTS + "?events=selection").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            in.readLine();
            in.readLine();
            awaitCondition(() -> api.service.watchers.size() == 1);
            api.service.watchers.getFirst().onEvent("layers", "{}");
            api.service.watchers.getFirst().onEvent("selection", "{\"slots\":{}}");
            assertEquals("event: selection", in.readLine(), "layers filtered out");
            assertEquals("data: {\"slots\":{}}", in.readLine());
            assertTrue(metrics().contains("junction_whep_event_streams 1"));
        }
        awaitCondition(() -> api.service.watchers.isEmpty());
        assertFalse(metrics().contains("junction_whep_event_streams 1"));
    }

    private String metrics() {
        StringBuilder out = new StringBuilder();
        api.api.counters().appendMetrics(out);
        return out.toString();
    }

    private static void awaitCondition(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out");
            LockSupport.parkNanos(1_000_000);
        }
    }
}
