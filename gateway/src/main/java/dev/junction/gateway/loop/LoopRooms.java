package dev.junction.gateway.loop;

import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.gateway.room.Producer;
import dev.junction.gateway.room.Publisher;
import dev.junction.gateway.room.Subscriber;
import dev.junction.gateway.room.ProducerInfo;
import dev.junction.gateway.room.Room;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.socket.DeadlineQueue;
import dev.junction.transport.socket.MediaLoop;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.DoubleStream;

/**
 * The rooms of one media loop (DESIGN §3.2): a room exists on a loop only while the loop has a member of it or
 * pipes it to another loop, so a room costs the loops it does not use nothing. On the room's home loop it holds
 * the publishers and pipes their packets to every other loop with subscribers; on another loop it holds those
 * subscribers and a {@link PipeProducer}.
 *
 * <p>It is one participant of the loop's timer: its rooms' deadlines (reports, NACKs, keyframe requests), and the
 * publication of their counters for {@code /metrics} every {@link #PUBLISH_INTERVAL_NS} while it has rooms. Each
 * room's deadline is kept in a {@link DeadlineQueue}, lowered when the room announces an earlier one
 * ({@link Room#setWakeAt}); a firing asks only the rooms whose deadline has come, and each of those asks its members.
 * A deadline that moved later is found when the old one comes; every publication also asks every room afresh (a
 * safety net for a deadline nobody announced).
 *
 * <p>Threading: its loop only; other threads and loops reach it through its {@link LoopProxy}.
 */
public final class LoopRooms implements MediaLoop.Participant {
    /** How often the rooms' counters are published for /metrics (their staleness at most). */
    static final long PUBLISH_INTERVAL_NS = 250_000_000L;

    private final MediaLoop loop;
    private final LoopProxy proxy;
    private final AtomicLong pipeDrops;
    /** Pipes whose rings may hold packets: released at shutdown, once the loops have stopped. */
    private final Set<Pipe> openPipes;
    private LoopProxy[] loops;

    private final Map<RoomKey, RoomOnLoop> rooms = new HashMap<>();
    private final RoomTotals totals = new RoomTotals();
    private final List<Room> live = new ArrayList<>();
    private long nextPublishNs = Long.MAX_VALUE;
    /** Each room at its last known deadline (a room's deadline only moves earlier by announcing it). */
    private final DeadlineQueue<RoomOnLoop> deadlines = new DeadlineQueue<>();
    /** Rooms taken from {@link #deadlines} by the running timeout. */
    private final List<DeadlineQueue.Entry<RoomOnLoop>> due = new ArrayList<>();

    /** One room's part on this loop. */
    private final class RoomOnLoop implements Room.Listener {
        final RoomKey key;
        final Room room;
        final boolean home;
        /** Home loop: the pipes to other loops with subscribers. */
        final List<Pipe> pipesOut = new ArrayList<>();
        /** Another loop: where the home loop's packets come in. */
        PipeProducer pipeIn;
        /** Home loop: node pipes carrying the room's Producers to other nodes (cluster, issue 14). */
        final List<NodePipeOut> nodePipesOut = new ArrayList<>(0);
        /** Node pipes bringing another node's Producers into this room (cluster, issue 14). */
        final List<NodePipeIn> nodePipesIn = new ArrayList<>(0);
        /** The room's place in the loop's timer. */
        final DeadlineQueue.Entry<RoomOnLoop> timer;

        RoomOnLoop(RoomKey key) {
            this.key = key;
            this.home = key.home() == loop.index();
            this.room = new Room(key.name(), PooledByteBufAllocator.DEFAULT, this);
            this.timer = deadlines.entry(this);
            room.setWakeAt(this::wakeAt);
        }

        /** The room's deadline moved to {@code deadlineNs}, earlier than it may have been. */
        private void wakeAt(long deadlineNs) {
            if (deadlines.lower(timer, deadlineNs)) loop.wakeAt(LoopRooms.this, deadlineNs);
        }

        boolean unused() {
            return room.isEmpty() && pipesOut.isEmpty() && nodePipesOut.isEmpty() && nodePipesIn.isEmpty();
        }

        @Override
        public void onEmpty(Room r) {
            // Removed by the caller once its change is complete (see LoopRooms#maybeRemove), not re-entrantly here.
        }

        @Override
        public void onProducerAdded(Room r, Producer producer) {
            ProducerInfo info = producer.info();
            for (Pipe pipe : pipesOut) pipe.target.pipeProducerAdded(pipe, info);
            for (NodePipeOut out : nodePipesOut) {
                out.onProducerAdded(info);
                producer.addTap(out);
            }
        }

        @Override
        public void onProducerRemoved(Room r, Producer producer) {
            for (Pipe pipe : pipesOut) pipe.target.pipeProducerRemoved(pipe, producer.id());
            for (NodePipeOut out : nodePipesOut) {
                producer.removeTap(out);
                out.onProducerRemoved(producer.id());
            }
        }
    }

    private LoopRooms(MediaLoop loop, AtomicLong pipeDrops, Set<Pipe> openPipes) {
        this.loop = loop;
        this.pipeDrops = pipeDrops;
        this.openPipes = openPipes;
        this.proxy = new LoopProxy(loop, this);
    }

    /**
     * One {@code LoopRooms} per loop, each registered with its loop's timer, and their proxies (index = loop
     * index). {@code pipeDrops} counts packets a full pipe dropped; {@code openPipes} collects pipes to free at
     * shutdown.
     */
    public static LoopProxy[] start(List<MediaLoop> mediaLoops, AtomicLong pipeDrops, Set<Pipe> openPipes) {
        LoopRooms[] all = new LoopRooms[mediaLoops.size()];
        LoopProxy[] proxies = new LoopProxy[all.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = new LoopRooms(mediaLoops.get(i), pipeDrops, openPipes);
            proxies[i] = all[i].proxy;
        }
        for (LoopRooms r : all) {
            r.loops = proxies;
            r.loop.execute(() -> r.loop.add(r));
        }
        return proxies;
    }

    /** This loop's published room counters (any thread reads them). */
    public RoomTotals totals() {
        return totals;
    }

    /** Rooms with a part on this loop now; on the loop. */
    public int roomCount() {
        return rooms.size();
    }

    /** Whether room {@code key} has a part on this loop now; on the loop (tests: rooms are lazy per loop). */
    public boolean hosts(RoomKey key) {
        return rooms.containsKey(key);
    }

    private RoomOnLoop roomFor(RoomKey key) {
        RoomOnLoop r = rooms.get(key);
        if (r == null) {
            r = new RoomOnLoop(key);
            rooms.put(key, r);
            live.add(r.room);
            schedulePublish(System.nanoTime());
        }
        return r;
    }

    /** Drops {@code r} from this loop if nothing uses it any more; its counters stay in the totals. */
    private void maybeRemove(RoomOnLoop r, long nowNs) {
        if (!r.unused() || rooms.get(r.key) != r) return;
        rooms.remove(r.key);
        deadlines.remove(r.timer);
        for (NodePipeIn in : r.nodePipesIn) in.close(nowNs);
        if (r.pipeIn != null) {
            Pipe pipe = r.pipeIn.pipe();
            r.pipeIn.close(nowNs);
            loops[r.key.home()].closePipe(r.key, pipe);
        }
        r.room.close(nowNs);
        // NOTE: in one step with leaving the live list, so the published totals never go back.
        live.remove(r.room);
        totals.addClosed(r.room.counters());
        schedulePublish(nowNs);
    }

    // ---- members -------------------------------------------------------------------------------------------------

    RoomMember join(RoomKey key, boolean publisher, NegotiatedSession negotiated, WebRtcTransport transport, long nowNs) {
        RoomOnLoop r = roomFor(key);
        if (!r.home && r.pipeIn == null) {
            // The first subscriber of this room here: the home loop's packets start coming.
            Pipe pipe = new Pipe(key, loops[key.home()], proxy, pipeDrops);
            r.pipeIn = new PipeProducer(pipe, r.room);
            openPipes.add(pipe);
            loops[key.home()].openPipe(key, pipe);
        }
        try {
            RoomMember member;
            if (publisher) {
                if (!r.home) throw new IllegalStateException("a publisher of " + key + " on loop " + loop.index());
                member = new RoomMember(key, r.room.addPublisher(negotiated, transport, nowNs), null);
                transport.setMediaSink(member.publisher());
            } else {
                member = new RoomMember(key, null, r.room.addSubscriber(negotiated, transport, nowNs));
                transport.setMediaSink(member.subscriber());
            }
            return member;
        } catch (RuntimeException e) {
            maybeRemove(r, nowNs); // a room (and its pipe) made for this join only does not outlive it
            throw e;
        }
    }

    /** A member's transport closed: it leaves its room, which goes when nothing uses it. */
    public void leave(RoomMember member, long nowNs) {
        RoomOnLoop r = rooms.get(member.key());
        if (r == null) return;
        if (member.publisher() != null) r.room.removePublisher(member.publisher(), nowNs);
        if (member.subscriber() != null) r.room.removeSubscriber(member.subscriber(), nowNs);
        maybeRemove(r, nowNs);
    }

    // ---- the pipe protocol: the home loop's side ----------------------------------------------------------------

    void onOpenPipe(RoomKey key, Pipe pipe) {
        RoomOnLoop r = roomFor(key);
        r.pipesOut.add(pipe);
        for (Producer p : r.room.publishedProducers()) pipe.target.pipeProducerAdded(pipe, p.info());
        // A room fed by another node: its piped Producers go on to this node's other loops the same way.
        for (NodePipeIn in : r.nodePipesIn) {
            for (Producer p : in.producers()) pipe.target.pipeProducerAdded(pipe, p.info());
        }
    }

    void onTapProducer(RoomKey key, Pipe pipe, int producerId) {
        RoomOnLoop r = rooms.get(key);
        if (r == null || !r.pipesOut.contains(pipe)) return;
        Producer p = r.room.producerById(producerId);
        if (p != null) p.addTap(pipe);
    }

    void onClosePipe(RoomKey key, Pipe pipe) {
        RoomOnLoop r = rooms.get(key);
        if (r != null && r.pipesOut.remove(pipe)) {
            for (Producer p : r.room.publishedProducers()) p.removeTap(pipe);
        }
        // Nothing is offered from here on: the other loop may free what is still queued.
        pipe.target.releasePipe(pipe);
        openPipes.remove(pipe);
        if (r != null) maybeRemove(r, System.nanoTime());
    }

    void onRequestKeyframe(RoomKey key, int producerId, int layer, long nowNs) {
        RoomOnLoop r = rooms.get(key);
        if (r != null) r.room.requestKeyframe(producerId, layer, nowNs);
    }

    void onRequestRepair(RoomKey key, Pipe pipe, int producerId, int layer, int seq, long nowNs) {
        RoomOnLoop r = rooms.get(key);
        if (r != null && r.pipesOut.contains(pipe)) loop.burst(() -> r.room.repair(producerId, layer, seq, pipe, nowNs));
    }

    // ---- the pipe protocol: the other loop's side ---------------------------------------------------------------

    private PipeProducer pipeIn(Pipe pipe) {
        RoomOnLoop r = rooms.get(pipe.key);
        return r != null && r.pipeIn != null && r.pipeIn.pipe() == pipe ? r.pipeIn : null;
    }

    void onPipeProducerAdded(Pipe pipe, ProducerInfo info, long nowNs) {
        PipeProducer in = pipeIn(pipe);
        if (in != null) in.onProducerAdded(info, nowNs);
    }

    void onPipeProducerRemoved(Pipe pipe, int producerId, long nowNs) {
        PipeProducer in = pipeIn(pipe);
        if (in != null) in.onProducerRemoved(producerId, nowNs);
    }

    void onPipeSenderReport(Pipe pipe, int producerId, int layer, long rtpTimestamp, long atNs) {
        PipeProducer in = pipeIn(pipe);
        if (in != null) in.onSenderReport(producerId, layer, rtpTimestamp, atNs);
    }

    // ---- node pipes (cluster, issue 14) ----------------------------------------------------------------------------

    void onAddNodePipeOut(RoomKey key, NodePipeOut out) {
        RoomOnLoop r = roomFor(key);
        r.nodePipesOut.add(out);
        for (Producer p : r.room.publishedProducers()) {
            out.onProducerAdded(p.info());
            p.addTap(out);
        }
    }

    void onRemoveNodePipeOut(RoomKey key, NodePipeOut out) {
        RoomOnLoop r = rooms.get(key);
        if (r == null || !r.nodePipesOut.remove(out)) return;
        for (Producer p : r.room.publishedProducers()) p.removeTap(out);
        maybeRemove(r, System.nanoTime());
    }

    void onNodePipeRepair(RoomKey key, NodePipeOut out, int producerId, int layer, int seq, long nowNs) {
        RoomOnLoop r = rooms.get(key);
        if (r != null && r.nodePipesOut.contains(out)) loop.burst(() -> r.room.repair(producerId, layer, seq, out, nowNs));
    }

    void onAttachNodePipeIn(RoomKey key, NodePipeIn in) {
        RoomOnLoop r = roomFor(key);
        in.attach(r.room, r);
        r.nodePipesIn.add(in);
    }

    void onDetachNodePipeIn(RoomKey key, NodePipeIn in) {
        RoomOnLoop r = rooms.get(key);
        long nowNs = System.nanoTime();
        in.close(nowNs);
        if (r != null && r.nodePipesIn.remove(in)) maybeRemove(r, nowNs);
    }

    // ---- the timer -------------------------------------------------------------------------------------------------

    private void schedulePublish(long nowNs) {
        if (nextPublishNs == Long.MAX_VALUE) {
            nextPublishNs = nowNs + PUBLISH_INTERVAL_NS;
            loop.wakeAt(this, nextPublishNs);
        }
    }

    @Override
    public long nextTimeoutNs() {
        long roomsDue = deadlines.earliestNs();
        return nextPublishNs == Long.MAX_VALUE || roomsDue != Long.MAX_VALUE && roomsDue - nextPublishNs < 0 ? roomsDue : nextPublishNs;
    }

    @Override
    public void handleTimeout(long nowNs) {
        for (DeadlineQueue.Entry<RoomOnLoop> e; (e = deadlines.poll(nowNs)) != null; ) due.add(e);
        try {
            for (int i = 0; i < due.size(); i++) {
                RoomOnLoop r = due.get(i).owner();
                if (rooms.get(r.key) != r) continue; // removed meanwhile
                long next = r.room.nextTimeoutNs();
                if (next != Long.MAX_VALUE && next - nowNs <= 0) {
                    r.room.handleTimeout(nowNs);
                    next = r.room.nextTimeoutNs();
                }
                if (rooms.get(r.key) == r) deadlines.set(r.timer, next);
            }
        } finally {
            due.clear();
        }
        if (nextPublishNs != Long.MAX_VALUE && nowNs - nextPublishNs >= 0) {
            totals.publish(live);
            // Every room asked afresh: a deadline nobody announced is late by one interval at most.
            for (RoomOnLoop r : rooms.values()) deadlines.set(r.timer, r.room.nextTimeoutNs());
            // Keeps publishing while rooms live; one last time after the last one went, then rests.
            nextPublishNs = rooms.isEmpty() ? Long.MAX_VALUE : nowNs + PUBLISH_INTERVAL_NS;
        }
    }

    /**
     * This loop's figures for the dashboard (never per packet: once a second); on the loop. {@code queuedNs} is
     * when the request was handed to the loop.
     */
    LoopSnapshot snapshot(long queuedNs) {
        long lagNs = Math.max(0, System.nanoTime() - queuedNs);
        List<LoopSnapshot.RoomPart> parts = new ArrayList<>(rooms.size());
        DoubleStream.Builder losses = DoubleStream.builder();
        DoubleStream.Builder rtts = DoubleStream.builder();
        for (RoomOnLoop r : rooms.values()) {
            Room room = r.room;
            List<Publisher> publishers = room.publishers();
            List<Subscriber> subscribers = room.subscribers();
            parts.add(new LoopSnapshot.RoomPart(r.key.name(), r.home, publishers.size(), subscribers.size(), room.counters().rtpIn(),
                    room.counters().rtpForwarded(), room.counters().bytesForwarded()));
            for (Publisher p : publishers) {
                double loss = p.lossFraction();
                if (loss >= 0) losses.add(loss);
            }
            for (Subscriber s : subscribers) {
                double loss = s.lossFraction();
                if (loss >= 0) losses.add(loss);
                long rtt = s.rttNs();
                if (rtt >= 0) rtts.add(rtt / 1e6);
            }
        }
        return new LoopSnapshot(Thread.currentThread().threadId(), lagNs, List.copyOf(parts), losses.build().toArray(),
                rtts.build().toArray());
    }

    /** RTCP BYE to every member of every room on this loop (shutdown, before the sessions close); on the loop. */
    public void sayGoodbye(String reason) {
        for (RoomOnLoop r : rooms.values()) r.room.sayGoodbye(reason);
    }

    /** Closes every room on this loop (shutdown); on the loop. */
    public void closeAll() {
        long nowNs = System.nanoTime();
        for (RoomOnLoop r : List.copyOf(rooms.values())) {
            r.pipesOut.clear();
            for (NodePipeOut out : r.nodePipesOut) out.onRoomClosed();
            r.nodePipesOut.clear();
            for (NodePipeIn in : r.nodePipesIn) in.close(nowNs);
            r.nodePipesIn.clear();
            if (r.pipeIn != null) r.pipeIn.close(nowNs);
            r.room.close(nowNs);
            rooms.remove(r.key);
            deadlines.remove(r.timer);
            live.remove(r.room);
            totals.addClosed(r.room.counters());
        }
        totals.publish(live);
    }

    LoopProxy proxy() {
        return proxy;
    }

    @Override
    public String toString() {
        return "LoopRooms[" + loop.index() + ", rooms=" + rooms.size() + "]";
    }
}
