package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WHIP/WHEP session resources over a real server: what the service is given and how its answers map to HTTP. */
class HttpApiSessionTest {

    /** Shaped like a browser offer; the fake service does not parse it, the test checks it arrives byte for byte. */
    static final String OFFER = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "a=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:EsAw\r\n"
            + "a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\na=mid:0\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\n";
    static final String CANDIDATE_FRAG = "a=ice-ufrag:EsAw\r\na=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
            + "a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\na=end-of-candidates\r\n";

    private TestApi api;

    @BeforeEach
    void start() throws Exception {
        api = TestApi.open();
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    @Test
    void shouldCreateAWhipSessionWith201LocationEtagAndAnswer() throws Exception {
        HttpResponse<String> created = api.postSdp("/whip/room1", OFFER);

        assertEquals(201, created.statusCode(), created.body());
        assertEquals("/whip/room1/sess1", created.headers().firstValue("Location").orElseThrow());
        assertEquals("\"ice1\"", created.headers().firstValue("ETag").orElseThrow());
        assertEquals("application/sdp", created.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(RecordingSessionService.ANSWER, created.body());
        assertEquals("*", created.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals(new RecordingSessionService.Call("publish", SessionKind.WHIP, "room1", null, null, OFFER), api.service.onlyCall());
    }

    @Test
    void shouldCreateAWhepSessionThroughSubscribe() throws Exception {
        HttpResponse<String> created = api.post("/whep/room1", "Application/SDP; charset=utf-8", OFFER);

        assertEquals(201, created.statusCode(), created.body());
        assertEquals("/whep/room1/sess1", created.headers().firstValue("Location").orElseThrow());
        assertEquals(new RecordingSessionService.Call("subscribe", SessionKind.WHEP, "room1", null, null, OFFER), api.service.onlyCall());
    }

    @Test
    void shouldPassBodyBytesThroughUnchanged() throws Exception {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) binary[i] = (byte) i;
        api.service.onCreate = call -> CompletableFuture.completedFuture(new Created("s", "e", binary));
        HttpResponse<byte[]> created = api.client.send(api.request("/whip/r").header("Content-Type", "application/sdp")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(binary)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(201, created.statusCode());
        assertArrayEquals(binary, created.body());
        assertArrayEquals(binary, api.service.lastBody);
    }

    @Test
    void shouldReturnTheNegotiatorsReasonForGarbageSdp() throws Exception {
        api.service.onCreate = call -> CompletableFuture.failedFuture(SessionException.badRequest("offer has no m= line"));

        HttpResponse<String> rejected = api.postSdp("/whip/room1", "this is not SDP");

        assertEquals(400, rejected.statusCode());
        assertEquals("offer has no m= line\n", rejected.body());
        assertEquals("text/plain; charset=utf-8", rejected.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("this is not SDP", api.service.onlyCall().body());
    }

    @Test
    void shouldAnswer503WithRetryAfterAtCapacity() throws Exception {
        api.service.onCreate = call -> {
            throw SessionException.unavailable("room is full", 5);
        };

        HttpResponse<String> full = api.postSdp("/whep/room1", OFFER);

        assertEquals(503, full.statusCode());
        assertEquals("5", full.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("room is full\n", full.body());
    }

    @Test
    void shouldRejectAnEmptyOfferWithoutCallingTheService() throws Exception {
        HttpResponse<String> empty = api.postSdp("/whip/room1", "");

        assertEquals(400, empty.statusCode());
        assertTrue(empty.body().endsWith("\n"));
        assertTrue(api.service.calls.isEmpty());
    }

    @Test
    void shouldTrickleWith204AndNoEtag() throws Exception {
        api.postSdp("/whip/room1", OFFER);

        HttpResponse<String> trickled = api.patch("/whip/room1/sess1", "\"ice1\"", CANDIDATE_FRAG);

        assertEquals(204, trickled.statusCode(), trickled.body());
        assertTrue(trickled.headers().firstValue("ETag").isEmpty());
        assertEquals("", trickled.body());
        assertEquals(new RecordingSessionService.Call("patch", SessionKind.WHIP, "room1", "sess1", "ice1", CANDIDATE_FRAG), api.service.calls.get(1));
    }

    @Test
    void shouldRestartIceWith200NewEtagAndSdpFrag() throws Exception {
        api.postSdp("/whep/room1", OFFER);

        HttpResponse<String> restarted = api.patch("/whep/room1/sess1", "*", CANDIDATE_FRAG);

        assertEquals(200, restarted.statusCode(), restarted.body());
        assertEquals("\"ice1r\"", restarted.headers().firstValue("ETag").orElseThrow());
        assertEquals("application/trickle-ice-sdpfrag", restarted.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(RecordingSessionService.RESTART_ANSWER, restarted.body());
        assertEquals("*", api.service.calls.get(1).ifMatch());
        // The old ICE session's tag no longer matches.
        assertEquals(412, api.patch("/whep/room1/sess1", "\"ice1\"", CANDIDATE_FRAG).statusCode());
        assertEquals(204, api.patch("/whep/room1/sess1", "\"ice1r\"", CANDIDATE_FRAG).statusCode());
    }

    @Test
    void shouldRequireIfMatchOnPatchWith428() throws Exception {
        api.postSdp("/whip/room1", OFFER);

        HttpResponse<String> unconditional = api.patch("/whip/room1/sess1", null, CANDIDATE_FRAG);

        assertEquals(428, unconditional.statusCode());
        assertTrue(unconditional.body().contains("If-Match"), unconditional.body());
        assertEquals(1, api.service.calls.size());
    }

    @Test
    void shouldAnswer412ForAStaleEtagAnd404ForAnUnknownSession() throws Exception {
        api.postSdp("/whip/room1", OFFER);

        HttpResponse<String> stale = api.patch("/whip/room1/sess1", "\"old\"", CANDIDATE_FRAG);
        HttpResponse<String> unknown = api.patch("/whip/room1/nosuch", "\"ice1\"", CANDIDATE_FRAG);

        assertEquals(412, stale.statusCode());
        assertEquals("ICE session old is not current\n", stale.body());
        assertEquals(404, unknown.statusCode());
        assertEquals("no such session: nosuch\n", unknown.body());
    }

    @Test
    void shouldDeleteOnceThen404() throws Exception {
        api.postSdp("/whip/room1", OFFER);

        HttpResponse<String> first = api.delete("/whip/room1/sess1");
        HttpResponse<String> second = api.delete("/whip/room1/sess1");

        assertEquals(200, first.statusCode(), first.body());
        assertEquals("", first.body());
        assertEquals(404, second.statusCode());
        assertEquals("no such session: sess1\n", second.body());
        assertEquals(new RecordingSessionService.Call("delete", SessionKind.WHIP, "room1", "sess1", null, null), api.service.calls.get(1));
        assertEquals(404, api.delete("/whep/room1/sess1").statusCode(), "a WHIP session is not a WHEP one");
    }

    @Test
    void shouldMapAFailedServiceFutureTo500WithAReason() throws Exception {
        api.service.onCreate = call -> CompletableFuture.failedFuture(new IllegalStateException("boom"));

        HttpResponse<String> failed = api.postSdp("/whip/room1", OFFER);

        assertEquals(500, failed.statusCode());
        assertEquals("internal error in the session service\n", failed.body());
    }

    @Test
    void shouldMapAThrowingServiceTo500() throws Exception {
        api.service.onCreate = call -> {
            throw new IllegalArgumentException("bug");
        };
        assertEquals(500, api.postSdp("/whip/room1", OFFER).statusCode());
        api.service.onCreate = call -> null;
        HttpResponse<String> noStage = api.postSdp("/whip/room1", OFFER);
        assertEquals(500, noStage.statusCode());
        assertTrue(noStage.body().endsWith("\n"));
        api.service.onCreate = call -> CompletableFuture.completedFuture(null);
        assertEquals("session service returned no result\n", api.postSdp("/whip/room1", OFFER).body());
    }

    @Test
    void shouldAnswerAServiceCompletingOnAnotherThread() throws Exception {
        api.service.onCreate = call -> CompletableFuture.supplyAsync(() -> new Created("late", "t", "v=0\r\n".getBytes(StandardCharsets.UTF_8)));

        HttpResponse<String> created = api.postSdp("/whip/room1", OFFER);

        assertEquals(201, created.statusCode());
        assertEquals("/whip/room1/late", created.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void shouldTimeOutASilentServiceWith500AndKeepServing() throws Exception {
        api.close();
        api = new TestApi("", 16_384, Duration.ofMillis(200), StaticFile.DEMO_PAGE, MetricsSource.NONE);
        CompletableFuture<Created> never = new CompletableFuture<>();
        api.service.onCreate = call -> never;

        HttpResponse<String> timedOut = api.postSdp("/whip/room1", OFFER);

        assertEquals(500, timedOut.statusCode());
        assertEquals("session service did not answer within 200 ms\n", timedOut.body());
        // The late session is not written into the finished response but deleted: nobody has its URL.
        never.complete(new Created("late", "t", new byte[] {'v'}));
        assertEquals(new RecordingSessionService.Call("delete", SessionKind.WHIP, "room1", "late", null, null),
                api.service.firstDelete.get(10, TimeUnit.SECONDS));
        api.service.onCreate = null;
        assertEquals(201, api.postSdp("/whip/room1", OFFER).statusCode());
        assertEquals(200, api.get("/health").statusCode());
    }

    @Test
    void shouldDeleteASessionWhoseClientLeftBeforeTheAnswer() throws Exception {
        CompletableFuture<Created> pending = new CompletableFuture<>();
        CountDownLatch called = new CountDownLatch(1);
        api.service.onCreate = call -> {
            called.countDown();
            return pending;
        };
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            socket.getOutputStream().write(("POST /whip/room1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sdp\r\n"
                    + "Content-Length: 5\r\n\r\nv=0\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(called.await(10, TimeUnit.SECONDS));
        }
        // One server instance serves every connection on one event loop: once this answer is out, the close
        // of the first connection (sent earlier) has been handled too.
        assertEquals(200, api.get("/health").statusCode());
        pending.complete(new Created("gone", "t", new byte[] {'v'}));

        assertEquals(new RecordingSessionService.Call("delete", SessionKind.WHIP, "room1", "gone", null, null),
                api.service.firstDelete.get(10, TimeUnit.SECONDS));
        api.service.onCreate = null;
        assertEquals(201, api.postSdp("/whip/room1", OFFER).statusCode());
    }
}
