package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.SendSlot;
import dev.junction.codec.sdp.jsep.SendStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlotSsrcAllocatorTest {

    @Test
    void shouldGiveEverySlotDistinctNonZeroSsrcsWithRtxOnlyWhenNegotiated() {
        SlotSsrcAllocator allocator = new SlotSsrcAllocator(new SplittableRandom(1), "junction", "room-1");
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            SendStream audio = allocator.allocate(new SendSlot("a" + i, MediaKind.AUDIO, i, 2 * i, List.of(), false)).orElseThrow();
            SendStream video = allocator.allocate(new SendSlot("v" + i, MediaKind.VIDEO, i, 2 * i + 1, List.of(), true)).orElseThrow();
            assertTrue(audio.rtxSsrc().isEmpty());
            assertTrue(seen.add(audio.ssrc()));
            assertTrue(seen.add(video.ssrc()));
            assertTrue(seen.add(video.rtxSsrc().getAsLong()));
            assertNotEquals(0, audio.ssrc());
            assertEquals("video-" + i, video.trackId());
            assertEquals("room-1", video.streamId());
        }
    }

    @Test
    void shouldAnswerARealSubscriberOfferWithTheAllocatedSsrcs() {
        var session = RoomFixtures.subscriber("firefox-subscriber.sdp");
        var video = RoomFixtures.media(session, MediaKind.VIDEO);
        assertTrue(video.sendStream().orElseThrow().rtxSsrc().isPresent(), "Firefox's VP8 has RTX");
        assertTrue(RoomFixtures.media(session, MediaKind.AUDIO).sendStream().orElseThrow().rtxSsrc().isEmpty());
    }
}
