package dev.junction.gateway.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where sessions sit: a room's home on the least-loaded loop, its subscribers there until the room spreads. */
class RoomDirectoryTest {

    @Test
    void shouldSeatSubscribersOnTheHomeLoopUntilTheRoomSpreads() {
        try (RoomDirectory directory = new RoomDirectory(3, 60_000, 2)) {
            RoomDirectory.Seat publisher = directory.enter("a", false);
            int home = publisher.loop();
            List<RoomDirectory.Seat> subs = new ArrayList<>();
            for (int i = 0; i < 5; i++) subs.add(directory.enter("a", true));
            assertEquals(home, subs.get(0).loop());
            assertEquals(home, subs.get(1).loop());
            // Past two subscribers: dealt round-robin from home.
            assertEquals(home, subs.get(2).loop());
            assertEquals((home + 1) % 3, subs.get(3).loop());
            assertEquals((home + 2) % 3, subs.get(4).loop());
            int[] perLoop = directory.sessionsPerLoop();
            assertEquals(4, perLoop[home], java.util.Arrays.toString(perLoop));

            // Leaving gives the seats back: with one subscriber left the next sits at home again.
            for (int i = 4; i >= 1; i--) directory.leave(subs.remove(i));
            assertEquals(1, publisher.room().subscribers());
            assertEquals(home, directory.enter("a", true).loop());
        }
    }

    @Test
    void shouldHomeANewRoomOnTheLoopWithFewestSessions() {
        try (RoomDirectory directory = new RoomDirectory(2, 60_000, 16)) {
            RoomDirectory.Seat big = directory.enter("big", false);
            for (int i = 0; i < 3; i++) directory.enter("big", true);
            RoomDirectory.Seat second = directory.enter("second", false);
            assertEquals(1 - big.loop(), second.loop(), "the other loop has no session");
            RoomDirectory.Seat third = directory.enter("third", false);
            assertEquals(second.loop(), third.loop(), "still fewer sessions there (1 against 4)");
            int[] expected = new int[2];
            expected[big.loop()] = 4;
            expected[second.loop()] = 2;
            assertArrayEquals(expected, directory.sessionsPerLoop());
            assertEquals(4, big.room().members());
        }
    }
}
