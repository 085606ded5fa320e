package dev.junction.gateway.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-memory {@link SessionService} for the HTTP tests: it records every call with its arguments and,
 * unless a test overrides an answer, keeps a table of sessions so that PATCH, DELETE, 404 and 412 behave
 * like the real service's contract. Thread-safe: called on Vert.x loops, inspected from the test thread.
 */
final class RecordingSessionService implements SessionService {

    /** One call as the HTTP layer made it; {@code body} decoded as UTF-8. */
    record Call(String method, SessionKind kind, String room, String id, String ifMatch, String body) {
    }

    static final String ANSWER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n";
    static final String RESTART_ANSWER = "a=ice-lite\r\na=ice-ufrag:newufrag\r\na=ice-pwd:newpasswordnewpasswordxx\r\n";

    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** The raw bytes of the last offer or fragment, for byte-exact checks. */
    volatile byte[] lastBody;
    /** When set, answers publish/subscribe instead of the table. */
    volatile Function<Call, CompletionStage<Created>> onCreate;
    volatile Function<Call, CompletionStage<Patched>> onPatch;
    /** Completed by the next DELETE, for tests that wait for one the server makes on its own. */
    final CompletableFuture<Call> firstDelete = new CompletableFuture<>();

    private final Map<String, String> etagBySession = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);

    @Override
    public CompletionStage<Created> publish(String room, byte[] offer) {
        lastBody = offer;
        return create(new Call("publish", SessionKind.WHIP, room, null, null, utf8(offer)));
    }

    @Override
    public CompletionStage<Created> subscribe(String room, byte[] offer) {
        lastBody = offer;
        return create(new Call("subscribe", SessionKind.WHEP, room, null, null, utf8(offer)));
    }

    private CompletionStage<Created> create(Call call) {
        calls.add(call);
        if (onCreate != null) return onCreate.apply(call);
        int n = nextId.getAndIncrement();
        String id = "sess" + n;
        etagBySession.put(key(call.kind(), call.room(), id), "ice" + n);
        return CompletableFuture.completedFuture(new Created(id, "ice" + n, ANSWER.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public CompletionStage<Patched> patch(SessionKind kind, String room, String id, String ifMatch, byte[] sdpFrag) {
        lastBody = sdpFrag;
        Call call = new Call("patch", kind, room, id, ifMatch, utf8(sdpFrag));
        calls.add(call);
        if (onPatch != null) return onPatch.apply(call);
        String key = key(kind, room, id);
        String current = etagBySession.get(key);
        if (current == null) return CompletableFuture.failedFuture(SessionException.notFound("no such session: " + id));
        if (ifMatch.equals("*")) {
            String next = current + "r";
            etagBySession.put(key, next);
            return CompletableFuture.completedFuture(Patched.restarted(next, RESTART_ANSWER.getBytes(StandardCharsets.UTF_8)));
        }
        if (!ifMatch.equals(current)) return CompletableFuture.failedFuture(SessionException.preconditionFailed("ICE session " + ifMatch + " is not current"));
        return CompletableFuture.completedFuture(Patched.trickled());
    }

    @Override
    public CompletionStage<Void> delete(SessionKind kind, String room, String id) {
        Call call = new Call("delete", kind, room, id, null, null);
        calls.add(call);
        firstDelete.complete(call);
        if (etagBySession.remove(key(kind, room, id)) == null) {
            return CompletableFuture.failedFuture(SessionException.notFound("no such session: " + id));
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The event streams open now, in the order they were opened. */
    final List<ViewerEvents> watchers = new CopyOnWriteArrayList<>();
    /** Streams a session may have before {@link #watch} refuses with 429. */
    volatile int maxWatchers = Integer.MAX_VALUE;

    @Override
    public CompletionStage<String> selectLayer(String room, String id, LayerRequest request) {
        calls.add(new Call("layer", SessionKind.WHEP, room, id, null, request.toString()));
        if (!etagBySession.containsKey(key(SessionKind.WHEP, room, id))) {
            return CompletableFuture.failedFuture(SessionException.notFound("no such session: " + id));
        }
        return CompletableFuture.completedFuture("{\"slots\":{}}");
    }

    @Override
    public ViewerEvents.Subscription watch(String room, String id, ViewerEvents sink) {
        calls.add(new Call("watch", SessionKind.WHEP, room, id, null, null));
        if (!etagBySession.containsKey(key(SessionKind.WHEP, room, id))) throw SessionException.notFound("no such session: " + id);
        if (watchers.size() >= maxWatchers) throw new SessionException(429, "too many event streams", Map.of("Retry-After", "5"));
        watchers.add(sink);
        return () -> watchers.remove(sink);
    }

    Call onlyCall() {
        if (calls.size() != 1) throw new AssertionError("expected exactly one call, got " + calls);
        return calls.getFirst();
    }

    private static String key(SessionKind kind, String room, String id) {
        return kind + "/" + room + "/" + id;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
