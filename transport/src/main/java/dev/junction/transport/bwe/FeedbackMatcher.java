package dev.junction.transport.bwe;

import dev.junction.codec.rtcp.TransportCcFeedback;

/**
 * Turns one parsed transport-wide feedback message (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1) into {@link PacketResults}: each reported sequence number is looked up in the {@link SendHistory}
 * for its send time and size, and given its arrival time on one continuous 64-bit receiver clock.
 *
 * <p>Feedback is UDP and may come twice, out of order, or cover packets an earlier message covered (a
 * receiver may repeat its last packet as the next message's base). Each packet is therefore reported
 * once as received: a repeat is counted and skipped. A packet first reported lost and later received
 * (reordering on the forward path, or reordered feedback) is reported again as received and counted as
 * a late arrival. Sequence numbers that were never sent, or are too old for the history, are counted as
 * unknown and skipped.
 *
 * <p>The reference time is a signed 24-bit count of 64 ms (§3.1), which wraps after about 12.4 days;
 * it is extended against the previous message's, so arrival times stay continuous across the wrap and
 * across reordered messages.
 *
 * <p>Threading: not thread-safe; one per transport on its event loop. Borrows the feedback flyweight
 * for the duration of {@link #match} only. No allocation.
 */
public final class FeedbackMatcher {

    private static final long NS_PER_US = 1_000;

    private boolean started;
    private int lastReferenceTime;
    private long extendedReferenceTime;
    private int lastFeedbackCount;

    // Counters.
    private long feedbacks;
    private long feedbacksMissed;
    private long unknownPackets;
    private long duplicateReports;
    private long lateArrivals;

    /**
     * Matches every packet {@code feedback} reports, in its order, into {@code out} (cleared first).
     *
     * @param feedback a wrapped, well-formed feedback message; its iteration is reset and consumed
     * @return the number of results
     */
    public int match(TransportCcFeedback feedback, SendHistory history, PacketResults out) {
        out.clear();
        feedbacks++;
        int reference = feedback.referenceTime();
        int count = feedback.feedbackPacketCount();
        if (!started) {
            started = true;
            extendedReferenceTime = reference;
            lastFeedbackCount = count;
        } else {
            // Signed 24-bit distance: both fields are 24 bits, the shift pair sign-extends the difference.
            extendedReferenceTime += ((reference - lastReferenceTime) << 8) >> 8;
            int gap = (count - lastFeedbackCount) & 0xFF;
            if (gap >= 1 && gap < 128) {
                feedbacksMissed += gap - 1;
                lastFeedbackCount = count;
            }
        }
        lastReferenceTime = reference;
        long baseUs = extendedReferenceTime * TransportCcFeedback.REFERENCE_TIME_UNIT_US - feedback.referenceTimeUs();

        feedback.reset();
        while (feedback.next() && !out.isFull()) {
            long extended = history.extend(feedback.sequenceNumber());
            int slot = history.slotOf(extended);
            if (slot < 0) {
                unknownPackets++;
                continue;
            }
            byte state = history.reportState(slot);
            boolean received = feedback.isReceived();
            if (received) {
                if (state == SendHistory.REPORTED_RECEIVED) {
                    duplicateReports++;
                    continue;
                }
                if (state == SendHistory.REPORTED_LOST) {
                    lateArrivals++;
                }
                history.setReportState(slot, SendHistory.REPORTED_RECEIVED);
            } else {
                if (state != SendHistory.UNREPORTED) {
                    duplicateReports++;
                    continue;
                }
                history.setReportState(slot, SendHistory.REPORTED_LOST);
            }
            long arrivalNs = received ? (baseUs + feedback.arrivalTimeUs()) * NS_PER_US : 0;
            out.add(extended, history.sendTimeNs(slot), arrivalNs, received, history.sizeBytes(slot),
                    history.probeClusterId(slot), history.kind(slot));
        }
        return out.count();
    }

    /** Feedback messages matched. */
    public long feedbacks() {
        return feedbacks;
    }

    /** Feedback messages that never arrived, from gaps in the feedback packet count. */
    public long feedbacksMissed() {
        return feedbacksMissed;
    }

    /** Reported sequence numbers that were never sent or are no longer in the history. */
    public long unknownPackets() {
        return unknownPackets;
    }

    /** Reports about a packet already reported (repeated or reordered feedback). */
    public long duplicateReports() {
        return duplicateReports;
    }

    /** Packets reported received after an earlier message had reported them lost. */
    public long lateArrivals() {
        return lateArrivals;
    }
}
