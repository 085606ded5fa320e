package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.HttpSettings;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * {@code /dashboard}: the page and uPlot are public (they hold no data), the data is JSON behind the admin token,
 * closed until one is configured, and every bad request gets a status with a reason.
 */
class HttpApiDashboardTest {

    private static final String TOKEN = "adm1n";

    /** A source that answers fixed documents and records what it was asked. */
    private static final class FixedSource implements DashboardSource {
        final List<Long> sinceAsked = new ArrayList<>();

        @Override
        public String series(long sinceMs) {
            sinceAsked.add(sinceMs);
            return "{\"names\":[\"packets_in\"],\"t\":[1.5],\"data\":[[7]]}";
        }

        @Override
        public String rooms() {
            return "{\"rooms\":[{\"name\":\"r1\"}]}";
        }

        @Override
        public CompletionStage<String> room(String name) {
            if (name.equals("broken")) return CompletableFuture.failedFuture(new IllegalStateException("loop 1 stuck"));
            return CompletableFuture.completedFuture(name.equals("r1") ? "{\"name\":\"r1\"}" : null);
        }

        @Override
        public CompletionStage<String> stats() {
            return CompletableFuture.completedFuture("{\"rooms\":[{\"name\":\"r1\",\"publishers\":[]}]}");
        }
    }

    private static TestApi api(String adminToken, DashboardSource source) throws Exception {
        HttpSettings settings = new HttpSettings("127.0.0.1", 0, 16_384, "", HttpSettings.DEFAULT_HEADER_TIMEOUT_MS,
                HttpSettings.DEFAULT_BODY_TIMEOUT_MS, HttpSettings.DEFAULT_IDLE_TIMEOUT_MS, HttpSettings.DEFAULT_MAX_CONNECTIONS_PER_SOURCE, adminToken);
        TestApi api = new TestApi(settings, HttpApi.DEFAULT_SERVICE_TIMEOUT, StaticFile.DEMO_PAGE, dev.junction.gateway.http.MetricsSource.NONE);
        api.api.dashboard(source);
        return api;
    }

    private static HttpResponse<String> getAuthorized(TestApi api, String path, String token) throws Exception {
        return api.send(api.request(path).header("Authorization", "Bearer " + token).GET().build());
    }

    @Test
    void shouldServeThePageAndUplotFromTheJarWithoutAToken() throws Exception {
        try (TestApi api = api(TOKEN, new FixedSource())) {
            HttpResponse<String> page = api.get("/dashboard");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertTrue(page.body().contains("/dashboard/api/series"), "the page polls the series");
            assertTrue(page.body().contains("src=\"/dashboard/uplot.js\""), "uPlot comes from us, nothing from elsewhere");
            assertTrue(!page.body().contains("https://") && !page.body().contains("http://"), "no external URL in the page");

            HttpResponse<String> js = api.get("/dashboard/uplot.js");
            assertEquals(200, js.statusCode());
            assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
            assertTrue(js.body().contains("uPlot") && js.body().length() > 20_000, "the webjar's minified uPlot");
            HttpResponse<String> css = api.get("/dashboard/uplot.css");
            assertEquals(200, css.statusCode());
            assertTrue(css.body().contains(".uplot"), css.body());
            assertEquals(404, api.get("/dashboard/uplot.map").statusCode());
        }
    }

    @Test
    void shouldServeTheDataAsJsonOnlyWithTheAdminToken() throws Exception {
        FixedSource source = new FixedSource();
        try (TestApi api = api(TOKEN, source)) {
            for (String path : List.of("/dashboard/api/series", "/dashboard/api/rooms", "/dashboard/api/rooms/r1", "/stats")) {
                HttpResponse<String> none = api.get(path);
                assertEquals(401, none.statusCode(), path);
                assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent(), path);
                assertEquals(401, getAuthorized(api, path, "wrong").statusCode(), path);
                HttpResponse<String> ok = getAuthorized(api, path, TOKEN);
                assertEquals(200, ok.statusCode(), path + ": " + ok.body());
                assertEquals("application/json", ok.headers().firstValue("Content-Type").orElseThrow(), path);
                assertEquals("no-store", ok.headers().firstValue("Cache-Control").orElseThrow(), path);
            }
            assertEquals("{\"rooms\":[{\"name\":\"r1\"}]}", getAuthorized(api, "/dashboard/api/rooms", TOKEN).body());
            assertEquals("{\"name\":\"r1\"}", getAuthorized(api, "/dashboard/api/rooms/r1", TOKEN).body());
            assertEquals("{\"rooms\":[{\"name\":\"r1\",\"publishers\":[]}]}", getAuthorized(api, "/stats", TOKEN).body());
            getAuthorized(api, "/dashboard/api/series?since=1700000000123", TOKEN);
            assertEquals(List.of(0L, 1_700_000_000_123L), source.sinceAsked, "since defaults to the whole history");
        }
    }

    @Test
    void shouldAnswerBadDashboardRequestsWithAReason() throws Exception {
        try (TestApi api = api(TOKEN, new FixedSource())) {
            HttpResponse<String> since = getAuthorized(api, "/dashboard/api/series?since=yesterday", TOKEN);
            assertEquals(400, since.statusCode());
            assertEquals("since must be Unix milliseconds, not yesterday\n", since.body());
            HttpResponse<String> unknown = getAuthorized(api, "/dashboard/api/rooms/nobody", TOKEN);
            assertEquals(404, unknown.statusCode());
            assertEquals("no such room: nobody\n", unknown.body());
            HttpResponse<String> badName = getAuthorized(api, "/dashboard/api/rooms/a.b", TOKEN);
            assertEquals(404, badName.statusCode());
            assertTrue(badName.body().startsWith("no such room"), badName.body());
            HttpResponse<String> stuck = getAuthorized(api, "/dashboard/api/rooms/broken", TOKEN);
            assertEquals(503, stuck.statusCode());
            assertTrue(stuck.body().contains("loop 1 stuck"), stuck.body());
            HttpResponse<String> post = api.send(api.request("/dashboard/api/rooms").POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(405, post.statusCode());
            assertEquals("GET", post.headers().firstValue("Allow").orElseThrow());
        }
    }

    @Test
    void shouldRefuseTheDataWhenNoAdminTokenIsConfigured() throws Exception {
        try (TestApi api = api("", new FixedSource())) {
            HttpResponse<String> refused = api.get("/dashboard/api/series");
            assertEquals(403, refused.statusCode());
            assertEquals("no admin token is configured (http.admin-token, --admin-token)\n", refused.body());
            assertEquals(200, api.get("/dashboard").statusCode(), "the page itself says how to get in");
        }
    }
}
