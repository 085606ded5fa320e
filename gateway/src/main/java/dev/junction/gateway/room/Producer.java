package dev.junction.gateway.room;

import dev.junction.codec.rtp.DependencyDescriptor;
import dev.junction.codec.rtp.KeyframeDetector;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.Vp8Descriptor;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One published track (one receiving m-section of a publisher) as one media loop's room forwards it: its
 * simulcast {@link ProducerLayer}s, the Consumers it feeds, and where its requests go. The publisher's own
 * (home) loop feeds it from the publisher's {@link RtpStreamRecv}s; every other loop that has subscribers for it
 * feeds its copy from a pipe. Both call the same {@link #onRtp}; only the {@link Upstream} differs.
 *
 * <p>Simulcast (RFC 8853): the layers are the offer's rids in offer order, lowest to highest quality (the
 * order Chromium, Firefox and the WHIP clients write them: {@code q;h;f}). Each Consumer chooses its own layer
 * ({@link Consumer#chooseLayer}); a packet goes only to the Consumers on its layer. A Consumer switches to its
 * target layer at that layer's next packet. A layer with no packet for {@link #LAYER_ACTIVE_NS} is inactive;
 * when a watched layer goes inactive, or one comes back, every Consumer chooses again.
 *
 * <p>Taps: packets are handed to its taps (pipes to other loops) before its own Consumers get them, so other
 * loops work on them in parallel.
 *
 * <p>Threading: the room's loop only. Buffers: packets are borrowed; an RTP packet given to {@link #onRtp}
 * spans its buffer's readable bytes (taps retain that buffer). The layers' caches own their copies, released
 * by {@link #close()}.
 */
public final class Producer {
    /** A Consumer waiting to switch layers asks for the target's keyframe again this long after the last ask. */
    static final long SWITCH_KEYFRAME_RETRY_NS = 500_000_000L;
    /** A layer with no packet for this long is inactive (about a second, as in mediasoup). */
    public static final long LAYER_ACTIVE_NS = 1_000_000_000L;
    static final long UNKNOWN_SSRC = ProducerLayer.UNKNOWN_SSRC;
    private static final AtomicInteger IDS = new AtomicInteger();

    /** Where this Producer's requests go: the publisher's {@link KeyframeRequests}, or back through a pipe. */
    public interface Upstream {
        /** A keyframe on {@code layer}, as soon as the upstream's rate limit allows. */
        void requestKeyframe(Producer producer, int layer, long nowNs);

        /**
         * A subscriber NACKed sequence number {@code seq} of {@code layer} and this loop's cache lacks it: true
         * when the upstream will try to repair it (a pipe asks the home loop's cache).
         */
        boolean requestRepair(Producer producer, int layer, int seq);

        /** When a coalesced request falls due, {@link Long#MAX_VALUE} for none. */
        long nextTimeoutNs();
    }

    /** Receives this Producer's packets before its Consumers do (a pipe to another loop). */
    public interface Tap {
        /** One packet of {@code layer}, spanning {@code packet}'s readable bytes (borrowed); {@code repair}: late. */
        void onRtp(Producer producer, int layer, ByteBuf packet, boolean repair);

        /** The publisher's Sender Report for {@code layer}: its RTP time at {@code atNs}. */
        void onSenderReport(Producer producer, int layer, long rtpTimestamp, long atNs);
    }

    // Passed by argument.
    private final int id;
    private final Room room;
    private final NegotiatedMedia media;
    private final int index;
    private final long joinOrder;
    private final Object publisherKey;
    /** A copy of another loop's Producer, fed by a pipe (false: a publisher's own, on its home loop). */
    private final boolean piped;
    private Upstream upstream;

    // Allocated by this.
    private final TrackCodecs codecs;
    private final ProducerLayer[] layers;
    private final List<Consumer> consumers = new ArrayList<>();
    private final List<Tap> taps = new ArrayList<>(1);

    /** The publisher's dependency descriptor extension id, 0 when not negotiated. */
    private final int dependencyDescriptorId;

    // State, on the loop.
    private long packetsIn;
    private boolean closed;

    Producer(Room room, int id, Object publisherKey, NegotiatedMedia media, int index, long joinOrder, boolean piped,
            Upstream upstream) {
        this.room = room;
        this.piped = piped;
        this.id = id;
        this.publisherKey = publisherKey;
        this.media = media;
        this.index = index;
        this.joinOrder = joinOrder;
        this.upstream = upstream;
        this.codecs = new TrackCodecs(media);
        this.dependencyDescriptorId = media.kind() == MediaKind.VIDEO
                ? media.headerExtensionId(HeaderExtensionUri.DEPENDENCY_DESCRIPTOR).orElse(0) : 0;
        int layerCount = layerCount(media);
        this.layers = new ProducerLayer[layerCount];
        for (int i = 0; i < layerCount; i++) {
            layers[i] = new ProducerLayer(i, media.kind() == MediaKind.VIDEO ? new RetransmissionCache(room.allocator()) : null);
        }
    }

    /** A new process-wide Producer id: the same Producer keeps it on every loop it is piped to. */
    static int newId() {
        return IDS.incrementAndGet();
    }

    /** How many layers {@code media} publishes: its rids, else its SIM ssrc-group, else one. */
    static int layerCount(NegotiatedMedia media) {
        if (!media.simulcastLayers().isEmpty()) return media.simulcastLayers().size();
        if (!media.simulcastSsrcGroups().isEmpty()) return Math.max(1, media.simulcastSsrcGroups().get(0).ssrcs().size());
        return 1;
    }

    /** What another loop needs to make this Producer's copy there. */
    public ProducerInfo info() {
        return new ProducerInfo(id, publisherKey, media, index, joinOrder);
    }

    public int id() {
        return id;
    }

    /** The publisher's m-section this track arrives in. */
    public NegotiatedMedia media() {
        return media;
    }

    public String mid() {
        return media.mid();
    }

    public MediaKind kind() {
        return media.kind();
    }

    /** Identifies the publisher across loops: the Producers of one publisher share it. */
    Object publisherKey() {
        return publisherKey;
    }

    /** Whether this is a loop's copy of another loop's Producer, fed by a pipe. */
    public boolean piped() {
        return piped;
    }

    /** Position among the publisher's Producers, in offer order. */
    public int index() {
        return index;
    }

    long joinOrder() {
        return joinOrder;
    }

    TrackCodecs codecs() {
        return codecs;
    }

    /** Number of simulcast layers (1 without simulcast). */
    public int layerCount() {
        return layers.length;
    }

    ProducerLayer layer(int layer) {
        return layers[layer];
    }

    /** Layer {@code layer}'s rid (RFC 8851), or "" for a track without rid simulcast. */
    public String layerRid(int layer) {
        return layer < media.simulcastLayers().size() ? media.simulcastLayers().get(layer).rid() : "";
    }

    /** The index of the layer with rid {@code rid}, or -1. */
    int layerOfRid(String rid) {
        for (int i = 0; i < layers.length; i++) {
            if (layerRid(i).equals(rid)) return i;
        }
        return -1;
    }

    /** Layer {@code layer}'s bitrate over its last full second, 0 while unknown or stopped. */
    long layerBitrateBps(int layer, long nowNs) {
        return layers[layer].bitrateBps(nowNs);
    }

    /** Bits per second of layer {@code layer}'s temporal layers 0 to {@code maxTemporal}, 0 while unknown. */
    long layerBitrateBps(int layer, int maxTemporal, long nowNs) {
        return layers[layer].bitrateBps(maxTemporal, nowNs);
    }

    /** The highest temporal layer id (VP8's TID, or the dependency descriptor's) layer {@code layer} carries lately, -1 for none. */
    public int highestTemporalLayer(int layer, long nowNs) {
        return layers[layer].highestTemporalLayer(nowNs);
    }

    /** Whether layer {@code layer} sent within {@link #LAYER_ACTIVE_NS}. */
    boolean layerActive(int layer, long nowNs) {
        return layers[layer].active(nowNs);
    }

    /** The SSRC of layer {@code layer}, or -1 while it is not known. */
    public long layerSsrc(int layer) {
        return layers[layer].ssrc;
    }

    /** RTP packets this loop got for this track, all layers. */
    public long packetsIn() {
        return packetsIn;
    }

    /** Number of slots this track currently fills on this loop. */
    public int consumerCount() {
        return consumers.size();
    }

    List<Consumer> consumers() {
        return consumers;
    }

    boolean closed() {
        return closed;
    }

    Room room() {
        return room;
    }

    /** When this Producer's coalesced keyframe request falls due, or {@link Long#MAX_VALUE}. */
    public long nextTimeoutNs() {
        return closed ? Long.MAX_VALUE : upstream.nextTimeoutNs();
    }

    // ---- packets ---------------------------------------------------------------------------------------------

    /** Forwards one packet of layer {@code layer}; borrowed. */
    void onRtp(int layer, RtpPacket rtp, long nowNs) {
        ProducerLayer l = layers[layer];
        DependencyDescriptor dd = room.flyweights().dd;
        int ddRead = readDependencyDescriptor(rtp, l, dd, nowNs);
        if (ddRead == DD_MALFORMED) return;
        for (int i = 0, n = taps.size(); i < n; i++) taps.get(i).onRtp(this, layer, rtp.buffer(), false);
        packetsIn++;
        boolean wasActive = l.active(nowNs);
        Vp8Descriptor vp8 = vp8Descriptor(rtp, room.flyweights().vp8);
        int temporal = ddRead == DependencyDescriptor.OK ? dd.temporalId() : vp8 == null ? Vp8Descriptor.ABSENT : vp8.temporalLayer();
        l.onPacket(rtp, temporal, nowNs);
        if (!wasActive || watchedLayerWentStale(layer, nowNs)) reselect(nowNs);
        if (l.pendingSwitches > 0) switchTo(l, rtp, vp8, nowNs);
        boolean local = route(l);
        // Cached also when only pipes take it: this loop answers their repairs.
        if (l.cache != null && (local || !taps.isEmpty())) l.cache.store(rtp, nowNs);
        if (!local) return;
        DependencyDescriptor frame = ddRead == DD_ABSENT ? null : dd;
        // NOTE: index loop, no iterator: this is the per-packet path and must not allocate.
        for (int i = 0, n = l.consumers.size(); i < n; i++) l.consumers.get(i).forward(rtp, vp8, frame, nowNs);
    }

    /** {@link #readDependencyDescriptor}: the packet has no dependency descriptor. */
    private static final int DD_ABSENT = -1;
    /** {@link #readDependencyDescriptor}: it has one that does not parse, and the packet was dropped. */
    private static final int DD_MALFORMED = -2;

    /**
     * Reads {@code rtp}'s dependency descriptor into {@code into} with layer {@code l}'s structure, which takes in a
     * newer structure the packet carries: {@link DependencyDescriptor#OK}, {@link DependencyDescriptor#NO_STRUCTURE}
     * (the mandatory fields only: the layer's structure has not come yet), {@link #DD_ABSENT}, or
     * {@link #DD_MALFORMED} (counted; a receiver would drop it too, as libwebrtc's does).
     */
    private int readDependencyDescriptor(RtpPacket rtp, ProducerLayer l, DependencyDescriptor into, long nowNs) {
        if (dependencyDescriptorId == 0) return DD_ABSENT;
        long found = rtp.findExtension(dependencyDescriptorId);
        if (found == RtpPacket.NOT_FOUND) return DD_ABSENT;
        int read = into.parse(rtp.buffer(), RtpPacket.foundOffset(found), RtpPacket.foundLength(found), l.dependencies());
        if (read == DependencyDescriptor.OK) {
            l.dependencies().adopt(into);
            return read;
        }
        // No structure yet, or a template the one in force lacks: most likely the structure went missing with its
        // keyframe's first packet (a sender moves its template ids with each new structure, so packets of the new one
        // name no template of the old). Ask for the next keyframe, as libwebrtc's receiver does.
        if ((read == DependencyDescriptor.NO_STRUCTURE || read == DependencyDescriptor.UNKNOWN_TEMPLATE)
                && nowNs - l.switchKeyframeAskedNs >= SWITCH_KEYFRAME_RETRY_NS) {
            l.switchKeyframeAskedNs = nowNs;
            requestKeyframe(l.index, KeyframeCause.DEPENDENCY_STRUCTURE, nowNs);
        }
        if (read == DependencyDescriptor.NO_STRUCTURE) return read;
        room.counters().drop(RoomDrop.MALFORMED_DEPENDENCY_DESCRIPTOR);
        return DD_MALFORMED;
    }

    /** The publisher's dependency descriptor extension id, 0 when it negotiated none. */
    int dependencyDescriptorId() {
        return dependencyDescriptorId;
    }

    /**
     * {@code rtp}'s VP8 payload descriptor parsed into {@code into}, or null when its codec is not VP8 or the
     * descriptor is cut short (such a packet is forwarded untouched).
     */
    Vp8Descriptor vp8Descriptor(RtpPacket rtp, Vp8Descriptor into) {
        if (codecs.keyframeCodec(rtp.payloadType()) != KeyframeDetector.VP8) return null;
        return into.parse(rtp.buffer(), rtp.payloadOffset(), rtp.payloadLength()) ? into : null;
    }

    /**
     * A packet of {@code layer} recovered late (the publisher's RTX, or a pipe's repair): cached, and sent to the
     * Consumers on its layer that had already started when it was first due; borrowed.
     */
    void onRepair(int layer, RtpPacket rtp, long nowNs) {
        ProducerLayer l = layers[layer];
        DependencyDescriptor dd = room.flyweights().dd;
        int ddRead = readDependencyDescriptor(rtp, l, dd, nowNs);
        if (ddRead == DD_MALFORMED) return;
        for (int i = 0, n = taps.size(); i < n; i++) taps.get(i).onRtp(this, layer, rtp.buffer(), true);
        boolean local = route(l);
        if (l.cache != null && (local || !taps.isEmpty())) l.cache.store(rtp, nowNs);
        if (!local) return;
        Vp8Descriptor vp8 = vp8Descriptor(rtp, room.flyweights().vp8);
        DependencyDescriptor frame = ddRead == DD_ABSENT ? null : dd;
        for (int i = 0, n = l.consumers.size(); i < n; i++) l.consumers.get(i).forwardLate(rtp, vp8, frame, nowNs);
    }

    /** Records the publisher's Sender Report for {@code layer} (RFC 3550 §6.4.1): its RTP time at {@code nowNs}. */
    void onSenderReport(int layer, long rtpTimestamp, long nowNs) {
        layers[layer].onSenderReport(rtpTimestamp, nowNs);
        for (int i = 0, n = taps.size(); i < n; i++) taps.get(i).onSenderReport(this, layer, rtpTimestamp, nowNs);
    }

    /**
     * Counts a packet of layer {@code l} as routed when a Consumer on it or a pipe takes it, else as dropped under
     * its reason; returns whether this loop's Consumers of the layer get it.
     */
    private boolean route(ProducerLayer l) {
        RoomCounters counters = room.counters();
        if (!l.consumers.isEmpty() || !taps.isEmpty()) counters.rtpRouted++;
        else counters.drop(consumers.isEmpty() ? RoomDrop.NO_CONSUMER : RoomDrop.LAYER_NOT_SELECTED);
        return !l.consumers.isEmpty();
    }

    /**
     * Layer {@code layer}'s RTP time at {@code nowNs}, extrapolated from the publisher's last Sender Report
     * (whose NTP time is taken as its arrival time on our clock: the one-way delay is the same for a publisher's
     * audio and video, so their relative timing, what lip sync needs, is kept); -1 before the first.
     */
    long rtpTimestampAt(int layer, long nowNs) {
        ProducerLayer l = layers[layer];
        int clockRate = codecs.clockRate();
        if (!l.senderReportSeen || clockRate <= 0) return -1;
        long elapsedUs = Math.min(nowNs - l.senderReportNs, 3_600_000_000L) / 1_000;
        return (l.senderReportRtp + elapsedUs * clockRate / 1_000_000) & 0xFFFF_FFFFL;
    }

    // ---- layer choice -----------------------------------------------------------------------------------------

    /**
     * The default choice for a Consumer capped at {@code max}: the highest active layer (a packet within
     * {@link #LAYER_ACTIVE_NS}); with none active, the only layer of a track without simulcast, or the highest
     * that ever sent (it is what comes back first); -1 before any.
     */
    int highestActiveLayer(int max, long nowNs) {
        int top = Math.min(max, layers.length - 1);
        for (int i = top; i >= 0; i--) {
            if (layers[i].active(nowNs)) return i;
        }
        if (layers.length == 1) return 0;
        for (int i = top; i >= 0; i--) {
            if (layers[i].seen) return i;
        }
        return -1;
    }

    private boolean watchedLayerWentStale(int arrived, long nowNs) {
        for (ProducerLayer l : layers) {
            // Watched: Consumers are on it, or waiting to switch to it.
            if (l.index != arrived && !l.staleHandled && (!l.consumers.isEmpty() || l.pendingSwitches > 0) && !l.active(nowNs)) return true;
        }
        return false;
    }

    /** Layer activity changed: every Consumer chooses its target again. */
    private void reselect(long nowNs) {
        for (ProducerLayer l : layers) {
            if (!l.active(nowNs)) l.staleHandled = true;
        }
        for (int i = 0, n = consumers.size(); i < n; i++) consumers.get(i).chooseLayer(nowNs, LayerReason.LAYER_INACTIVE);
    }

    /**
     * Moves the Consumers whose target is {@code to} onto it at this packet: a Consumer not forwarding yet at once
     * (its first keyframe was asked for when it joined), one already forwarding another layer only at a keyframe of
     * this one, so its decoder never gets a delta frame of a stream it has not started (issue 11: switching up at
     * a keyframe, and down too). Until one comes it keeps its current layer, and the keyframe is asked for again
     * every {@link #SWITCH_KEYFRAME_RETRY_NS}. A codec whose keyframes Junction cannot read switches at once.
     */
    private void switchTo(ProducerLayer to, RtpPacket rtp, Vp8Descriptor vp8, long nowNs) {
        // A VP8 packet's descriptor was read once already; the detector would walk it again.
        boolean keyframe = vp8 != null ? vp8.keyframe() : startsKeyframe(rtp);
        boolean waiting = false;
        for (int i = 0, n = consumers.size(); i < n; i++) {
            Consumer c = consumers.get(i);
            if (c.targetLayer() != to.index || c.layer() == to.index) continue;
            if (c.layer() >= 0 && !keyframe) {
                waiting = true;
                continue;
            }
            if (c.layer() >= 0) layers[c.layer()].consumers.remove(c);
            to.consumers.add(c);
            to.pendingSwitches--;
            c.onSwitched(to.index, nowNs);
        }
        if (waiting && nowNs - to.switchKeyframeAskedNs >= SWITCH_KEYFRAME_RETRY_NS) {
            to.switchKeyframeAskedNs = nowNs;
            requestKeyframe(to.index, KeyframeCause.SWITCH, nowNs);
        }
    }

    /** Whether {@code rtp} starts a keyframe; true for a codec whose keyframes Junction cannot read (audio). */
    boolean startsKeyframe(RtpPacket rtp) {
        int codec = codecs.keyframeCodec(rtp.payloadType());
        return codec == KeyframeDetector.UNKNOWN_CODEC || KeyframeDetector.isKeyframeStart(codec, rtp);
    }

    /**
     * A Consumer on {@code layer} waits for the keyframe of the layer's restarted encoder: asks for it, at most every
     * {@link #SWITCH_KEYFRAME_RETRY_NS} (as for a Consumer waiting to switch).
     */
    void awaitKeyframe(int layer, long nowNs) {
        ProducerLayer l = layers[layer];
        if (nowNs - l.switchKeyframeAskedNs >= SWITCH_KEYFRAME_RETRY_NS) {
            l.switchKeyframeAskedNs = nowNs;
            requestKeyframe(layer, KeyframeCause.RESTART, nowNs);
        }
    }

    /** {@code consumer} wants {@code layer} from its next packet on (-1: nothing). */
    void retarget(Consumer consumer, int oldTarget, int newTarget) {
        if (oldTarget >= 0 && oldTarget != consumer.layer()) layers[oldTarget].pendingSwitches--;
        if (newTarget >= 0 && newTarget != consumer.layer()) layers[newTarget].pendingSwitches++;
    }

    void addConsumer(Consumer consumer, long nowNs) {
        consumers.add(consumer);
        consumer.chooseLayer(nowNs, LayerReason.NONE);
        if (consumer.targetLayer() >= 0) requestKeyframe(consumer.targetLayer(), KeyframeCause.JOIN, nowNs);
    }

    void removeConsumer(Consumer consumer) {
        consumers.remove(consumer);
        if (consumer.layer() >= 0) layers[consumer.layer()].consumers.remove(consumer);
        if (consumer.targetLayer() >= 0 && consumer.targetLayer() != consumer.layer()) layers[consumer.targetLayer()].pendingSwitches--;
    }

    // ---- requests upstream ------------------------------------------------------------------------------------

    /** Asks for a keyframe on {@code layer} (video only; rate-limited upstream), counted under {@code cause}. */
    void requestKeyframe(int layer, KeyframeCause cause, long nowNs) {
        if (media.kind() != MediaKind.VIDEO || closed || layer < 0 || layer >= layers.length) return;
        room.counters().keyframeRequest(cause);
        upstream.requestKeyframe(this, layer, nowNs);
    }

    /** Asks the upstream to repair a packet this loop's cache lacks; true when it will try. */
    boolean requestRepair(int layer, int seq) {
        return !closed && upstream.requestRepair(this, layer, seq);
    }

    /** Hands this Producer's packets to {@code tap} from now on (before its own Consumers). */
    public void addTap(Tap tap) {
        if (!closed && !taps.contains(tap)) taps.add(tap);
    }

    public void removeTap(Tap tap) {
        taps.remove(tap);
    }

    void setUpstream(Upstream upstream) {
        this.upstream = upstream;
    }

    /** Detaches every Consumer and tap, frees the caches; returns the Consumers for the room to free their slots. */
    List<Consumer> close() {
        closed = true;
        taps.clear();
        List<Consumer> detached = List.copyOf(consumers);
        consumers.clear();
        for (ProducerLayer l : layers) l.close();
        return detached;
    }

    @Override
    public String toString() {
        return "Producer[" + id + " " + media.kind().token() + " mid=" + media.mid() + " layers=" + layers.length
                + " consumers=" + consumers.size() + "]";
    }
}
