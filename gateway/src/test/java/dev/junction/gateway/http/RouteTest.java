package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

class RouteTest {

    @Test
    void shouldMatchFixedResources() {
        assertEquals(new Route(Route.Resource.DEMO_PAGE, null, null, null), Route.match("/"));
        assertEquals(new Route(Route.Resource.HEALTH, null, null, null), Route.match("/health"));
        assertEquals(new Route(Route.Resource.METRICS, null, null, null), Route.match("/metrics"));
        assertEquals(new Route(Route.Resource.DASHBOARD, null, null, null), Route.match("/dashboard"));
        assertEquals(new Route(Route.Resource.DASHBOARD_ASSET, null, null, "uplot.js"), Route.match("/dashboard/uplot.js"));
        assertEquals(new Route(Route.Resource.DASHBOARD_SERIES, null, null, null), Route.match("/dashboard/api/series"));
        assertEquals(new Route(Route.Resource.DASHBOARD_ROOMS, null, null, null), Route.match("/dashboard/api/rooms"));
        assertEquals(new Route(Route.Resource.DASHBOARD_ROOM, null, "room-1", null), Route.match("/dashboard/api/rooms/room-1"));
        assertEquals(404, ((PathMatch.Miss) Route.match("/dashboard/api/rooms/")).status());
        assertEquals(404, ((PathMatch.Miss) Route.match("/dashboard/api/rooms/a/b")).status());
    }

    @Test
    void shouldMatchEndpointsAndSessionsOfBothKinds() {
        assertEquals(new Route(Route.Resource.ENDPOINT, SessionKind.WHIP, "room-1", null), Route.match("/whip/room-1"));
        assertEquals(new Route(Route.Resource.ENDPOINT, SessionKind.WHEP, "Room_2", null), Route.match("/whep/Room_2"));
        assertEquals(new Route(Route.Resource.SESSION, SessionKind.WHIP, "r", "abc_DEF-9"), Route.match("/whip/r/abc_DEF-9"));
        assertEquals(new Route(Route.Resource.SESSION, SessionKind.WHEP, "r", "x"), Route.match("/whep/r/x"));
    }

    @Test
    void shouldMissUnknownPathsWith404() {
        for (String path : new String[] {"", "/nope", "/whip", "/whip/", "/WHIP/room", "/whip/r/s/extra", "/health/", "//whip/r", "/whipx/r", "/whip//id", "*"}) {
            assertEquals(404, ((PathMatch.Miss) Route.match(path)).status(), path);
        }
    }

    @Test
    void shouldRejectMalformedRoomNamesWith400() {
        String tooLong = "r".repeat(65);
        for (String path : new String[] {"/whip/" + tooLong, "/whip/a%20b", "/whep/a.b", "/whip/caf\u00e9"}) {
            PathMatch.Miss miss = (PathMatch.Miss) Route.match(path);
            assertEquals(400, miss.status(), path);
            assertTrue(miss.reason().contains(Route.NAME_PATTERN), miss.reason());
        }
        assertEquals(new Route(Route.Resource.ENDPOINT, SessionKind.WHIP, "r".repeat(64), null), Route.match("/whip/" + "r".repeat(64)));
    }

    @Test
    void shouldMissSessionIdsWeCouldNeverIssueWith404() {
        for (String path : new String[] {"/whip/r/", "/whip/r/a.b", "/whep/r/" + "i".repeat(65), "/whip/r/%2e%2e"}) {
            assertEquals(404, ((PathMatch.Miss) Route.match(path)).status(), path);
        }
    }

    @Test
    void shouldAllowOnlyTheMethodsOfEachResource() {
        assertTrue(Route.Resource.ENDPOINT.allows(HttpMethod.POST));
        assertTrue(Route.Resource.ENDPOINT.allows(HttpMethod.OPTIONS));
        assertFalse(Route.Resource.ENDPOINT.allows(HttpMethod.GET));
        assertFalse(Route.Resource.ENDPOINT.allows(HttpMethod.DELETE));
        assertTrue(Route.Resource.SESSION.allows(HttpMethod.PATCH));
        assertTrue(Route.Resource.SESSION.allows(HttpMethod.DELETE));
        assertFalse(Route.Resource.SESSION.allows(HttpMethod.POST));
        assertFalse(Route.Resource.HEALTH.allows(HttpMethod.POST));
        assertEquals("OPTIONS, POST", Route.Resource.ENDPOINT.allowHeader());
        assertEquals("OPTIONS, PATCH, DELETE", Route.Resource.SESSION.allowHeader());
        assertEquals("GET", Route.Resource.METRICS.allowHeader());
    }

    @Test
    void shouldBuildTheSessionPathTheEndpointMatches() {
        String path = Route.sessionPath(SessionKind.WHEP, "room", "id1");
        assertEquals("/whep/room/id1", path);
        assertEquals(new Route(Route.Resource.SESSION, SessionKind.WHEP, "room", "id1"), Route.match(path));
    }
}
