package dev.junction.gateway.loop;

import dev.junction.gateway.room.Producer;
import dev.junction.gateway.room.ProducerInfo;
import dev.junction.gateway.room.Room;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;

/**
 * The receiving end of a {@link Pipe} on a loop other than the room's home: it keeps this loop's copies of the
 * home loop's Producers (made from their {@link ProducerInfo} when the home loop announces them), feeds them the
 * piped packets, and is their {@link Producer.Upstream}: their keyframe requests and the repairs of packets the
 * pipe lost go back to the home loop, whose Producer rate-limits them and answers from its cache.
 *
 * <p>Threading: this loop only. Buffers: piped packets are borrowed for the call (the pipe releases them).
 */
final class PipeProducer implements Pipe.Receiver, Producer.Upstream {
    private final Pipe pipe;
    private final Room room;
    private final IntObjectHashMap<Producer> producers = new IntObjectHashMap<>();

    PipeProducer(Pipe pipe, Room room) {
        this.pipe = pipe;
        this.room = room;
        pipe.attach(this);
    }

    Pipe pipe() {
        return pipe;
    }

    /** The home loop announced a Producer: its copy joins this loop's room, then the home loop starts piping it. */
    void onProducerAdded(ProducerInfo info, long nowNs) {
        if (pipe.closed() || producers.containsKey(info.id())) return;
        producers.put(info.id(), room.addPipedProducer(info, this, nowNs));
        pipe.home.tapProducer(pipe.key, pipe, info.id());
    }

    /** The Producer's publisher left: its copy leaves this loop's room, and its slots refill. */
    void onProducerRemoved(int producerId, long nowNs) {
        Producer p = producers.remove(producerId);
        if (p != null) room.removePipedProducer(p, nowNs);
    }

    void onSenderReport(int producerId, int layer, long rtpTimestamp, long atNs) {
        Producer p = producers.get(producerId);
        if (p != null) room.handlePipedSenderReport(p, layer, rtpTimestamp, atNs);
    }

    @Override
    public void onPipedRtp(int producerId, int layer, ByteBuf packet, boolean repair, long nowNs) {
        Producer p = producers.get(producerId);
        if (p == null) {
            room.dropPipedPacketOfUnknownProducer();
            return;
        }
        room.handlePipedRtp(p, layer, packet, repair, nowNs);
    }

    @Override
    public void requestKeyframe(Producer producer, int layer, long nowNs) {
        pipe.home.requestKeyframe(pipe.key, producer.id(), layer);
    }

    @Override
    public boolean requestRepair(Producer producer, int layer, int seq) {
        return pipe.home.requestRepair(pipe.key, pipe, producer.id(), layer, seq);
    }

    /** The home loop's Producer keeps the rate limit: nothing is pending here. */
    @Override
    public long nextTimeoutNs() {
        return Long.MAX_VALUE;
    }

    /** Removes every piped Producer from the room (the pipe closes); on this loop. */
    void close(long nowNs) {
        for (Producer p : producers.values()) room.removePipedProducer(p, nowNs);
        producers.clear();
        pipe.close();
    }
}
