package dev.junction.gateway.loop;

import java.util.List;

/**
 * What one media loop shows the dashboard once a second (issue 13), taken on the loop by
 * {@link LoopProxy#snapshot}: how long the request waited for the loop, which thread the loop is, its rooms'
 * figures, and the loss and round-trip time of every session on it that reported one. Immutable once made.
 *
 * @param threadId  the loop's thread (for its CPU time)
 * @param lagNs     from the request's hand-off to the loop running it: the loop's lag
 * @param rooms     its part of each room
 * @param losses    per transport that reported one: the fraction lost (0..1)
 * @param rttsMs    per transport that reported one: the round-trip time in milliseconds
 */
public record LoopSnapshot(long threadId, long lagNs, List<RoomPart> rooms, double[] losses, double[] rttsMs) {

    /**
     * One room's part on the loop: its members here and its counters so far (monotonic while the part lives).
     *
     * @param home whether this is the room's home loop (its publishers are here)
     */
    public record RoomPart(String name, boolean home, int publishers, int subscribers, long rtpIn, long rtpForwarded,
            long bytesForwarded) {
    }
}
