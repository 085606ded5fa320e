package dev.junction.gateway.loop;

import dev.junction.gateway.room.Producer;
import dev.junction.gateway.room.ProducerInfo;
import dev.junction.gateway.room.Room;
import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;

/**
 * The receiving end of a node pipe (issue 14), as {@link PipeProducer} is for a pipe between loops: this node's
 * copies of another node's Producers in this node's part of the room, fed with the packets the pipe brings, and
 * their {@link Producer.Upstream}: keyframe requests and repairs go back to the home node through {@link Upstream}.
 *
 * <p>Threading: every method runs on the room's loop here; other threads reach it through {@link LoopProxy}'s
 * {@code nodePipe...} methods. Buffers: packets are borrowed for the call.
 */
public final class NodePipeIn implements Producer.Upstream {

    /** Where this end's requests go: the home node, over the pipe (implemented by the cluster code). */
    public interface Upstream {
        void requestKeyframe(int producerId, int layer);

        void requestRepair(int producerId, int layer, int seq);
    }

    private final Upstream upstream;
    private final IntObjectHashMap<Producer> producers = new IntObjectHashMap<>();
    private Room room;
    /** Told of each Producer this end adds or removes, so the room's pipes to this node's other loops carry it. */
    private Room.Listener announcer;
    private boolean closed;

    public NodePipeIn(Upstream upstream) {
        this.upstream = upstream;
    }

    void attach(Room room, Room.Listener announcer) {
        this.room = room;
        this.announcer = announcer;
    }

    /** This end's Producers now; on the loop. */
    Iterable<Producer> producers() {
        return producers.values();
    }

    void onProducerAdded(ProducerInfo info, long nowNs) {
        if (closed || room == null || producers.containsKey(info.id())) return;
        Producer p = room.addPipedProducer(info, this, nowNs);
        producers.put(info.id(), p);
        announcer.onProducerAdded(room, p);
    }

    void onProducerRemoved(int producerId, long nowNs) {
        Producer p = producers.remove(producerId);
        if (p != null) {
            announcer.onProducerRemoved(room, p);
            room.removePipedProducer(p, nowNs);
        }
    }

    void onRtp(int producerId, int layer, ByteBuf packet, boolean repair, long nowNs) {
        if (closed || room == null) return;
        Producer p = producers.get(producerId);
        if (p == null) {
            room.dropPipedPacketOfUnknownProducer();
            return;
        }
        room.handlePipedRtp(p, layer, packet, repair, nowNs);
    }

    void onSenderReport(int producerId, int layer, long rtpTimestamp, long atNs) {
        Producer p = producers.get(producerId);
        if (p != null && !closed) room.handlePipedSenderReport(p, layer, rtpTimestamp, atNs);
    }

    /** Producers fed by this end now; on the loop. */
    public int producerCount() {
        return producers.size();
    }

    @Override
    public void requestKeyframe(Producer producer, int layer, long nowNs) {
        if (!closed) upstream.requestKeyframe(producer.id(), layer);
    }

    @Override
    public boolean requestRepair(Producer producer, int layer, int seq) {
        if (closed) return false;
        upstream.requestRepair(producer.id(), layer, seq);
        return true;
    }

    /** The home node keeps the rate limits: nothing is pending here. */
    @Override
    public long nextTimeoutNs() {
        return Long.MAX_VALUE;
    }

    /** Its Producers leave the room (their Consumers' slots free and refill; the transports stay); idempotent. */
    void close(long nowNs) {
        if (closed) return;
        closed = true;
        if (room != null) {
            for (Producer p : producers.values()) {
                announcer.onProducerRemoved(room, p);
                room.removePipedProducer(p, nowNs);
            }
        }
        producers.clear();
    }
}
