package dev.junction.gateway.loop;

import dev.junction.gateway.room.Publisher;
import dev.junction.gateway.room.Subscriber;

/**
 * A session's place in its room on its loop: the publisher or the subscriber it became. Read on that loop.
 *
 * @param key        the room
 * @param publisher  the WHIP session's publisher, or null
 * @param subscriber the WHEP session's subscriber, or null
 */
public record RoomMember(RoomKey key, Publisher publisher, Subscriber subscriber) {
}
