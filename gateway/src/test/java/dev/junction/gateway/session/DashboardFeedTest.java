package dev.junction.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.transport.WebRtcTransport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: the dashboard's sampler costs little while nobody watches (no room or session walked on the loops,
 * nothing parsed), and the first look asks for a full sample at once.
 */
class DashboardFeedTest {

    @Test
    void shouldLeaveTheLoopsAloneWhileNobodyWatchesAndSampleFullyOnceSomeoneLooks() throws Exception {
        JunctionConfig config = ConfigLoader.load(new String[] {"--http-port", "0", "--media-port", "0", "--media-loops", "1"});
        MediaSessions sessions = MediaSessions.start(config, WebRtcTransport.Options.DEFAULT, 50);
        try {
            DashboardFeed feed = (DashboardFeed) sessions.dashboard();
            await(() -> feed.samples() >= 2, "two samples taken");
            assertEquals(0, feed.fullSamples(), "nobody watched: no full sample");

            JsonObject series = new JsonObject(feed.series(0)); // the first look
            JsonArray kernel = column(series, "drop:kernel_receive_buffer");
            JsonArray sessionsSeries = column(series, "sessions");
            JsonArray lag = column(series, "loop0:lag");
            assertTrue(kernel.size() >= 2);
            for (int i = 0; i < kernel.size(); i++) {
                assertEquals(null, kernel.getValue(i), "/proc/net/udp was not read while nobody watched");
                assertEquals(0.0, sessionsSeries.getDouble(i), "the cheap series are sampled all along");
                assertNotNull(lag.getValue(i), "the loop's lag is cheap: sampled all along");
            }

            await(() -> feed.fullSamples() >= 2, "full samples after the first look");
            JsonArray after = column(new JsonObject(feed.series(0)), "drop:kernel_receive_buffer");
            assertNotNull(after.getValue(after.size() - 1), "the kernel's drops are read again");
        } finally {
            sessions.close();
        }
    }

    private static JsonArray column(JsonObject series, String name) {
        int at = series.getJsonArray("names").getList().indexOf(name);
        assertTrue(at >= 0, "no series " + name);
        return series.getJsonArray("data").getJsonArray(at);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) throw new AssertionError("not within 10 s: " + what);
            LockSupport.parkNanos(10_000_000L);
        }
    }
}
