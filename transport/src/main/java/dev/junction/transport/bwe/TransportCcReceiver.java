package dev.junction.transport.bwe;

import dev.junction.codec.rtcp.TransportCcFeedbackWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * The receive side of transport-wide congestion control toward one publisher
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): it records the arrival time of every packet by its
 * transport-wide sequence number and, {@link #INTERVAL_NS} after the first unreported one, writes the feedback
 * that the publisher's own send-side estimator (Chromium's, Firefox's) runs on. Without it a browser ramps its
 * estimate up from 300 kbit/s at a few percent a second and starts its top simulcast layer only after about
 * 20 s (issue 11).
 *
 * <p>Arrivals live in a preallocated ring indexed by the unwrapped sequence number, so reordered packets land
 * in place and each feedback walks the sequence numbers in order; numbers never seen are reported as lost. A
 * packet older than the last feedback is late and not reported again (as libwebrtc's receive-side proxy). Each
 * feedback starts at the first number the previous one did not cover, so a loss there is reported too. A jump over
 * more than the ring's {@link #WINDOW} numbers gives up on the oldest unreported ones.
 *
 * <p>Used by the gateway toward its publishers and by the load tool's subscribers toward the gateway.
 *
 * <p>Sans-IO: time comes in as {@code nowNs}. Threading: the owner's loop only. Allocates nothing per packet;
 * one buffer per feedback message, handed to the sink.
 */
public final class TransportCcReceiver {
    /** Feedback period: libwebrtc's default, what Chromium's estimator is tuned for. */
    public static final long INTERVAL_NS = 100_000_000L;
    /** Sequence numbers held between two feedbacks: 100 ms at over 40,000 packets a second. */
    static final int WINDOW = 1 << 12;
    private static final long NONE = Long.MIN_VALUE;
    /** Largest feedback message: well inside an MTU after SRTCP's tag and index. */
    private static final int MAX_FEEDBACK_BYTES = 1200;

    private final long[] arrivalNs = new long[WINDOW];
    private final TransportCcFeedbackWriter writer = new TransportCcFeedbackWriter(MAX_FEEDBACK_BYTES);
    /** Arrival times are sent relative to this (the writer's clock must not be negative, nanoTime may be). */
    private final long originNs;

    /** First unwrapped sequence number not yet reported; -1 before the first packet. */
    private long base = -1;
    private long highest = -1;
    private long nextFeedbackNs = Long.MAX_VALUE;
    private int feedbackCount;
    private long mediaSsrc;
    private long late;
    private long sent;

    public TransportCcReceiver(long nowNs) {
        this.originNs = nowNs;
        java.util.Arrays.fill(arrivalNs, NONE);
    }

    /**
     * Records packet {@code seq} (the 16-bit transport-wide sequence number) of stream {@code ssrc} arriving now.
     *
     * @return true when this packet armed the feedback timer (the caller wakes its loop at {@link #nextFeedbackNs})
     */
    public boolean onPacket(int seq, long ssrc, long nowNs) {
        long ext;
        if (highest < 0) {
            ext = (seq & 0xFFFF) + 0x10000L; // room below for reordered first packets
            base = ext;
            highest = ext;
        } else {
            int delta = (short) (seq - (int) highest);
            ext = highest + delta;
            if (ext < base) {
                late++;
                return false;
            }
            if (ext > highest) {
                // The numbers skipped over are unknown until they arrive (reordered) or the feedback calls them lost.
                for (long e = Math.max(highest + 1, ext - WINDOW + 1); e < ext; e++) arrivalNs[(int) (e & (WINDOW - 1))] = NONE;
                highest = ext;
                if (ext - base >= WINDOW) base = ext - WINDOW + 1;
            }
        }
        int slot = (int) (ext & (WINDOW - 1));
        if (arrivalNs[slot] == NONE) arrivalNs[slot] = nowNs;
        mediaSsrc = ssrc;
        if (nextFeedbackNs != Long.MAX_VALUE) return false;
        nextFeedbackNs = nowNs + INTERVAL_NS;
        return true;
    }

    /** When the next feedback is due; {@link Long#MAX_VALUE} while nothing waits to be reported. */
    public long nextFeedbackNs() {
        return nextFeedbackNs;
    }

    /**
     * When due, writes the feedback for every sequence number since the last one (several messages if one would
     * outgrow {@link #MAX_FEEDBACK_BYTES}) and hands each to {@code send}, which owns it.
     */
    public void sendDue(long nowNs, long senderSsrc, ByteBufAllocator allocator, int tailRoom, Consumer<ByteBuf> send) {
        if (nextFeedbackNs == Long.MAX_VALUE || nowNs - nextFeedbackNs < 0) return;
        nextFeedbackNs = Long.MAX_VALUE;
        writer.reset();
        // From the first number not reported yet: one lost right after the last feedback is reported too.
        writer.startAt((int) (base & 0xFFFF));
        for (long e = base; e <= highest; e++) {
            long at = arrivalNs[(int) (e & (WINDOW - 1))];
            if (at == NONE) continue;
            long arrivalUs = (at - originNs) / 1_000;
            if (!writer.addReceived((int) (e & 0xFFFF), arrivalUs)) {
                flush(senderSsrc, allocator, tailRoom, send);
                writer.addReceived((int) (e & 0xFFFF), arrivalUs);
            }
        }
        if (!writer.isEmpty()) flush(senderSsrc, allocator, tailRoom, send);
        base = highest + 1;
    }

    private void flush(long senderSsrc, ByteBufAllocator allocator, int tailRoom, Consumer<ByteBuf> send) {
        ByteBuf out = allocator.heapBuffer(writer.encodedLength() + tailRoom);
        writer.write(out, senderSsrc, mediaSsrc, feedbackCount++);
        writer.reset();
        sent++;
        send.accept(out);
    }

    /** Packets that arrived after the feedback that covered their number (not reported again). */
    public long late() {
        return late;
    }

    /** Feedback messages written. */
    public long sent() {
        return sent;
    }
}
