package dev.junction.gateway.http;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A request path matched to one of the API's resources (DESIGN §4). {@link #match(String)} never throws:
 * an unknown path is a {@link PathMatch.Miss} with the status and reason to answer.
 *
 * @param resource which resource
 * @param kind     WHIP or WHEP for {@link Resource#ENDPOINT} and {@link Resource#SESSION}, else {@code null}
 * @param room     the room name, or {@code null}
 * @param id       the session id for {@link Resource#SESSION}, else {@code null}
 */
record Route(Resource resource, SessionKind kind, String room, String id) implements PathMatch {

    /** What room names and session ids look like; anything else cannot name a resource. */
    static final String NAME_PATTERN = "[A-Za-z0-9_-]{1,64}";
    private static final Pattern NAME = Pattern.compile(NAME_PATTERN);

    /** The resources, each with the methods it allows (the {@code Allow} header of a 405). */
    enum Resource {
        DEMO_PAGE(HttpMethod.GET),
        HEALTH(HttpMethod.GET),
        METRICS(HttpMethod.GET),
        /** {@code /dashboard}: the live dashboard's page (no data in it). */
        DASHBOARD(HttpMethod.GET),
        /** {@code /dashboard/uplot.js} and {@code /dashboard/uplot.css}: uPlot, from its webjar; {@code id} names which. */
        DASHBOARD_ASSET(HttpMethod.GET),
        /** {@code /dashboard/api/series}: the plotted series, behind the admin token. */
        DASHBOARD_SERIES(HttpMethod.GET),
        /** {@code /dashboard/api/rooms}: the room table, behind the admin token. */
        DASHBOARD_ROOMS(HttpMethod.GET),
        /** {@code /dashboard/api/rooms/{room}}: one room's sessions, behind the admin token. */
        DASHBOARD_ROOM(HttpMethod.GET),
        /** {@code /stats}: every room, transport, Producer and Consumer with its figures (JSON), behind the admin token. */
        STATS(HttpMethod.GET),
        /** {@code /admin/drain}: drain mode, behind the admin token. */
        ADMIN_DRAIN(HttpMethod.POST),
        /** {@code /admin/cluster}: the cluster's room directory (issue 14), behind the admin token. */
        ADMIN_CLUSTER(HttpMethod.GET),
        /** {@code /whip/{room}}, {@code /whep/{room}}: RFC 9725 §4.2 reserves all but OPTIONS and POST. */
        ENDPOINT(HttpMethod.OPTIONS, HttpMethod.POST),
        /** {@code /whip/{room}/{id}}: PATCH and DELETE, and OPTIONS for the browser's CORS preflight. */
        SESSION(HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.DELETE),
        /** {@code /whep/{room}/{id}/layer}: the viewer's layer preference (JSON), the WHEP layer extension. */
        SESSION_LAYER(HttpMethod.OPTIONS, HttpMethod.POST),
        /** {@code /whep/{room}/{id}/sse}: the session's server-sent events. */
        SESSION_EVENTS(HttpMethod.OPTIONS, HttpMethod.GET);

        private final List<HttpMethod> methods;
        private final String allowHeader;

        Resource(HttpMethod... methods) {
            this.methods = List.of(methods);
            this.allowHeader = String.join(", ", this.methods.stream().map(HttpMethod::name).toList());
        }

        boolean allows(HttpMethod method) {
            return methods.contains(method);
        }

        String allowHeader() {
            return allowHeader;
        }
    }

    static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Matches a raw (not percent-decoded) request path. */
    static PathMatch match(String path) {
        switch (path) {
            case "/" -> {
                return new Route(Resource.DEMO_PAGE, null, null, null);
            }
            case "/health" -> {
                return new Route(Resource.HEALTH, null, null, null);
            }
            case "/metrics" -> {
                return new Route(Resource.METRICS, null, null, null);
            }
            case "/stats" -> {
                return new Route(Resource.STATS, null, null, null);
            }
            case "/admin/drain" -> {
                return new Route(Resource.ADMIN_DRAIN, null, null, null);
            }
            case "/admin/cluster" -> {
                return new Route(Resource.ADMIN_CLUSTER, null, null, null);
            }
            case "/dashboard" -> {
                return new Route(Resource.DASHBOARD, null, null, null);
            }
            case "/dashboard/uplot.js", "/dashboard/uplot.css" -> {
                return new Route(Resource.DASHBOARD_ASSET, null, null, path.substring("/dashboard/".length()));
            }
            case "/dashboard/api/series" -> {
                return new Route(Resource.DASHBOARD_SERIES, null, null, null);
            }
            case "/dashboard/api/rooms" -> {
                return new Route(Resource.DASHBOARD_ROOMS, null, null, null);
            }
            default -> {
                return matchNamed(path);
            }
        }
    }

    private static PathMatch matchNamed(String path) {
        String roomsPrefix = "/dashboard/api/rooms/";
        if (path.startsWith(roomsPrefix)) {
            String room = path.substring(roomsPrefix.length());
            if (!isValidName(room)) return new PathMatch.Miss(404, "no such room: room names match " + NAME_PATTERN);
            return new Route(Resource.DASHBOARD_ROOM, null, room, null);
        }
        // Split keeps empty segments ("/whip//x", "/whip/r/"), which then fail as names.
        String[] segments = path.split("/", -1);
        SessionKind kind = segments.length >= 3 && segments[0].isEmpty() ? SessionKind.ofPathSegment(segments[1]) : null;
        if (kind == null || segments.length > 5 || segments[2].isEmpty()) return new PathMatch.Miss(404, "no such resource: " + path);
        String room = segments[2];
        if (!isValidName(room)) return new PathMatch.Miss(400, "room name must match " + NAME_PATTERN);
        if (segments.length == 3) return new Route(Resource.ENDPOINT, kind, room, null);
        String id = segments[3];
        // An id we could never have issued names nothing: 404 rather than 400, as for any unknown session.
        if (!isValidName(id)) return new PathMatch.Miss(404, "no such session: " + kind.pathSegment() + " session ids match " + NAME_PATTERN);
        if (segments.length == 4) return new Route(Resource.SESSION, kind, room, id);
        // Only a WHEP session has viewer controls.
        if (kind == SessionKind.WHEP && segments[4].equals(LAYER)) return new Route(Resource.SESSION_LAYER, kind, room, id);
        if (kind == SessionKind.WHEP && segments[4].equals(EVENTS)) return new Route(Resource.SESSION_EVENTS, kind, room, id);
        return new PathMatch.Miss(404, "no such resource: " + path);
    }

    static final String LAYER = "layer";
    static final String EVENTS = "sse";

    /** A WHEP session's viewer-control URL paths: its layer endpoint, or its event stream. */
    static String sessionSubPath(String room, String id, String what) {
        return sessionPath(SessionKind.WHEP, room, id) + "/" + what;
    }

    /** The session's URL path, the {@code Location} of a 201. */
    static String sessionPath(SessionKind kind, String room, String id) {
        return "/" + kind.pathSegment() + "/" + room + "/" + id;
    }
}
