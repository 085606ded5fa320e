package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What is refused before the session service is asked: token (401), size (413) and media type (415). */
class HttpApiGuardTest {

    private static final String OFFER = HttpApiSessionTest.OFFER;
    private static final int MAX_BODY_BYTES = 1024;

    @Test
    void shouldRefuseAMissingTokenWith401AndAChallenge() throws Exception {
        try (TestApi api = TestApi.withToken("s3cret")) {
            for (HttpResponse<String> refused : List.of(
                    api.postSdp("/whip/room1", OFFER),
                    api.patch("/whip/room1/sess1", "\"e\"", "a=end-of-candidates\r\n"),
                    api.delete("/whep/room1/sess1"))) {
                assertEquals(401, refused.statusCode(), refused.request().method());
                assertTrue(refused.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
                assertTrue(refused.body().endsWith("\n"));
            }
            assertTrue(api.service.calls.isEmpty());
        }
    }

    @Test
    void shouldRefuseAWrongTokenWith401() throws Exception {
        try (TestApi api = TestApi.withToken("s3cret")) {
            HttpResponse<String> refused = api.send(api.request("/whip/room1").header("Content-Type", "application/sdp")
                    .header("Authorization", "Bearer s3cre7").POST(HttpRequest.BodyPublishers.ofString(OFFER)).build());
            assertEquals(401, refused.statusCode());
            assertEquals("invalid bearer token\n", refused.body());
            assertTrue(refused.headers().firstValue("WWW-Authenticate").orElseThrow().contains("invalid_token"));
            assertTrue(api.service.calls.isEmpty());
        }
    }

    @Test
    void shouldLetTheRightTokenThroughEveryMethod() throws Exception {
        try (TestApi api = TestApi.withToken("s3cret")) {
            HttpResponse<String> created = api.send(api.request("/whip/room1").header("Content-Type", "application/sdp")
                    .header("Authorization", "Bearer s3cret").POST(HttpRequest.BodyPublishers.ofString(OFFER)).build());
            assertEquals(201, created.statusCode(), created.body());
            HttpResponse<String> trickled = api.send(api.request("/whip/room1/sess1").header("Content-Type", "application/trickle-ice-sdpfrag")
                    .header("If-Match", "\"ice1\"").header("Authorization", "Bearer s3cret")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("a=end-of-candidates\r\n")).build());
            assertEquals(204, trickled.statusCode(), trickled.body());
            HttpResponse<String> deleted = api.send(api.request("/whip/room1/sess1").header("Authorization", "Bearer s3cret").DELETE().build());
            assertEquals(200, deleted.statusCode(), deleted.body());
            assertEquals(3, api.service.calls.size());
        }
    }

    @Test
    void shouldNotAskForATokenOnHealthMetricsOrPreflight() throws Exception {
        try (TestApi api = TestApi.withToken("s3cret")) {
            assertEquals(200, api.get("/health").statusCode());
            assertEquals(200, api.get("/metrics").statusCode());
            assertEquals(200, api.send(api.request("/whip/room1").method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        }
    }

    @Test
    void shouldRefuseAWrongContentTypeWith415() throws Exception {
        try (TestApi api = TestApi.open()) {
            HttpResponse<String> json = api.post("/whip/room1", "application/json", "{}");
            assertEquals(415, json.statusCode());
            assertEquals("Content-Type must be application/sdp\n", json.body());
            assertEquals("application/sdp", json.headers().firstValue("Accept-Post").orElseThrow());
            HttpResponse<String> none = api.send(api.request("/whep/room1").POST(HttpRequest.BodyPublishers.ofString(OFFER)).build());
            assertEquals(415, none.statusCode());
            HttpResponse<String> prefix = api.post("/whep/room1", "application/sdpx", OFFER);
            assertEquals(415, prefix.statusCode());

            api.postSdp("/whip/room1", OFFER);
            HttpResponse<String> sdpPatch = api.send(api.request("/whip/room1/sess1").header("Content-Type", "application/sdp")
                    .header("If-Match", "\"ice1\"").method("PATCH", HttpRequest.BodyPublishers.ofString(OFFER)).build());
            assertEquals(415, sdpPatch.statusCode());
            assertEquals("Content-Type must be application/trickle-ice-sdpfrag\n", sdpPatch.body());
            assertEquals("application/trickle-ice-sdpfrag", sdpPatch.headers().firstValue("Accept-Patch").orElseThrow());
            assertEquals(1, api.service.calls.size(), "only the valid POST reached the service");
        }
    }

    @Test
    void shouldAcceptABodyOfExactlyTheLimit() throws Exception {
        try (TestApi api = limited()) {
            assertEquals(201, api.postSdp("/whip/room1", "v".repeat(MAX_BODY_BYTES)).statusCode());
            HttpResponse<String> chunked = api.send(api.request("/whip/room1").header("Content-Type", "application/sdp")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[MAX_BODY_BYTES]))).build());
            assertEquals(201, chunked.statusCode());
            assertEquals(MAX_BODY_BYTES, api.service.lastBody.length);
        }
    }

    @Test
    void shouldRefuseAnOversizedBodyWith413() throws Exception {
        try (TestApi api = limited()) {
            HttpResponse<String> sized = api.postSdp("/whip/room1", "v".repeat(MAX_BODY_BYTES + 1));
            assertEquals(413, sized.statusCode());
            assertEquals("request body larger than 1024 bytes\n", sized.body());
            HttpResponse<String> chunked = api.send(api.request("/whep/room1").header("Content-Type", "application/sdp")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[MAX_BODY_BYTES + 1]))).build());
            assertEquals(413, chunked.statusCode());
            assertTrue(api.service.calls.isEmpty());
            assertEquals(200, api.get("/health").statusCode());
        }
    }

    @Test
    void shouldRefuseADeclaredOversizedBodyBeforeItArrives() throws Exception {
        try (TestApi api = limited(); Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // Declares 100 MB and sends none of it: only a check on Content-Length can answer now.
            out.write(("POST /whip/room1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sdp\r\n"
                    + "Content-Length: 100000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String response = readUntilClosed(socket.getInputStream());

            assertTrue(response.startsWith("HTTP/1.1 413 "), response);
            assertTrue(response.endsWith("\r\n\r\nrequest body larger than 1024 bytes\n"), response);
            assertTrue(api.service.calls.isEmpty());
        }
    }

    @Test
    void shouldStopReadingAChunkedBodyOnceItPassesTheLimit() throws Exception {
        try (TestApi api = limited(); Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /whep/room1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sdp\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // Three 512-byte chunks and no last chunk: the body never ends, so only the running count can answer.
            String chunk = "200\r\n" + "v".repeat(512) + "\r\n";
            out.write((chunk + chunk + chunk).getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String response = readUntilClosed(socket.getInputStream());

            assertTrue(response.startsWith("HTTP/1.1 413 "), response);
            assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), response);
            assertTrue(api.service.calls.isEmpty());
        }
    }

    @Test
    void shouldRefuseAnOversizedExpectContinueRequestWithoutAskingForTheBody() throws Exception {
        try (TestApi api = limited(); Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /whip/room1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sdp\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 2048\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

            String response = readUntilClosed(socket.getInputStream());

            assertTrue(response.startsWith("HTTP/1.1 413 "), response);
            assertTrue(!response.contains("100 Continue"), response);
        }
    }

    @Test
    void shouldAskForTheBodyOfAnExpectContinueRequestWithinTheLimit() throws Exception {
        try (TestApi api = limited(); Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("POST /whip/room1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sdp\r\nConnection: close\r\n"
                    + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String interim = "HTTP/1.1 100 Continue\r\n\r\n";
            assertEquals(interim, new String(in.readNBytes(interim.length()), StandardCharsets.US_ASCII));
            out.write("v=0\r\n".getBytes(StandardCharsets.US_ASCII));

            String response = readUntilClosed(in);

            assertTrue(response.startsWith("HTTP/1.1 201 "), response);
            assertEquals("v=0\r\n", api.service.onlyCall().body());
        }
    }

    private static TestApi limited() throws Exception {
        return new TestApi("", MAX_BODY_BYTES, HttpApi.DEFAULT_SERVICE_TIMEOUT, StaticFile.DEMO_PAGE, MetricsSource.NONE);
    }

    /** Reads until the server closes the connection (bounded by a socket timeout, so a hang fails). */
    private static String readUntilClosed(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
}
