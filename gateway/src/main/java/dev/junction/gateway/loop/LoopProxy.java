package dev.junction.gateway.loop;

import io.netty.buffer.ByteBuf;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.gateway.room.ProducerInfo;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.socket.MediaLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one way into a media loop from other threads (Aeron's {@code ReceiverProxy}): the control plane (Vert.x)
 * and the other loops call its typed methods, each of which hands one task to the loop through
 * {@link MediaLoop#execute} and deals with refusal (the loop is shutting down) in one place. Nothing else in the
 * gateway submits to a media loop.
 *
 * <p>Threading: any thread. What each task does runs on the loop, against its {@link LoopRooms}.
 */
public final class LoopProxy {
    private final MediaLoop loop;
    private final LoopRooms rooms;

    LoopProxy(MediaLoop loop, LoopRooms rooms) {
        this.loop = loop;
        this.rooms = rooms;
    }

    public int index() {
        return loop.index();
    }

    public MediaLoop loop() {
        return loop;
    }

    // ---- from the control plane ------------------------------------------------------------------------------

    /**
     * Joins a session to room {@code key} on this loop (making the room here if needed), tells {@code onJoined}
     * (on the loop, before anything can close the transport), then starts its transport. Completes with its place
     * in the room; exceptionally when joining failed (the transport is closed then) or the loop is shutting down.
     */
    public CompletableFuture<RoomMember> join(RoomKey key, boolean publisher, NegotiatedSession negotiated, WebRtcTransport transport,
            Consumer<RoomMember> onJoined) {
        CompletableFuture<RoomMember> joined = new CompletableFuture<>();
        boolean queued = offer(() -> {
            try {
                long nowNs = System.nanoTime();
                RoomMember member = rooms.join(key, publisher, negotiated, transport, nowNs);
                onJoined.accept(member);
                transport.start(nowNs);
                joined.complete(member);
            } catch (RuntimeException e) {
                try {
                    transport.close("could not join the room: " + e);
                } finally {
                    joined.completeExceptionally(e);
                }
            }
        });
        if (!queued) joined.completeExceptionally(new RejectedExecutionException("media loop " + index() + " is shutting down"));
        return joined;
    }

    /** Ends a session's transport; its close takes it out of its room. False when the loop is shutting down. */
    public boolean close(WebRtcTransport transport, String reason) {
        return offer(() -> transport.close(reason));
    }

    /** ICE restart of a session's transport (RFC 9725 §4.3). */
    public void restartIce(WebRtcTransport transport, IceCredentials local, IceCredentials remote) {
        offer(() -> transport.restartIce(local, remote, System.nanoTime()));
    }

    /** This loop's rooms, for code already running on the loop (a transport's close leaving its room). */
    public LoopRooms roomsOnLoop() {
        assert loop.inLoop() : "LoopRooms touched off its loop";
        return rooms;
    }

    /** Runs {@code query} on the loop and completes with its answer (diagnostics and tests; never per packet). */
    public <T> CompletableFuture<T> query(Supplier<T> query) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        if (!offer(() -> {
            try {
                answer.complete(query.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        })) {
            answer.completeExceptionally(new RejectedExecutionException("media loop " + index() + " is shutting down"));
        }
        return answer;
    }

    /** This loop's figures for the dashboard, and its lag: how long this request waited for the loop. */
    public CompletableFuture<LoopSnapshot> snapshot() {
        long queuedNs = System.nanoTime();
        return query(() -> rooms.snapshot(queuedNs));
    }

    // ---- between loops: the pipe protocol ------------------------------------------------------------------------

    /** To the home loop: start piping room {@code key}'s Producers into {@code pipe}. */
    void openPipe(RoomKey key, Pipe pipe) {
        offer(() -> rooms.onOpenPipe(key, pipe));
    }

    /** To the home loop: stop piping into {@code pipe} (its loop has no subscriber left). */
    void closePipe(RoomKey key, Pipe pipe) {
        offer(() -> rooms.onClosePipe(key, pipe));
    }

    /** To the home loop: {@code pipe}'s loop made its copy of Producer {@code producerId}: pipe its packets now. */
    void tapProducer(RoomKey key, Pipe pipe, int producerId) {
        offer(() -> rooms.onTapProducer(key, pipe, producerId));
    }

    /** To the home loop: a keyframe of Producer {@code producerId}'s {@code layer}, asked on another loop. */
    void requestKeyframe(RoomKey key, int producerId, int layer) {
        offer(() -> rooms.onRequestKeyframe(key, producerId, layer, System.nanoTime()));
    }

    /** To the home loop: resend a packet {@code pipe} lost, from the cache, as a repair. */
    boolean requestRepair(RoomKey key, Pipe pipe, int producerId, int layer, int seq) {
        return offer(() -> rooms.onRequestRepair(key, pipe, producerId, layer, seq, System.nanoTime()));
    }

    /** To the other loop: a Producer of the room joined. */
    void pipeProducerAdded(Pipe pipe, ProducerInfo info) {
        offer(() -> rooms.onPipeProducerAdded(pipe, info, System.nanoTime()));
    }

    /** To the other loop: a Producer of the room left. */
    void pipeProducerRemoved(Pipe pipe, int producerId) {
        offer(() -> rooms.onPipeProducerRemoved(pipe, producerId, System.nanoTime()));
    }

    /** To the other loop: a piped Producer's Sender Report. */
    void pipeSenderReport(Pipe pipe, int producerId, int layer, long rtpTimestamp, long atNs) {
        offer(() -> rooms.onPipeSenderReport(pipe, producerId, layer, rtpTimestamp, atNs));
    }

    /** To the other loop: the home loop stopped piping; release what is still queued. */
    void releasePipe(Pipe pipe) {
        offer(pipe::releaseQueued);
    }

    // ---- node pipes (cluster, issue 14): from the cluster's threads -------------------------------------------------

    /** To the room's home loop here: tap room {@code key}'s Producers (now and to come) into {@code out}. */
    public boolean addNodePipeOut(RoomKey key, NodePipeOut out) {
        return offer(() -> rooms.onAddNodePipeOut(key, out));
    }

    /** To the room's home loop here: stop tapping into {@code out}. */
    public boolean removeNodePipeOut(RoomKey key, NodePipeOut out) {
        return offer(() -> rooms.onRemoveNodePipeOut(key, out));
    }

    /** To the room's home loop here: a keyframe of Producer {@code producerId}'s {@code layer}, asked by another node. */
    public void nodePipeKeyframe(RoomKey key, int producerId, int layer) {
        offer(() -> rooms.onRequestKeyframe(key, producerId, layer, System.nanoTime()));
    }

    /** To the room's home loop here: resend packet {@code seq} into {@code out} from the cache, as a repair. */
    public void nodePipeRepair(RoomKey key, NodePipeOut out, int producerId, int layer, int seq) {
        offer(() -> rooms.onNodePipeRepair(key, out, producerId, layer, seq, System.nanoTime()));
    }

    /** To the room's loop here: {@code in} brings another node's Producers into room {@code key}. */
    public boolean attachNodePipeIn(RoomKey key, NodePipeIn in) {
        return offer(() -> rooms.onAttachNodePipeIn(key, in));
    }

    /** To the room's loop here: {@code in} ends; its Producers leave the room. */
    public void detachNodePipeIn(RoomKey key, NodePipeIn in) {
        offer(() -> rooms.onDetachNodePipeIn(key, in));
    }

    /** To the room's loop here: the home node announced a Producer. */
    public void nodePipeProducerAdded(NodePipeIn in, ProducerInfo info) {
        offer(() -> in.onProducerAdded(info, System.nanoTime()));
    }

    /** To the room's loop here: a Producer of the home node left. */
    public void nodePipeProducerRemoved(NodePipeIn in, int producerId) {
        offer(() -> in.onProducerRemoved(producerId, System.nanoTime()));
    }

    /** To the room's loop here: a piped Producer's Sender Report. */
    public void nodePipeSenderReport(NodePipeIn in, int producerId, int layer, long rtpTimestamp, long atNs) {
        offer(() -> in.onSenderReport(producerId, layer, rtpTimestamp, atNs));
    }

    /**
     * To the room's loop here: one packet from the home node. Takes ownership of {@code packet}: released after the
     * room handled it, or at once when the loop refuses the task.
     */
    public void nodePipeRtp(NodePipeIn in, int producerId, int layer, ByteBuf packet, boolean repair) {
        boolean queued = offer(() -> {
            try {
                loop.burst(() -> in.onRtp(producerId, layer, packet, repair, System.nanoTime()));
            } finally {
                packet.release();
            }
        });
        if (!queued) packet.release();
    }

    /** The one hand-off, and its one rejection path: a loop that shuts down frees everything itself. */
    private boolean offer(Runnable task) {
        return loop.execute(task);
    }

    @Override
    public String toString() {
        return "LoopProxy[" + index() + "]";
    }
}
