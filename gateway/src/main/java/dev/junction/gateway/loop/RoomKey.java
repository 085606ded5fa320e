package dev.junction.gateway.loop;

import java.util.Objects;

/**
 * One room's identity across the media loops: its name and its home loop (where its publishers' transports
 * live). Each loop keys its part of the room by this object, not by the name: a room removed and made again under
 * the same name is another key, so a loop still closing the old one never confuses the two. Immutable.
 */
public final class RoomKey {
    private final String name;
    private final int home;

    public RoomKey(String name, int home) {
        this.name = Objects.requireNonNull(name, "name");
        this.home = home;
    }

    public String name() {
        return name;
    }

    /** The index of the loop that hosts the room's publishers. */
    public int home() {
        return home;
    }

    @Override
    public String toString() {
        return "RoomKey[" + name + " home=" + home + "]";
    }
}
