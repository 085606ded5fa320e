package dev.junction.transport.bwe;

/**
 * Groups packets and measures the inter-group delay variation, draft-ietf-rmcat-gcc-02 §5.2: packets
 * sent within a burst time of 5 ms of a group's first packet form one group, and for two consecutive
 * groups the variation is {@code d(i) = t(i) - t(i-1) - (T(i) - T(i-1))}, arrival time minus send time
 * differences of the groups' last packets.
 *
 * <p>As in the draft's §5.2 refinement (and libwebrtc's inter-arrival), a packet that arrives within 5 ms
 * of the group's last one with a negative propagation delta (it caught up: the network delivered a
 * burst) joins the group even if sent later, as long as the group spans less than 100 ms of arrivals.
 * Packets sent before the current group started (reordered) are ignored. An arrival gap of more than
 * 3 s, or arrivals going backwards, restarts grouping: the receiver's clock or the path changed.
 *
 * <p>Threading: not thread-safe; owned by a {@link BandwidthEstimator}. No allocation.
 */
public final class InterArrival {

    /** Burst time (draft-ietf-rmcat-gcc-02 §5.2). */
    static final long GROUP_LENGTH_NS = 5_000_000;
    private static final long MAX_BURST_DURATION_NS = 100_000_000;
    private static final long ARRIVAL_RESET_NS = 3_000_000_000L;

    private boolean hasCurrent;
    private long currentFirstSendNs;
    private long currentLastSendNs;
    private long currentFirstArrivalNs;
    private long currentLastArrivalNs;

    private boolean hasPrevious;
    private long previousLastSendNs;
    private long previousLastArrivalNs;

    // Output of the last call that returned true.
    private long sendDeltaNs;
    private long arrivalDeltaNs;
    private long groupArrivalNs;

    private long reorderedPackets;
    private long resets;

    /**
     * Adds one received packet, in send order.
     *
     * @return true when it closed a group and deltas between the two previous groups are available
     *         ({@link #sendDeltaNs()}, {@link #arrivalDeltaNs()}, {@link #groupArrivalNs()})
     */
    public boolean addPacket(long sendNs, long arrivalNs) {
        if (!hasCurrent) {
            startGroup(sendNs, arrivalNs);
            return false;
        }
        if (sendNs - currentFirstSendNs < 0) {
            reorderedPackets++;
            return false;
        }
        long arrivalGap = arrivalNs - currentLastArrivalNs;
        if (arrivalGap > ARRIVAL_RESET_NS || arrivalGap < -ARRIVAL_RESET_NS) {
            resets++;
            hasPrevious = false;
            startGroup(sendNs, arrivalNs);
            return false;
        }
        if (!startsNewGroup(sendNs, arrivalNs)) {
            if (sendNs - currentLastSendNs > 0) {
                currentLastSendNs = sendNs;
            }
            if (arrivalNs - currentLastArrivalNs > 0) {
                currentLastArrivalNs = arrivalNs;
            }
            return false;
        }
        boolean ready = false;
        if (hasPrevious) {
            long send = currentLastSendNs - previousLastSendNs;
            long arrival = currentLastArrivalNs - previousLastArrivalNs;
            if (arrival < 0) {
                // Arrivals went backwards between groups: the receiver clock jumped; start afresh.
                resets++;
                hasPrevious = false;
                startGroup(sendNs, arrivalNs);
                return false;
            }
            sendDeltaNs = send;
            arrivalDeltaNs = arrival;
            groupArrivalNs = currentLastArrivalNs;
            ready = true;
        }
        hasPrevious = true;
        previousLastSendNs = currentLastSendNs;
        previousLastArrivalNs = currentLastArrivalNs;
        startGroup(sendNs, arrivalNs);
        return ready;
    }

    private boolean startsNewGroup(long sendNs, long arrivalNs) {
        if (belongsToBurst(sendNs, arrivalNs)) {
            return false;
        }
        return sendNs - currentFirstSendNs > GROUP_LENGTH_NS;
    }

    private boolean belongsToBurst(long sendNs, long arrivalNs) {
        long arrivalDelta = arrivalNs - currentLastArrivalNs;
        long sendDelta = sendNs - currentLastSendNs;
        if (sendDelta == 0) {
            return true;
        }
        long propagationDelta = arrivalDelta - sendDelta;
        return propagationDelta < 0 && arrivalDelta <= GROUP_LENGTH_NS
                && arrivalNs - currentFirstArrivalNs < MAX_BURST_DURATION_NS;
    }

    private void startGroup(long sendNs, long arrivalNs) {
        hasCurrent = true;
        currentFirstSendNs = sendNs;
        currentLastSendNs = sendNs;
        currentFirstArrivalNs = arrivalNs;
        currentLastArrivalNs = arrivalNs;
    }

    /** Send time difference between the last packets of the two groups. */
    public long sendDeltaNs() {
        return sendDeltaNs;
    }

    /** Arrival time difference between the last packets of the two groups. */
    public long arrivalDeltaNs() {
        return arrivalDeltaNs;
    }

    /** Arrival time of the later group's last packet. */
    public long groupArrivalNs() {
        return groupArrivalNs;
    }

    public long reorderedPackets() {
        return reorderedPackets;
    }

    public long resets() {
        return resets;
    }
}
