package dev.junction.transport.bwe;

import dev.junction.codec.rtcp.TransportCcFeedback;

/**
 * Send-side bandwidth estimation for one WebRtcTransport, GCC-style (draft-ietf-rmcat-gcc-02) from
 * transport-wide congestion control feedback: a sans-IO core, time in, decisions out.
 *
 * <pre>
 *  handlePacketSent ─▶ SendHistory ◀─ FeedbackMatcher ◀─ handleFeedback (TWCC, parsed by the codec)
 *                                          │ PacketResults
 *            ┌──────────────┬──────────────┼──────────────────┬───────────────────┐
 *            ▼              ▼              ▼                  ▼                   ▼
 *      InterArrival   Acknowledged   ProbeBitrate        loss count          feedback RTT
 *      (§5.2)         Bitrate (§5.5) Estimator                │
 *            ▼              │              │                  ▼
 *      TrendlineFilter      │              │          LossBasedController (§6) ── As
 *      (§5.3) ▼             ▼              ▼
 *      OveruseDetector ─▶ AimdRateControl (§5.5) ── Ar ◀── StandingQueueDetector (drain)
 *      (§5.4)                                      target = clamp(min(Ar, As))
 *                                                        │
 *        ProbeController (start, ALR, stable, need) ◀────┘ ─▶ pollProbeCluster ─▶ Pacer
 * </pre>
 *
 * <p>How the I/O layer drives it, all on the transport's event loop:
 * <ul>
 *   <li>each packet as it leaves the pacer: {@link #handlePacketSent} with its transport-wide sequence
 *       number, size, kind and the probe cluster id {@link Pacer#onPacketSent} returned;</li>
 *   <li>each TWCC feedback message: {@link #handleFeedback} with the wrapped flyweight;</li>
 *   <li>an RTT from RTCP (RR/XR): {@link #handleRtt}; without it a feedback-based RTT is used;</li>
 *   <li>what the application would send (sum of wanted layers): {@link #handleDesiredBitrate};</li>
 *   <li>its timer at {@link #nextTimeoutNs()}: {@link #handleTimeout}.</li>
 * </ul>
 * After each call it reads {@link #targetBitrateBps()} (for the pacer and the layer choice), the
 * {@link #reason()} for it, and drains {@link #pollProbeCluster()} into the {@link Pacer}.
 *
 * <p>NOTE: drain {@link #pollProbeCluster()} right after the call that produced the clusters: a cluster's
 * measurement starts at the time of the last {@code handle…} call. And call {@link Pacer#onPacketSent}
 * before {@link #handlePacketSent} for the same packet: the pacer decides which probe cluster the packet
 * belongs to, and the estimator needs that id with the packet.
 *
 * <p>Threading: not thread-safe; one per transport, called on its event loop only. No clock, no thread.
 * Buffers: borrows the feedback flyweight for one call. All state is preallocated: sending and feedback
 * allocate nothing; a probe cluster is one small record a few times a minute.
 */
public final class BandwidthEstimator {

    /**
     * @param startBps        the estimate before any feedback (libwebrtc's default is 300 kbit/s)
     * @param minBps          never estimate below this
     * @param maxBps          never estimate or probe above this
     * @param historyCapacity packets remembered until their feedback comes (a second at the top rate)
     */
    public record Settings(long startBps, long minBps, long maxBps, int historyCapacity) {
        public Settings {
            if (minBps <= 0 || maxBps < minBps || startBps < minBps || startBps > maxBps) {
                throw new IllegalArgumentException("need 0 < min <= start <= max: " + minBps + " " + startBps + " " + maxBps);
            }
        }

        public static Settings defaults() {
            return new Settings(300_000, 30_000, 50_000_000, 8192);
        }

        public Settings withStart(long bps) {
            return new Settings(bps, minBps, maxBps, historyCapacity);
        }
    }

    private static final long TIMER_INTERVAL_NS = 25_000_000;
    private static final double DRAIN_TIME_S = 2.0;
    private static final long DRAIN_PROGRESS_NS = 20_000_000;
    private static final int DRAIN_MAX_CUTS_WITHOUT_PROGRESS = 3;

    // Passed by argument.
    private final Settings settings;

    // Allocated by this.
    private final SendHistory history;
    private final FeedbackMatcher matcher = new FeedbackMatcher();
    private final PacketResults results;
    private final InterArrival interArrival = new InterArrival();
    private final TrendlineFilter trendline = new TrendlineFilter();
    private final OveruseDetector detector = new OveruseDetector();
    private final AimdRateControl aimd;
    private final LossBasedController loss;
    private final AcknowledgedBitrateEstimator acked;
    private final ProbeBitrateEstimator probeEstimator = new ProbeBitrateEstimator();
    private final ProbeController probeController;
    private final AlrDetector alr;
    private final StandingQueueDetector standingQueue = new StandingQueueDetector();

    private boolean started;
    private long lastNowNs;
    private long lastTimeoutNs;
    private long targetBps;
    private BweReason reason = BweReason.STARTUP;
    private long lastChangeNs;
    private long highestReported = -1;
    private boolean hasExternalRtt;
    private long rttMs = 200;
    private double feedbackRttMs = -1;
    private long desiredBps = -1;
    private boolean hasTargetDecrease;
    private long lastTargetDecreaseNs;
    private boolean hasDrain;
    private long lastDrainNs;
    private long drainStartQueueDelayNs;
    private int drainCuts;

    // Counters.
    private long packetsReceived;
    private long packetsLost;
    private long delayDecreases;
    private long lossDecreases;
    private long probeIncreases;
    private long queueDrains;

    public BandwidthEstimator(Settings settings) {
        this(settings, null);
    }

    /**
     * @param results scratch for one feedback's packet results, which it holds only during {@link #handleFeedback}:
     *                one may serve every estimator of a thread (a server's hundred subscribers on one loop then
     *                share a batch that stays in the cache instead of each keeping its own); at least
     *                {@code historyCapacity} (rounded up to a power of two) long. Null: one of its own.
     */
    public BandwidthEstimator(Settings settings, PacketResults results) {
        this.settings = settings;
        this.history = new SendHistory(settings.historyCapacity());
        if (results != null && results.capacity() < history.capacity()) {
            throw new IllegalArgumentException("results hold " + results.capacity() + " packets, the history " + history.capacity());
        }
        this.results = results != null ? results : new PacketResults(history.capacity());
        this.aimd = new AimdRateControl(settings.startBps(), settings.minBps(), settings.maxBps(), AimdRateControl.DEFAULT_BETA);
        this.loss = new LossBasedController(settings.minBps(), settings.maxBps());
        this.acked = new AcknowledgedBitrateEstimator(history.capacity());
        this.probeController = new ProbeController(settings.maxBps());
        this.alr = new AlrDetector(settings.startBps());
        this.targetBps = settings.startBps();
    }

    private void startIfNeeded(long nowNs) {
        lastNowNs = nowNs;
        if (!started) {
            started = true;
            lastChangeNs = nowNs;
            lastTimeoutNs = nowNs;
            probeController.start(nowNs, settings.startBps());
        }
    }

    /**
     * A packet left, with transport-wide sequence number {@code sequenceNumber} in its header extension.
     *
     * @param probeClusterId what {@link Pacer#onPacketSent} returned for it
     * @return its extended sequence number
     */
    public long handlePacketSent(long nowNs, int sequenceNumber, int sizeBytes, SentKind kind, int probeClusterId) {
        startIfNeeded(nowNs);
        long extended = history.handlePacketSent(nowNs, sequenceNumber, sizeBytes, kind, probeClusterId);
        if (probeClusterId != SendHistory.NO_PROBE) {
            probeEstimator.onPacketSent(probeClusterId, extended, sizeBytes);
        }
        alr.onMediaSent(nowNs, kind == SentKind.PADDING ? 0 : sizeBytes);
        return extended;
    }

    /** One transport-wide feedback message, wrapped by the codec's flyweight. */
    public void handleFeedback(long nowNs, TransportCcFeedback feedback) {
        startIfNeeded(nowNs);
        int count = matcher.match(feedback, history, results);
        int lost = 0;
        int received = 0;
        boolean anyReceived = false;
        long newestSendNs = 0;
        standingQueue.beginFeedback();
        for (int i = 0; i < count; i++) {
            long seq = results.sequence(i);
            if (seq > highestReported) {
                highestReported = seq;
            }
            if (!results.isReceived(i)) {
                lost++;
                if (results.probeClusterId(i) != SendHistory.NO_PROBE) {
                    probeEstimator.onPacketLost(results.probeClusterId(i));
                }
                continue;
            }
            received++;
            long sendNs = results.sendTimeNs(i);
            long arrivalNs = results.arrivalTimeNs(i);
            int size = results.sizeBytes(i);
            acked.onPacketReceived(arrivalNs, size);
            standingQueue.onPacket(sendNs, arrivalNs);
            if (results.probeClusterId(i) != SendHistory.NO_PROBE) {
                probeEstimator.onPacketReceived(results.probeClusterId(i), sendNs, arrivalNs, size);
            }
            if (interArrival.addPacket(sendNs, arrivalNs)) {
                double sendDeltaMs = interArrival.sendDeltaNs() / 1e6;
                double variationMs = interArrival.arrivalDeltaNs() / 1e6 - sendDeltaMs;
                double slope = trendline.update(variationMs, interArrival.groupArrivalNs());
                detector.update(slope, trendline.samples(), sendDeltaMs, interArrival.groupArrivalNs());
            }
            if (!anyReceived || sendNs - newestSendNs > 0) {
                newestSendNs = sendNs;
                anyReceived = true;
            }
        }
        standingQueue.endFeedback(nowNs);
        packetsLost += lost;
        packetsReceived += received;
        if (anyReceived) {
            // Includes the receiver's wait before sending feedback; used only without an RTCP RTT.
            double sampleMs = Math.max(0, (nowNs - newestSendNs) / 1e6);
            feedbackRttMs = feedbackRttMs < 0 ? sampleMs : 0.875 * feedbackRttMs + 0.125 * sampleMs;
            if (!hasExternalRtt) {
                applyRtt((long) feedbackRttMs);
            }
        }

        long probeBps = probeEstimator.evaluate(nowNs, highestReported);
        long ackedBps = acked.bitrateBps();
        BandwidthUsage usage = detector.state();
        BweReason delayReason = null;
        if (probeBps > 0 && usage != BandwidthUsage.OVERUSING && probeBps > aimd.estimateBps()) {
            aimd.setEstimate(nowNs, probeBps);
            loss.onProbeResult(probeBps);
            delayReason = BweReason.PROBE;
            probeIncreases++;
        } else if (usage != BandwidthUsage.OVERUSING && standingQueue.isStanding(nowNs)) {
            delayReason = drain(nowNs, ackedBps);
        } else {
            aimd.update(nowNs, usage, ackedBps);
            if (aimd.lastChange() == AimdRateControl.Change.INCREASED) {
                delayReason = BweReason.DELAY_INCREASE;
            } else if (aimd.lastChange() == AimdRateControl.Change.DECREASED) {
                delayReason = BweReason.DELAY_DECREASE;
                delayDecreases++;
            }
        }
        loss.update(nowNs, lost, received, targetBps);
        if (loss.lastChange() == LossBasedController.Change.DECREASED) {
            lossDecreases++;
        }
        combine(nowNs, delayReason);
        probeController.onEstimate(nowNs, targetBps);
    }

    /**
     * A standing queue the trend cannot see: no increase while it stands, and at most once per
     * {@code rtt + 500 ms} a cut to the rate that empties it in about {@link #DRAIN_TIME_S}: the queue holds
     * about {@code delay * acked} bits, so {@code acked * (1 - delay / drainTime)}, at least half the
     * acknowledged rate. If three cuts leave the delay where it was before them (less than 20 ms shorter), the queue is not ours to drain:
     * the detector takes the present delay as its base.
     */
    private BweReason drain(long nowNs, long ackedBps) {
        long intervalNs = (rttMs + 500) * 1_000_000L;
        if (ackedBps <= 0 || (hasDrain && nowNs - lastDrainNs < intervalNs)) {
            aimd.update(nowNs, BandwidthUsage.UNDERUSING, ackedBps); // Hold
            return null;
        }
        long queueDelayNs = standingQueue.queueDelayNs();
        if (!hasDrain || nowNs - lastDrainNs >= 3 * intervalNs) {
            drainCuts = 0;
            drainStartQueueDelayNs = queueDelayNs;
        }
        hasDrain = true;
        lastDrainNs = nowNs;
        if (drainCuts >= DRAIN_MAX_CUTS_WITHOUT_PROGRESS && queueDelayNs > drainStartQueueDelayNs - DRAIN_PROGRESS_NS) {
            // Three cuts and the delay has not shrunk: not our queue (a longer route, or traffic that alone
            // fills the bottleneck). Cutting further would only starve us; the loss controller has that case.
            standingQueue.rebase();
            drainCuts = 0;
            aimd.update(nowNs, BandwidthUsage.UNDERUSING, ackedBps);
            return null;
        }
        drainCuts++;
        double delayS = queueDelayNs / 1e9;
        long drained = (long) (ackedBps * Math.max(0.5, 1 - delayS / DRAIN_TIME_S));
        if (drained >= aimd.estimateBps()) {
            aimd.update(nowNs, BandwidthUsage.UNDERUSING, ackedBps);
            return null;
        }
        aimd.setEstimate(nowNs, drained);
        queueDrains++;
        return BweReason.QUEUE_DRAIN;
    }

    private void combine(long nowNs, BweReason delayReason) {
        long delayBps = aimd.estimateBps();
        long lossBps = loss.limitBps();
        long next = Math.clamp(Math.min(delayBps, lossBps), settings.minBps(), settings.maxBps());
        if (next == targetBps) {
            return;
        }
        BweReason why;
        if (lossBps < delayBps) {
            why = next < targetBps ? BweReason.LOSS_DECREASE : BweReason.LOSS_INCREASE;
        } else if (delayReason != null) {
            why = delayReason;
        } else {
            // Only the loss limit moved, and it no longer binds.
            why = next < targetBps ? BweReason.LOSS_DECREASE : BweReason.LOSS_INCREASE;
        }
        if (next < targetBps) {
            hasTargetDecrease = true;
            lastTargetDecreaseNs = nowNs;
        }
        targetBps = next;
        reason = why;
        lastChangeNs = nowNs;
        alr.setTargetBitrate(next);
    }

    /** An RTT measured from RTCP (Receiver Report LSR/DLSR, RFC 3550 §6.4.1); preferred over the feedback-based one. */
    public void handleRtt(long nowNs, long rttMs) {
        startIfNeeded(nowNs);
        hasExternalRtt = true;
        applyRtt(rttMs);
    }

    private void applyRtt(long ms) {
        rttMs = ms;
        aimd.setRttMs(ms);
        loss.setRttMs(ms);
    }

    /** What the application would send if the estimate allowed (e.g. the sum of the wanted layers); ≤ 0 for unknown. */
    public void handleDesiredBitrate(long nowNs, long bps) {
        startIfNeeded(nowNs);
        desiredBps = bps;
    }

    /** Periodic work: ALR tracking and probe decisions. */
    public void handleTimeout(long nowNs) {
        startIfNeeded(nowNs);
        lastTimeoutNs = nowNs;
        alr.onMediaSent(nowNs, 0);
        probeController.handleTimeout(nowNs, targetBps, alr.inAlr(), hasTargetDecrease, lastTargetDecreaseNs, desiredBps,
                loss.lossFraction() > LossBasedController.LOW_LOSS || standingQueue.isStanding(nowNs));
    }

    /** When {@link #handleTimeout} should next be called. */
    public long nextTimeoutNs() {
        return lastTimeoutNs + TIMER_INTERVAL_NS;
    }

    /** The next probe cluster for the {@link Pacer}, or null; drain after every call. */
    public ProbeCluster pollProbeCluster() {
        ProbeCluster cluster = probeController.poll();
        if (cluster != null) {
            probeEstimator.onClusterCreated(lastNowNs, cluster);
        }
        return cluster;
    }

    /** The target send bitrate: what the pacer should pace at and the layers should fit into. */
    public long targetBitrateBps() {
        return targetBps;
    }

    /** Why the target last changed. */
    public BweReason reason() {
        return reason;
    }

    /** When the target last changed. */
    public long lastChangeNs() {
        return lastChangeNs;
    }

    /** The delay-based estimate {@code Ar}. */
    public long delayBasedBps() {
        return aimd.estimateBps();
    }

    /** The loss-based limit {@code As}. */
    public long lossBasedBps() {
        return loss.limitBps();
    }

    /** The acknowledged bitrate, or -1 while unknown. */
    public long acknowledgedBitrateBps() {
        return acked.bitrateBps();
    }

    /** The least queueing delay of the last feedback over the path's base delay. */
    public long queueDelayNs() {
        return standingQueue.queueDelayNs();
    }

    public BandwidthUsage usage() {
        return detector.state();
    }

    public double lossFraction() {
        return loss.lossFraction();
    }

    public boolean inAlr() {
        return alr.inAlr();
    }

    /** The RTT in use: from RTCP when given, else from feedback. */
    public long rttMs() {
        return rttMs;
    }

    public BweCounters counters() {
        return new BweCounters(history.packetsSent(), history.bytesSent(), matcher.feedbacks(), matcher.feedbacksMissed(),
                packetsReceived, packetsLost, matcher.unknownPackets(), matcher.duplicateReports(), matcher.lateArrivals(),
                interArrival.reorderedPackets(), detector.overuseEvents(), detector.underuseEvents(), delayDecreases,
                lossDecreases, queueDrains, probeController.requested(), probeEstimator.succeeded(), probeEstimator.failed(), probeIncreases);
    }

    SendHistory history() {
        return history;
    }
}
