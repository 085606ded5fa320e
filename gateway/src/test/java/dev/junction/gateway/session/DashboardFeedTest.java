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
 * Issue 15: the dashboard's sampler costs next to nothing while nobody watches (no loop is asked, nothing parsed),
 * and the first look asks for a full sample at once.
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
            JsonArray lag = column(series, "loop0:lag");
            JsonArray sessionsSeries = column(series, "sessions");
            assertTrue(lag.size() >= 2);
            for (int i = 0; i < lag.size(); i++) {
                assertEquals(null, lag.getValue(i), "the loop was not asked while nobody watched");
                assertEquals(0.0, sessionsSeries.getDouble(i), "the cheap series are sampled all along");
            }

            await(() -> feed.fullSamples() >= 1, "a full sample after the first look");
            JsonArray after = column(new JsonObject(feed.series(0)), "loop0:lag");
            assertNotNull(after.getValue(after.size() - 1), "the loop's lag is known again");
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
