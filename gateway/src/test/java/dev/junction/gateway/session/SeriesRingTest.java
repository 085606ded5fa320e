package dev.junction.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesRingTest {

    @Test
    void shouldKeepTheLastSamplesAndAnswerOnlyThoseAfterSince() {
        SeriesRing ring = new SeriesRing(List.of("a", "b"), 3);
        ring.add(1_000, new double[] {1, 10});
        ring.add(2_000, new double[] {2, Double.NaN});
        ring.add(3_000, new double[] {3.25, 30});
        ring.add(4_500, new double[] {4, 1.0 / 3});

        JsonObject all = new JsonObject(ring.json(0, 1000));
        assertEquals(new JsonArray(List.of("a", "b")), all.getJsonArray("names"));
        assertEquals(new JsonArray().add(2.0).add(3.0).add(4.5), all.getJsonArray("t"), "the oldest fell out; Unix seconds");
        assertEquals(new JsonArray().add(2).add(3.25).add(4), all.getJsonArray("data").getJsonArray(0));
        assertEquals(new JsonArray().addNull().add(30).add(0.333), all.getJsonArray("data").getJsonArray(1), "NaN is a gap");

        JsonObject since = new JsonObject(ring.json(3_000, 1000));
        assertEquals(new JsonArray().add(4.5), since.getJsonArray("t"), "only what came after since");
        assertEquals(new JsonArray().add(4), since.getJsonArray("data").getJsonArray(0));
        JsonObject none = new JsonObject(ring.json(9_000, 1000));
        assertEquals(0, none.getJsonArray("t").size());
        assertEquals(2, none.getJsonArray("data").size(), "one empty array per name");
    }

    @Test
    void shouldRefuseARowOfTheWrongWidth() {
        SeriesRing ring = new SeriesRing(List.of("a", "b"), 3);
        assertThrows(IllegalArgumentException.class, () -> ring.add(1, new double[] {1}));
    }

    @Test
    void shouldTakeNearestRankPercentiles() {
        double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, DashboardFeed.percentile(sorted, 50));
        assertEquals(10, DashboardFeed.percentile(sorted, 99));
        assertEquals(7, DashboardFeed.percentile(new double[] {7}, 99));
        assertEquals(Double.NaN, DashboardFeed.percentile(new double[0], 50));
    }
}
