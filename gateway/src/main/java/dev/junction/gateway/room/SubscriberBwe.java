package dev.junction.gateway.room;

import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.transport.bwe.BandwidthEstimator;
import dev.junction.transport.bwe.PacketResults;
import dev.junction.transport.bwe.Pacer;
import dev.junction.transport.bwe.ProbeCluster;
import dev.junction.transport.bwe.SendHistory;
import dev.junction.transport.bwe.SentKind;
import io.netty.buffer.ByteBuf;

/**
 * The send side of transport-wide congestion control toward one subscriber (issue 11;
 * draft-holmer-rmcat-transport-wide-cc-extensions-01): it numbers every RTP packet the subscriber gets with one
 * transport-wide sequence, remembers each packet's send time and size in its {@link BandwidthEstimator}'s send
 * history, feeds the subscriber's feedback to that estimator, and says what the subscriber may be sent: the
 * estimate (shared among its video slots by {@link Subscriber}) and whether a resend still fits in it.
 *
 * <p>Probing: the estimator asks for probe clusters (at the start, in ALR, when the application wants more); a
 * {@link Pacer} tracks them. Media sent meanwhile is tagged with the cluster, and the subscriber's timer tops the
 * cluster up with padding ({@link #paddingBytes}), so an estimate limited by the layer the subscriber gets can still
 * find the room for a higher one.
 *
 * <p>Until the first feedback arrives there is no estimate ({@link #hasEstimate()} false) and nothing is limited: a
 * subscriber that negotiated transport-cc but never sends feedback is served as without it.
 *
 * <p>Send rate: bytes sent in the last {@link #RATE_WINDOW_NS}, in {@link #BUCKETS} fixed buckets, for the resend
 * budget.
 *
 * <p>Sans-IO: time comes in as {@code nowNs}. Threading: the room's loop only. Allocates nothing per packet (the
 * estimator's history is preallocated); a probe cluster is one small record a few times a minute. Buffers: borrows
 * the packet it numbers and the feedback flyweight for the call.
 */
final class SubscriberBwe {
    /**
     * Start at 1 Mbit/s (a 720p layer's worth; libwebrtc's 300 kbit/s would put every new viewer on the lowest layer
     * until probes answer), never below 50 kbit/s, never above 20 Mbit/s. A history of 1,024 packets is two seconds at
     * 4 Mbit/s, ten feedback intervals, in about 30 KiB.
     */
    static final BandwidthEstimator.Settings SETTINGS = new BandwidthEstimator.Settings(1_000_000, 50_000, 20_000_000, 1024);
    static final long RATE_WINDOW_NS = 500_000_000L;
    static final int BUCKETS = 10;
    private static final long BUCKET_NS = RATE_WINDOW_NS / BUCKETS;

    // Passed by argument.
    private final int extensionId;

    // Allocated by this.
    private final BandwidthEstimator estimator;
    private final Pacer pacer;
    private final long[] bucketBytes = new long[BUCKETS];

    // State, on the loop.
    private int nextSequence;
    private boolean feedbackSeen;
    /** The newest bucket's index in {@link #bucketBytes}, and when it ends (on the {@code BUCKET_NS} grid). */
    private int newestBucket;
    private long newestBucketEndNs;
    private long feedbacks;
    /** The last feedback or timeout handled. */
    private long lastCallNs;

    /** @param extensionId the transport-wide sequence number's extension id on the subscriber's leg */
    /** @param results the room's scratch for one feedback's packet results ({@link Flyweights#feedbackResults}) */
    SubscriberBwe(int extensionId, PacketResults results, long nowNs) {
        this.extensionId = extensionId;
        this.estimator = new BandwidthEstimator(SETTINGS, results);
        this.pacer = new Pacer(SETTINGS.startBps(), Pacer.DEFAULT_PACING_FACTOR);
        long bucket = Math.floorDiv(nowNs, BUCKET_NS);
        this.newestBucket = (int) Math.floorMod(bucket, (long) BUCKETS);
        this.newestBucketEndNs = (bucket + 1) * BUCKET_NS;
    }

    /** The extension id the sequence number is written under on this leg. */
    int extensionId() {
        return extensionId;
    }

    /** The sequence number the next packet gets; write it into the packet, then call {@link #onSent} once it is sent. */
    int nextSequence() {
        return nextSequence;
    }

    /** Writes {@link #nextSequence()} into {@code packet} at {@code at} (the extension element's data, 2 bytes). */
    void number(ByteBuf packet, int at) {
        packet.setShort(at, nextSequence);
    }

    /**
     * The packet numbered {@link #nextSequence()} left ({@code sizeBytes} on the wire): recorded for the feedback, and
     * the next packet gets the next number. Not called for a packet the transport refused, whose number is reused.
     */
    void onSent(int sizeBytes, SentKind kind, long nowNs) {
        int seq = nextSequence;
        nextSequence = (seq + 1) & 0xFFFF;
        // NOTE: the pacer first: it says which probe cluster the packet belongs to (BandwidthEstimator's contract).
        // Nothing paces a subscriber's media (it leaves as it comes), so the pacer's budget matters only while it
        // probes (padding tops the probe up to its rate), and starts afresh with each probe.
        int probe = pacer.isProbing() ? pacer.onPacketSent(nowNs, sizeBytes) : SendHistory.NO_PROBE;
        estimator.handlePacketSent(nowNs, seq, sizeBytes, kind, probe);
        count(nowNs, sizeBytes);
    }

    /** One transport-cc feedback message from the subscriber (wrapped); returns whether the estimate changed. */
    boolean handleFeedback(TransportCcFeedback feedback, long nowNs) {
        long before = estimator.targetBitrateBps();
        estimator.handleFeedback(nowNs, feedback);
        feedbackSeen = true;
        feedbacks++;
        lastCallNs = nowNs;
        drainProbes();
        runPeriodicIfDue(nowNs);
        pacer.setTargetBitrate(estimator.targetBitrateBps());
        return estimator.targetBitrateBps() != before;
    }

    /** A round-trip time from the subscriber's Receiver Report (preferred over the feedback's own). */
    void handleRtt(long rttNs, long nowNs) {
        if (rttNs >= 0) estimator.handleRtt(nowNs, rttNs / 1_000_000);
    }

    /** What the subscriber's slots would take if the estimate allowed (their Consumers' top layers): probes aim at it. */
    void handleDesiredBitrate(long bps, long nowNs) {
        estimator.handleDesiredBitrate(nowNs, bps);
    }

    /**
     * When {@link #handleTimeout} is due: padding while probing; otherwise the estimator's periodic work (ALR, probe
     * decisions, every 25 ms) on the room's {@link Room#REPORT_GRID_NS} grid. That work mostly runs with the
     * feedback that arrives every 50-100 ms anyway ({@link #handleFeedback} runs it first when due); the timer is its
     * backstop. On the grid, a hundred subscribers' estimators share the firings their Sender Reports make, instead
     * of each waking the loop at its own phase, and a firing walks the whole room (issue 11's transport-cc cost).
     */
    long nextTimeoutNs() {
        if (!feedbackSeen) return Long.MAX_VALUE;
        long next = Room.onReportGrid(estimator.nextTimeoutNs());
        if (pacer.isProbing()) next = Room.earlier(next, lastCallNs + PROBE_TICK_NS);
        return next;
    }

    /** While probing, padding is topped up this often (the loop's timer makes it at least 10 ms). */
    static final long PROBE_TICK_NS = 5_000_000L;

    void handleTimeout(long nowNs) {
        if (!feedbackSeen) return;
        lastCallNs = nowNs;
        runPeriodicIfDue(nowNs);
    }

    private void runPeriodicIfDue(long nowNs) {
        if (nowNs - estimator.nextTimeoutNs() >= 0) {
            estimator.handleTimeout(nowNs);
            drainProbes();
        }
    }

    /** Padding bytes the active probe cluster still wants now (0 when not probing). */
    long paddingBytes(long nowNs) {
        return feedbackSeen && pacer.isProbing() ? pacer.paddingBytes(nowNs) : 0;
    }

    private void drainProbes() {
        for (ProbeCluster c; (c = estimator.pollProbeCluster()) != null; ) pacer.addProbeCluster(c);
    }

    /** Whether feedback has come, so that {@link #estimateBps()} means something. */
    boolean hasEstimate() {
        return feedbackSeen;
    }

    /** The estimate (target send bitrate), bps. */
    long estimateBps() {
        return estimator.targetBitrateBps();
    }

    /** The estimator itself, for stats. */
    BandwidthEstimator estimator() {
        return estimator;
    }

    /** Feedback messages handled. */
    long feedbacks() {
        return feedbacks;
    }

    /**
     * Whether a resend of {@code sizeBytes} fits the budget: always before the first feedback; after it, only while
     * what was sent over the last {@link #RATE_WINDOW_NS}, with it, stays within the estimate.
     */
    boolean resendFits(int sizeBytes, long nowNs) {
        if (!feedbackSeen) return true;
        return (sentBytes(nowNs) + sizeBytes) * 8_000_000_000L / RATE_WINDOW_NS <= estimator.targetBitrateBps();
    }

    /** Bits per second sent over the last {@link #RATE_WINDOW_NS}. */
    long sendRateBps(long nowNs) {
        return sentBytes(nowNs) * 8_000_000_000L / RATE_WINDOW_NS;
    }

    private long sentBytes(long nowNs) {
        advance(nowNs);
        long sum = 0;
        for (long b : bucketBytes) sum += b;
        return sum;
    }

    private void count(long nowNs, int bytes) {
        advance(nowNs);
        bucketBytes[newestBucket] += bytes;
    }

    /** Moves the window to {@code nowNs}: buckets that fell out of it are emptied. No division while in the newest. */
    private void advance(long nowNs) {
        if (nowNs - newestBucketEndNs < 0) return;
        long steps = (nowNs - newestBucketEndNs) / BUCKET_NS + 1;
        for (long i = 1, n = Math.min(steps, BUCKETS); i <= n; i++) bucketBytes[(int) ((newestBucket + i) % BUCKETS)] = 0;
        newestBucket = (int) ((newestBucket + steps) % BUCKETS);
        newestBucketEndNs += steps * BUCKET_NS;
    }
}
