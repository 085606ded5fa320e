package dev.junction.gateway.room;

import dev.junction.codec.rtcp.FullIntraRequest;
import dev.junction.codec.rtcp.PictureLossIndication;
import io.netty.buffer.ByteBuf;

/**
 * The keyframe requests one publisher's Producer sends upstream, on the publisher's own loop: every request for
 * it, from this loop's Consumers or piped back from other loops, comes here, so one rate limit and one FIR
 * sequence serve the publisher.
 *
 * <p>Per layer (per SSRC): at most one request per {@link #INTERVAL_NS}; a request inside that window is
 * coalesced into one sent when the window ends (polled through {@link #nextTimeoutNs()}), so a slot switch
 * right after a join still gets its keyframe. PLI (RFC 4585 §6.3.1) when the publisher negotiated
 * {@code nack pli}, else FIR (RFC 5104 §4.3.1) when it negotiated {@code ccm fir}, else PLI anyway. Nothing is
 * asked for a layer whose SSRC is not known yet: an encoder's first frame is a keyframe anyway.
 *
 * <p>Threading: the publisher's loop only. Buffers: each request is a fresh pooled buffer handed to the
 * publisher's sender, which owns it from then on.
 */
final class KeyframeRequests implements Producer.Upstream {
    /** Minimum spacing of keyframe requests for one layer. */
    static final long INTERVAL_NS = 500_000_000L;

    /** One layer's limiter. */
    private static final class Limiter {
        boolean requested;
        long lastNs;
        boolean pending;
    }

    private final Publisher publisher;
    private final Limiter[] layers;
    private int firSequence;

    KeyframeRequests(Publisher publisher, int layerCount) {
        this.publisher = publisher;
        this.layers = new Limiter[layerCount];
        for (int i = 0; i < layerCount; i++) layers[i] = new Limiter();
    }

    @Override
    public void requestKeyframe(Producer producer, int layer, long nowNs) {
        Limiter l = layers[layer];
        if (l.requested && nowNs - l.lastNs < INTERVAL_NS) {
            if (l.pending) publisher.room().counters().keyframeRequestsCoalesced++;
            l.pending = true;
            publisher.room().wakeAt(l.lastNs + INTERVAL_NS);
            return;
        }
        send(producer, layer, nowNs);
    }

    /** Only the publisher can repair: a NACK it cannot answer from the cache stays unanswered. */
    @Override
    public boolean requestRepair(Producer producer, int layer, int seq) {
        return false;
    }

    @Override
    public long nextTimeoutNs() {
        long next = Long.MAX_VALUE;
        for (Limiter l : layers) {
            if (l.pending && (next == Long.MAX_VALUE || l.lastNs + INTERVAL_NS - next < 0)) next = l.lastNs + INTERVAL_NS;
        }
        return next;
    }

    /** Sends the coalesced requests that are due. */
    void handleTimeout(Producer producer, long nowNs) {
        for (int layer = 0; layer < layers.length; layer++) {
            Limiter l = layers[layer];
            if (l.pending && nowNs - (l.lastNs + INTERVAL_NS) >= 0) send(producer, layer, nowNs);
        }
    }

    /** Forgets what is pending (the publisher left). */
    void clear() {
        for (Limiter l : layers) l.pending = false;
    }

    private void send(Producer producer, int layer, long nowNs) {
        Limiter l = layers[layer];
        l.pending = false;
        long mediaSsrc = producer.layerSsrc(layer);
        if (mediaSsrc == Producer.UNKNOWN_SSRC) return;
        l.requested = true;
        l.lastNs = nowNs;
        ByteBuf out = publisher.room().allocator().heapBuffer(32 + Room.SRTP_TAIL_ROOM);
        if (producer.codecs().useFir()) {
            FullIntraRequest.write(out, publisher.feedbackSsrc(), mediaSsrc, firSequence);
            firSequence = (firSequence + 1) & 0xFF;
        } else {
            PictureLossIndication.write(out, publisher.feedbackSsrc(), mediaSsrc);
        }
        publisher.room().counters().keyframeRequestsSent++;
        publisher.sender().sendRtcp(out);
    }
}
