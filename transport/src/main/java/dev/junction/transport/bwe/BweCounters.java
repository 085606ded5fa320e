package dev.junction.transport.bwe;

/**
 * A snapshot of one {@link BandwidthEstimator}'s counters, for stats and metrics; taken on demand (it
 * allocates, the per-packet path does not).
 *
 * @param feedbacksMissed    gaps in the feedback packet count (lost or reordered feedback)
 * @param unknownPackets     reported sequence numbers never sent or no longer remembered
 * @param duplicateReports   reports about packets already reported
 * @param lateArrivals       packets reported received after being reported lost
 * @param reorderedPackets   packets sent before their group's first, ignored by the delay estimate
 * @param queueDrains        cuts to drain a standing queue
 * @param probeIncreases     probe results that raised the estimate
 */
public record BweCounters(long packetsSent, long bytesSent, long feedbacks, long feedbacksMissed, long packetsReceived,
                          long packetsLost, long unknownPackets, long duplicateReports, long lateArrivals,
                          long reorderedPackets, long overuseEvents, long underuseEvents, long delayDecreases,
                          long lossDecreases, long queueDrains, long probesRequested, long probesSucceeded, long probesFailed,
                          long probeIncreases) {
}
