package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a slow or greedy client can hold (issue 12 defects 6 and 7): requests Netty's decoder refuses get a status and
 * a one-line reason, headers and bodies have deadlines, and one address holds a bounded number of connections. Every
 * test waits for the server to close the connection (a read that returns end of stream), never for a time.
 */
class HttpApiConnectionLimitsTest {

    /** Far past any deadline under test: a read blocked this long means the server did not close. */
    private static final int READ_TIMEOUT_MS = 30_000;

    @Test
    void shouldAnswerOversizedHeadersWith431AndAReason() throws Exception {
        try (TestApi api = TestApi.open(); Socket socket = connect(api)) {
            send(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "a".repeat(9000) + "\r\n\r\n");

            String response = readUntilClosed(socket);

            assertTrue(response.startsWith("HTTP/1.1 431 "), response);
            assertTrue(response.endsWith("\r\n\r\nrequest header fields larger than 8192 bytes\n"), response);
            assertTrue(lower(response).contains("content-type: text/plain"), response);
            assertTrue(lower(response).contains("access-control-allow-origin: *"), response);
            assertTrue(metric(api, "junction_http_responses_total{code=\"431\"}") >= 1);
            assertEquals(0, metric(api, "junction_http_connections_closed_total{reason=\"header_timeout\"}"));
        }
    }

    @Test
    void shouldAnswerAnOverlongRequestLineWith414AndAReason() throws Exception {
        try (TestApi api = TestApi.open(); Socket socket = connect(api)) {
            send(socket, "GET /whep/" + "r".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

            String response = readUntilClosed(socket);

            // The version sits past the part of the line the decoder read, so Vert.x answers in HTTP/1.0.
            assertTrue(response.startsWith("HTTP/1.0 414 ") || response.startsWith("HTTP/1.1 414 "), response);
            assertTrue(response.endsWith("\r\n\r\nrequest line longer than 4096 bytes\n"), response);
        }
    }

    @Test
    void shouldAnswerAMalformedContentLengthWith400AndAReason() throws Exception {
        try (TestApi api = TestApi.open(); Socket socket = connect(api)) {
            send(socket, "POST /whip/room1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sdp\r\n"
                    + "Content-Length: twelve\r\n\r\nv=0\r\n");

            String response = readUntilClosed(socket);

            assertTrue(response.startsWith("HTTP/1.1 400 "), response);
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            assertTrue(body.startsWith("malformed HTTP request"), response);
            assertTrue(body.endsWith("\n") && body.indexOf('\n') == body.length() - 1, "one line: " + body);
            assertTrue(api.service.calls.isEmpty());
        }
    }

    @Test
    void shouldCloseAConnectionThatTricklesItsHeaders() throws Exception {
        try (TestApi api = TestApi.withLimits(400, 10_000, 64); Socket socket = connect(api)) {
            // A byte every 50 ms keeps the connection far from idle, so only the header deadline can close it.
            Thread trickler = Thread.ofVirtual().start(() -> {
                byte[] request = "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; ; i++) {
                        out.write(i < request.length ? request[i] : 'a');
                        out.flush();
                        Thread.sleep(50);
                    }
                } catch (IOException | InterruptedException stopped) {
                    // the server closed the connection, or the test is over
                }
            });
            try {
                String response = readUntilClosed(socket);

                assertEquals("", response, "nothing is answered to headers that never end");
                assertEquals(1, closed(api, HttpCounters.CLOSED_HEADER_TIMEOUT));
            } finally {
                trickler.interrupt();
            }
        }
    }

    @Test
    void shouldCloseAKeptAliveConnectionThatSendsNoNextRequest() throws Exception {
        try (TestApi api = TestApi.withLimits(1_500, 10_000, 64); Socket socket = connect(api)) {
            send(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");

            String response = readUntilClosed(socket);

            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
            assertTrue(response.endsWith("ok\n"), response);
            assertEquals(1, closed(api, HttpCounters.CLOSED_HEADER_TIMEOUT));
        }
    }

    @Test
    void shouldKeepServingAConnectionWhoseRequestsArriveInTime() throws Exception {
        try (TestApi api = TestApi.withLimits(5_000, 10_000, 64); Socket socket = connect(api)) {
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                send(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
                String head = readResponse(in);
                assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            }
            assertEquals(0, closed(api, HttpCounters.CLOSED_HEADER_TIMEOUT));
        }
    }

    @Test
    void shouldAnswer408WhenABodyStallsHalfway() throws Exception {
        try (TestApi api = TestApi.withLimits(10_000, 400, 64); Socket socket = connect(api)) {
            send(socket, "POST /whip/room1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sdp\r\n"
                    + "Content-Length: 500\r\n\r\nv=0\r\n");

            String response = readUntilClosed(socket);

            assertTrue(response.startsWith("HTTP/1.1 408 "), response);
            assertTrue(response.endsWith("\r\n\r\nrequest body not complete within 400 ms\n"), response);
            assertTrue(lower(response).contains("connection: close"), response);
            assertTrue(api.service.calls.isEmpty());
            assertEquals(1, closed(api, HttpCounters.CLOSED_BODY_TIMEOUT));
        }
    }

    @Test
    void shouldCloseConnectionsPastThePerSourceLimit() throws Exception {
        try (TestApi api = TestApi.withLimits(10_000, 10_000, 3)) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) held.add(connect(api));
                // Each held connection has been seen by the server once it answers on it.
                for (Socket socket : held) {
                    send(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    assertTrue(readResponse(socket.getInputStream()).startsWith("HTTP/1.1 200 "));
                }
                try (Socket fourth = connect(api)) {
                    assertEquals("", readUntilClosed(fourth), "the fourth connection is closed unanswered");
                }
                assertEquals(1, closed(api, HttpCounters.CLOSED_PER_SOURCE_LIMIT));

                held.remove(0).close();
                // Once the server has seen the close, a new connection fits again.
                awaitConnections(api, 2);
                try (Socket again = connect(api)) {
                    send(again, "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
                    assertTrue(readUntilClosed(again).startsWith("HTTP/1.1 200 "));
                }
            } finally {
                for (Socket socket : held) socket.close();
            }
        }
    }

    private static void awaitConnections(TestApi api, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String source = InetAddress.getLoopbackAddress().getHostAddress();
        while (api.api.connectionGuard().connections(source) != expected) {
            assertTrue(System.nanoTime() < deadline, "connections from " + source + ": "
                    + api.api.connectionGuard().connections(source) + ", expected " + expected);
            Thread.sleep(10);
        }
    }

    private static Socket connect(TestApi api) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), api.port());
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one response with a Content-Length body off a kept-alive connection. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("closed after: " + head);
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (lower(line).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        return head + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }

    /** Reads until the server closes the connection; a read timeout (the server never closed) fails the test. */
    private static String readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        } catch (SocketException reset) {
            // a close with unread input arrives as a reset: closed all the same
        }
        return text.toString();
    }

    /** Read in process: a /metrics request would itself be a connection under the limits being tested. */
    private static long closed(TestApi api, int reason) {
        return api.api.counters().closedCount(reason);
    }

    private static long metric(TestApi api, String series) throws Exception {
        for (String line : api.get("/metrics").body().split("\n")) {
            if (line.startsWith(series + " ")) return Long.parseLong(line.substring(series.length() + 1));
        }
        return 0;
    }

    private static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}
