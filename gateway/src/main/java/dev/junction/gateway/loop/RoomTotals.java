package dev.junction.gateway.loop;

import dev.junction.gateway.room.KeyframeCause;
import dev.junction.gateway.room.LayerReason;
import dev.junction.gateway.room.Room;
import dev.junction.gateway.room.RoomCounters;
import dev.junction.gateway.room.RoomDrop;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToLongFunction;

/**
 * The {@link RoomCounters} of every room of one media loop, summed, for {@code /metrics} as monotonic counters
 * {@code junction_room_<counter>_total} and {@code junction_room_dropped_total{reason="…"}}.
 *
 * <p>RoomCounters are plain longs written by the room's loop, so another thread must not read them. Instead the
 * loop itself {@link #publish}es, every {@link LoopRooms} publish period, the sum of its live rooms plus the
 * rooms it already closed ({@link #addClosed}, in the same loop task that drops a room from the live list) into
 * an {@link AtomicLongArray} with release stores; scrapes read only that. Because adding a closed room and
 * dropping it from the live list happen in one task, every published value is at least the one before: the
 * counters never go back, and a scrape is at most one publish period stale.
 *
 * <p>Threading: {@link #addClosed} and {@link #publish} on the owning loop only; {@link #appendMetrics} on any
 * thread.
 */
public final class RoomTotals {

    /** One named counter of {@link RoomCounters}. */
    private record Counter(String name, String help, ToLongFunction<RoomCounters> read) { }

    private static final List<Counter> COUNTERS = List.of(
            new Counter("rtp_in", "RTP packets received from publishers, before any check.", RoomCounters::rtpIn),
            new Counter("rtp_forwarded", "RTP copies handed to subscribers' transports (one per consumer per packet).", RoomCounters::rtpForwarded),
            new Counter("bytes_forwarded", "Bytes of the forwarded RTP copies, RTP header included, SRTP tag excluded.", RoomCounters::bytesForwarded),
            new Counter("rtcp_in", "Compound RTCP packets received from publishers and subscribers.", RoomCounters::rtcpIn),
            new Counter("keyframe_requests_in", "PLI/FIR received from subscribers for a bound slot.", RoomCounters::keyframeRequestsIn),
            new Counter("keyframe_requests_sent", "PLI/FIR sent upstream to publishers.", RoomCounters::keyframeRequestsSent),
            new Counter("keyframe_requests_coalesced", "Keyframe requests folded into one already sent or pending.", RoomCounters::keyframeRequestsCoalesced),
            new Counter("source_switches", "Times a slot's or a producer's source changed.", RoomCounters::sourceSwitches),
            new Counter("nacks_in", "Sequence numbers NACKed by subscribers.", RoomCounters::nacksIn),
            new Counter("retransmissions", "Packets resent from the retransmission cache in answer to NACKs.", RoomCounters::retransmissions),
            new Counter("reports_sent", "Receiver Reports sent to publishers plus Sender Report packets sent to subscribers.", RoomCounters::reportsSent),
            new Counter("nacks_sent_upstream", "Sequence numbers NACKed to publishers, each retry counted again.", RoomCounters::nacksSentUpstream),
            new Counter("packets_recovered_upstream", "Packets missing from a publisher's stream that arrived after being NACKed.", RoomCounters::packetsRecoveredUpstream),
            new Counter("rtp_routed", "RTP packets a Producer handed to at least one Consumer or pipe (in = routed + the packet drops).", RoomCounters::rtpRouted),
            new Counter("rtp_piped_in", "RTP packets a room received from its home loop through a pipe (a publisher's packets counted again on each other loop with subscribers).", RoomCounters::rtpPipedIn),
            new Counter("repairs_requested", "NACKed packets a loop's cache lacked and asked of the home loop through the pipe.", RoomCounters::repairsRequested),
            new Counter("transport_cc_feedback_sent", "Transport-wide congestion control feedback messages sent to publishers (their estimators run on it).", RoomCounters::transportCcFeedbackSent),
            new Counter("transport_cc_feedback_in", "Transport-wide congestion control feedback messages received from subscribers (their estimates run on it).", RoomCounters::transportCcFeedbackIn),
            new Counter("rtp_numbered", "RTP packets to subscribers numbered with their leg's transport-wide sequence number.", RoomCounters::rtpNumbered),
            new Counter("rtp_unnumbered", "RTP packets to transport-cc subscribers that could not carry the number (an opaque or full extension block).", RoomCounters::rtpUnnumbered),
            new Counter("active_decode_targets_untold", "RTP packets to subscribers whose dependency descriptor could not take the active decode targets Junction meant to add (forwarded without them).", RoomCounters::activeDecodeTargetsUntold),
            new Counter("padding_sent", "Padding-only RTX packets sent to subscribers to probe for bandwidth.", RoomCounters::paddingSent),
            new Counter("keyframes_instead_of_resends", "Keyframes asked for because a subscriber's resends were withheld over its bandwidth estimate.", RoomCounters::keyframesInsteadOfResends));
    private static final RoomDrop[] DROPS = RoomDrop.values();
    private static final LayerReason[] CAUSES = LayerReason.values();
    private static final KeyframeCause[] KEYFRAME_CAUSES = KeyframeCause.values();
    private static final int BUCKETS = RoomCounters.ESTIMATE_BOUNDS_BPS.length + 1;
    /** Where the layer switches start, then the keyframe requests by cause, the estimate's buckets, its sum. */
    private static final int SWITCHES_AT = COUNTERS.size() + DROPS.length;
    private static final int KEYFRAMES_AT = SWITCHES_AT + CAUSES.length;
    private static final int BUCKETS_AT = KEYFRAMES_AT + KEYFRAME_CAUSES.length;
    private static final int SUM_AT = BUCKETS_AT + BUCKETS;
    /**
     * Slots: the named counters, one per drop reason, one per layer switch cause, one per keyframe request cause, the
     * estimate histogram's buckets and sum.
     */
    static final int SIZE = SUM_AT + 1;

    // State, on the owning loop.
    private final long[] closed = new long[SIZE];
    private final long[] scratch = new long[SIZE];

    // Read by any thread.
    private final AtomicLongArray published = new AtomicLongArray(SIZE);

    /** Keeps a room's final counts; call in the loop task that drops it from the list given to {@link #publish}. */
    void addClosed(RoomCounters counters) {
        addTo(counters, closed);
    }

    /** Publishes the closed rooms' counts plus those of {@code live}, the loop's current rooms. */
    void publish(List<Room> live) {
        System.arraycopy(closed, 0, scratch, 0, SIZE);
        for (int i = 0, n = live.size(); i < n; i++) {
            addTo(live.get(i).counters(), scratch);
        }
        for (int i = 0; i < SIZE; i++) {
            published.setRelease(i, scratch[i]);
        }
    }

    /** The last published value of slot {@code index} (see {@link #SIZE}); any thread. */
    long published(int index) {
        return published.getAcquire(index);
    }

    private static void addTo(RoomCounters c, long[] into) {
        for (int i = 0; i < COUNTERS.size(); i++) {
            into[i] += COUNTERS.get(i).read().applyAsLong(c);
        }
        for (int i = 0; i < DROPS.length; i++) {
            into[COUNTERS.size() + i] += c.dropped(DROPS[i]);
        }
        for (int i = 0; i < CAUSES.length; i++) {
            into[SWITCHES_AT + i] += c.layerSwitches(CAUSES[i]);
        }
        for (int i = 0; i < KEYFRAME_CAUSES.length; i++) {
            into[KEYFRAMES_AT + i] += c.keyframeRequests(KEYFRAME_CAUSES[i]);
        }
        for (int i = 0; i < BUCKETS; i++) {
            into[BUCKETS_AT + i] += c.estimateBucket(i);
        }
        into[SUM_AT] += c.estimateSumBps();
    }

    /** Appends every counter, summed over {@code loops}; any thread. */
    public static void appendMetrics(StringBuilder out, RoomTotals[] loops) {
        for (int i = 0; i < COUNTERS.size(); i++) {
            Counter c = COUNTERS.get(i);
            String name = "junction_room_" + c.name() + "_total";
            out.append("# HELP ").append(name).append(' ').append(c.help()).append('\n');
            out.append("# TYPE ").append(name).append(" counter\n");
            out.append(name).append(' ').append(sum(loops, i)).append('\n');
        }
        out.append("# HELP junction_room_dropped_total Packets the rooms dropped, by reason.\n");
        out.append("# TYPE junction_room_dropped_total counter\n");
        for (int i = 0; i < DROPS.length; i++) {
            out.append("junction_room_dropped_total{reason=\"").append(DROPS[i].name().toLowerCase(Locale.ROOT)).append("\"} ")
                    .append(sum(loops, COUNTERS.size() + i)).append('\n');
        }
        out.append("# HELP junction_room_layer_switches_total Changes of a Consumer's target layer, by what caused them: bandwidth (its share of the subscriber's estimate), preference, layer_inactive.\n");
        out.append("# TYPE junction_room_layer_switches_total counter\n");
        for (int i = 0; i < CAUSES.length; i++) {
            if (CAUSES[i] == LayerReason.NONE || CAUSES[i] == LayerReason.AWAITING_KEYFRAME) continue;
            out.append("junction_room_layer_switches_total{reason=\"").append(CAUSES[i].label()).append("\"} ")
                    .append(sum(loops, SWITCHES_AT + i)).append('\n');
        }
        out.append("# HELP junction_room_keyframe_requests_total Keyframes asked of publishers, by why: viewer (a subscriber's PLI/FIR), join, switch (a Consumer waiting for a layer's keyframe), restart (a layer's new SSRC), instead_of_resend (resends withheld over the estimate), pipe (asked by another loop or node); before rate limiting.\n");
        out.append("# TYPE junction_room_keyframe_requests_total counter\n");
        for (int i = 0; i < KEYFRAME_CAUSES.length; i++) {
            out.append("junction_room_keyframe_requests_total{cause=\"").append(KEYFRAME_CAUSES[i].label()).append("\"} ")
                    .append(sum(loops, KEYFRAMES_AT + i)).append('\n');
        }
        String name = "junction_subscriber_estimate_bps";
        out.append("# HELP ").append(name).append(" Subscribers' send-side bandwidth estimates (transport-cc), each sampled once a second.\n");
        out.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS; i++) {
            cumulative += sum(loops, BUCKETS_AT + i);
            String le = i < RoomCounters.ESTIMATE_BOUNDS_BPS.length ? Long.toString(RoomCounters.ESTIMATE_BOUNDS_BPS[i]) : "+Inf";
            out.append(name).append("_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
        }
        out.append(name).append("_sum ").append(sum(loops, SUM_AT)).append('\n');
        out.append(name).append("_count ").append(cumulative).append('\n');
    }

    /** Packets the rooms of {@code loops} dropped for {@code reason}, as last published; any thread. */
    public static long dropped(RoomTotals[] loops, RoomDrop reason) {
        return sum(loops, COUNTERS.size() + reason.ordinal());
    }

    private static long sum(RoomTotals[] loops, int index) {
        long total = 0;
        for (RoomTotals t : loops) {
            total += t.published(index);
        }
        return total;
    }
}
