package dev.junction.gateway.room;

import dev.junction.codec.rtp.DependencyDescriptor;
import dev.junction.codec.rtp.DependencyStructure;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.SerialNumber;
import dev.junction.codec.rtp.Vp8Descriptor;
import dev.junction.transport.bwe.SentKind;
import io.netty.buffer.ByteBuf;

/**
 * One Producer's track forwarded into one subscriber {@link Slot}: the layer this subscriber receives, and the
 * per-packet rewrite. For every packet it makes the one egress copy (a pooled heap buffer with
 * {@link Room#SRTP_TAIL_ROOM} bytes of tail room for the SRTP tag), rewrites SSRC, sequence number, timestamp,
 * payload type and header-extension ids in place, and hands the copy to the subscriber's {@code MediaSender}.
 *
 * <p>Layer choice: each Consumer chooses its own simulcast layer ({@link #chooseLayer}); the default policy is
 * the highest active layer, so bandwidth adaptation (a per-subscriber estimate, preferences) has one place to
 * go. The Producer moves it to its target layer at that layer's next packet.
 *
 * <p>Numbering: {@code out = in + offset} (mod 2^16 for sequence numbers, 2^32 for timestamps). The offsets are
 * recomputed when the source changes (a new Consumer on a slot that already sent, a layer switch, or the layer's
 * SSRC changing): the next sequence number is the slot's last + 1, and the timestamp the slot's last plus the
 * wall-clock time since then in the codec's clock rate (at least 1), so the receiver's jitter buffer sees a
 * plausible stream and no jump (as Jitsi's and mediasoup's RTP rewriters do).
 *
 * <p>Threading: the room's event loop only. Buffers: the ingress packet is borrowed and never written; the
 * copy is owned by the {@code MediaSender} once passed to it.
 */
public final class Consumer {
    /** Half the sequence space: serial comparison with the epoch's first number is only meaningful below this. */
    private static final int LONG_AGO = 0x8000;

    // Passed by argument.
    private final Slot slot;
    private final Producer producer;
    private final RtpMapping mapping;
    private final Room room;

    // State, on the loop.
    /** The subscriber's payload type of the last packet forwarded, -1 before one (for RTX padding). */
    private int lastPayloadType = -1;
    /** The layer forwarded now, -1 before the first switch. */
    private int layer = -1;
    /** The layer this Consumer wants, -1 for none. */
    private int targetLayer = -1;
    /** The layer generation the numbering below belongs to; -1 forces a resynchronisation. */
    private int generation = -1;
    /** The source sequence number of the first packet forwarded since the last resynchronisation. */
    private int epochFirstSequenceNumber;
    /** Packets forwarded since then, counted up to {@link #LONG_AGO} (beyond it every cached packet is newer). */
    private int sinceResync;
    private int sequenceOffset;
    private long timestampOffset;
    /** The current numbering continues another source's (the slot had sent before the last resynchronisation). */
    private boolean renumbered;
    /** The newest source sequence number since the last resynchronisation, forwarded or dropped. */
    private int highestSequenceIn;

    // Temporal layers (issue 11), from VP8's payload descriptor or the dependency descriptor: which frames are left
    // out, and the numbers that keeps continuous.
    /** Highest temporal layer id there is (RFC 7741: TID is 2 bits; more from a dependency descriptor count as 3). */
    static final int MAX_TEMPORAL_LAYER = 3;
    /** The temporal layer it should receive: its preference's cap, lowered when even its spatial layer is too much. */
    private int targetTemporal = MAX_TEMPORAL_LAYER;
    /** The temporal layer it receives now: down at the next frame, up only at a layer-sync frame or a keyframe. */
    private int activeTemporal = MAX_TEMPORAL_LAYER;
    /** A frame was decided since the resynchronisation (the newest is the last in {@link #recentFrameKeys}). */
    private boolean frameKnown;
    /** Source sequence numbers left out since the resynchronisation. */
    private final DroppedNumbers droppedSequences = new DroppedNumbers(16);
    /** Source picture ids left out since then, in the current source's picture id space. */
    private final DroppedNumbers droppedPictures = new DroppedNumbers(15);
    /** 7 or 15: the current source's picture id size; 0 while it has sent none. */
    private int pictureBits;
    private int pictureOffset;
    /** The newest source picture id since the resynchronisation, -1 before one. */
    private int highestPictureIn = -1;
    private int tl0Offset;
    /** Subscriber's dependency descriptor frame number minus the source's (mod 2^16): continuous across switches. */
    private int frameNumberOffset;

    Consumer(Room room, Slot slot, Producer producer, RtpMapping mapping) {
        this.room = room;
        this.slot = slot;
        this.producer = producer;
        this.mapping = mapping;
    }

    public Slot slot() {
        return slot;
    }

    public Producer producer() {
        return producer;
    }

    /** The layer this subscriber receives now, -1 before its first packet. */
    public int layer() {
        return layer;
    }

    /** This Consumer's share of its subscriber's bandwidth estimate, -1 for no limit (no estimate). */
    private long budgetBps = -1;
    /** Since when the budget has fitted a higher layer with room to spare ({@link #UP_HEADROOM}), or {@link #NO_TIME}. */
    private long upSinceNs = NO_TIME;
    /** Why {@link #targetLayer} was chosen. */
    private LayerReason reason = LayerReason.NONE;

    /** Switch up only when the budget is this much above the higher layer's bitrate... */
    static final double UP_HEADROOM = 1.15;
    /** ...and has been for this long: an estimate near a threshold does not switch back and forth (issue 11). */
    static final long UP_HOLD_NS = 2_000_000_000L;
    private static final long NO_TIME = Long.MIN_VALUE;

    /** Why it receives its layer: its target's reason, or {@link LayerReason#AWAITING_KEYFRAME} while switching. */
    public LayerReason reason() {
        return layer >= 0 && targetLayer >= 0 && layer != targetLayer ? LayerReason.AWAITING_KEYFRAME : reason;
    }

    /** Why its layer was chosen, in words (the dashboard shows it). */
    public String layerReason() {
        return switch (reason()) {
            case NONE -> "not chosen yet";
            case BEST -> "highest active layer";
            case BANDWIDTH -> "bandwidth: " + (budgetBps / 1000) + " kbit/s share of the estimate";
            case PREFERENCE -> preferenceReason();
            case LAYER_INACTIVE -> "higher layers inactive";
            case AWAITING_KEYFRAME -> "waiting for a keyframe of layer " + targetLayer;
        };
    }

    private String preferenceReason() {
        ViewerPreference p = slot.preference();
        int cap = p.spatialCap(producer);
        long bitrate = p.maxBitrateBps();
        String layerCap = cap == Integer.MAX_VALUE ? "" : "layer " + cap;
        String bitrateCap = bitrate == ViewerPreference.NONE ? "" : (bitrate / 1000) + " kbit/s";
        return "capped at " + (layerCap.isEmpty() ? bitrateCap : bitrateCap.isEmpty() ? layerCap : layerCap + " and " + bitrateCap)
                + " (viewer preference)";
    }

    /** The layer it is about to switch to (its layer when it is not switching), -1 for none. */
    public int targetLayer() {
        return targetLayer;
    }

    /** Its share of the subscriber's estimate, -1 when unlimited. */
    public long budgetBps() {
        return budgetBps;
    }

    /**
     * Caps the layers this subscriber receives at {@code max} ({@link Integer#MAX_VALUE}: no cap), as the viewer's
     * preference for its slot, and chooses again.
     */
    void setMaxLayer(int max, long nowNs) {
        slot.setPreference(slot.preference().withMaxSpatialLayer(Math.max(0, max)), nowNs);
    }

    /** The highest layer its viewer's preference allows, {@link Integer#MAX_VALUE} without one. */
    private int maxLayer() {
        return slot.preference().spatialCap(producer);
    }

    /**
     * What limits its layer by bitrate: its share of the estimate or the viewer's cap, whichever is lower, -1 for
     * neither.
     */
    private long effectiveBudgetBps() {
        long cap = slot.preference().maxBitrateBps();
        if (cap == ViewerPreference.NONE) return budgetBps;
        return budgetBps < 0 ? cap : Math.min(cap, budgetBps);
    }

    /** Whether the viewer's bitrate cap, not the estimate, is what limits it. */
    private boolean bitrateCapDecides() {
        long cap = slot.preference().maxBitrateBps();
        return cap != ViewerPreference.NONE && (budgetBps < 0 || cap <= budgetBps);
    }

    /** Its share of the subscriber's estimate changed ({@code bps}, -1 for no limit): chooses again. */
    void setBudget(long bps, long nowNs) {
        budgetBps = bps;
        chooseLayer(nowNs, LayerReason.BANDWIDTH);
    }

    /**
     * Chooses the layer this subscriber should receive; the switch happens at the chosen layer's next keyframe (see
     * {@code Producer.switchTo}). From:
     * <ul>
     *   <li>which layers are active (none: keep the current one);</li>
     *   <li>its viewer's preference ({@link Slot#preference}): a layer cap, and a bitrate cap that lowers the
     *       budget below;</li>
     *   <li>its bandwidth budget ({@link #setBudget}), or the viewer's bitrate cap when that is lower: down at once to the highest active layer whose bitrate fits
     *       the budget (the lowest if none does); up only to a layer the budget exceeds by {@link #UP_HEADROOM},
     *       and only once it has for {@link #UP_HOLD_NS}. A layer whose bitrate is not known yet (it just started)
     *       is never a step up while a budget applies.</li>
     * </ul>
     * {@code cause} is what made it choose again; a change of target is counted under it.
     */
    void chooseLayer(long nowNs, LayerReason cause) {
        int maxLayer = maxLayer();
        int top = producer.highestActiveLayer(maxLayer, nowNs);
        int wanted;
        LayerReason why;
        if (top < 0) {
            wanted = layer;
            why = LayerReason.LAYER_INACTIVE;
            upSinceNs = NO_TIME;
        } else {
            wanted = top;
            why = topReason(top, maxLayer);
            long budget = effectiveBudgetBps();
            if (budget >= 0 && top > 0) {
                int bandwidth = bandwidthLayer(top, budget, nowNs);
                if (bandwidth < top) {
                    wanted = bandwidth;
                    why = bitrateCapDecides() ? LayerReason.PREFERENCE : LayerReason.BANDWIDTH;
                }
            } else {
                upSinceNs = NO_TIME;
            }
        }
        reason = why;
        chooseTemporal(wanted, nowNs);
        if (wanted == targetLayer) return;
        if (targetLayer >= 0 && wanted >= 0) room.counters().layerSwitch(cause == LayerReason.NONE ? why : cause);
        producer.retarget(this, targetLayer, wanted);
        targetLayer = wanted;
    }

    /** Why it receives its temporal layer. */
    private LayerReason temporalReason = LayerReason.BEST;

    /**
     * Chooses its temporal layer on spatial layer {@code spatial}: the viewer's cap, and fewer frames per second
     * when even that layer's whole bitrate does not fit its budget (down at once to the highest temporal layer whose
     * frames fit, at least layer 0; up only with {@link #UP_HEADROOM} to spare). A stream without temporal layers
     * gets all it has.
     */
    private void chooseTemporal(int spatial, long nowNs) {
        int cap = slot.preference().maxTemporalLayer();
        int wanted = cap == ViewerPreference.NONE ? MAX_TEMPORAL_LAYER : Math.min(cap, MAX_TEMPORAL_LAYER);
        LayerReason why = wanted < MAX_TEMPORAL_LAYER ? LayerReason.PREFERENCE : LayerReason.BEST;
        int highest = spatial < 0 ? -1 : producer.highestTemporalLayer(spatial, nowNs);
        long budget = effectiveBudgetBps();
        if (highest > 0 && budget >= 0) {
            int top = Math.min(wanted, highest);
            int fit = 0;
            int up = 0;
            for (int t = 0; t <= top; t++) {
                long bps = producer.layerBitrateBps(spatial, t, nowNs);
                if (bps <= 0) continue;
                if (bps <= budget) fit = t;
                if (budget >= UP_HEADROOM * bps) up = t;
            }
            int current = Math.min(targetTemporal, top);
            int chosen = fit < current ? fit : Math.max(current, up);
            if (chosen < top) {
                wanted = chosen;
                why = bitrateCapDecides() ? LayerReason.PREFERENCE : LayerReason.BANDWIDTH;
            }
        }
        temporalReason = why;
        targetTemporal = wanted;
    }

    /** Why it receives its temporal layer (best: all of them). */
    public LayerReason temporalReason() {
        return temporalReason;
    }

    /**
     * What its best layer (the highest active one its preference allows) takes, bps, at most the viewer's bitrate cap;
     * 0 while unknown.
     */
    long demandBps(long nowNs) {
        int top = producer.highestActiveLayer(maxLayer(), nowNs);
        long bps = top < 0 ? 0 : producer.layerBitrateBps(top, nowNs);
        long cap = slot.preference().maxBitrateBps();
        return cap == ViewerPreference.NONE ? bps : Math.min(bps, cap);
    }

    /** Why {@code top} is the best it may have: its cap, a higher layer gone quiet, or nothing. */
    private LayerReason topReason(int top, int maxLayer) {
        int last = producer.layerCount() - 1;
        if (top >= last) return LayerReason.BEST;
        if (maxLayer <= top) return LayerReason.PREFERENCE;
        return LayerReason.LAYER_INACTIVE;
    }

    /** The layer {@code budgetBps} allows, at most {@code top}, with the hysteresis described at {@link #chooseLayer}. */
    private int bandwidthLayer(int top, long budgetBps, long nowNs) {
        int current = targetLayer >= 0 && targetLayer <= top && producer.layerActive(targetLayer, nowNs) ? targetLayer : -1;
        // Highest active layer with a known bitrate that fits; the lowest active one when none does.
        int fit = -1;
        int lowest = -1;
        int up = -1;
        for (int l = 0; l <= top; l++) {
            if (!producer.layerActive(l, nowNs)) continue;
            if (lowest < 0) lowest = l;
            long bps = producer.layerBitrateBps(l, nowNs);
            if (bps <= 0) continue;
            if (bps <= budgetBps) fit = l;
            if (budgetBps >= UP_HEADROOM * bps) up = l;
        }
        if (fit < 0) fit = lowest < 0 ? top : lowest;
        if (current < 0) {
            // A first choice (or its layer went away): what fits now, no waiting.
            upSinceNs = NO_TIME;
            return fit;
        }
        // The current layer with an unknown bitrate counts as fitting: nothing says it does not.
        long currentBps = producer.layerBitrateBps(current, nowNs);
        if (currentBps > budgetBps && fit < current) {
            upSinceNs = NO_TIME;
            return fit;
        }
        if (up > current) {
            if (upSinceNs == NO_TIME) upSinceNs = nowNs;
            if (nowNs - upSinceNs >= UP_HOLD_NS) {
                upSinceNs = NO_TIME;
                return up;
            }
        } else {
            upSinceNs = NO_TIME;
        }
        return current;
    }

    /** Now on {@code newLayer} (called by the Producer as it moves this Consumer): renumber at the next packet. */
    void onSwitched(int newLayer, long nowNs) {
        layer = newLayer;
        generation = -1;
    }

    /**
     * Copies, rewrites and sends one packet of this Consumer's layer; {@code in} stays borrowed and unmodified.
     * {@code vp8} is its parsed VP8 payload descriptor, or null for another codec; {@code dd} its dependency
     * descriptor (read with its layer's structure, or only its mandatory fields before one came), or null for none.
     */
    void forward(RtpPacket in, Vp8Descriptor vp8, DependencyDescriptor dd, long nowNs) {
        int outPt = mapping.payloadType(in.payloadType());
        if (outPt == RtpMapping.NOT_NEGOTIATED) {
            room.counters().drop(RoomDrop.CODEC_NOT_NEGOTIATED);
            slot.countDrop();
            return;
        }
        ProducerLayer source = producer.layer(layer);
        if (generation != source.generation) {
            // generation >= 0: the layer's encoder restarted under a Consumer already forwarding it (a switch left
            // -1). Its decoder must not get the new stream's delta frames first: wait for its keyframe, as at a switch.
            if (generation >= 0 && !producer.startsKeyframe(in)) {
                room.counters().drop(RoomDrop.AWAITING_KEYFRAME);
                producer.awaitKeyframe(layer, nowNs);
                return;
            }
            resynchronise(in, vp8, dd, source.generation, nowNs);
        } else if (renumbered && !sinceResync(in.sequenceNumber())) {
            // NOTE: reordered packets of this source from before the switch packet would be numbered below it, on
            // numbers the previous source already used; the subscriber's decoder started at the switch anyway.
            room.counters().drop(RoomDrop.BEFORE_SWITCH);
            return;
        }
        int inSeq = in.sequenceNumber();
        boolean newest = SerialNumber.isNewer16(inSeq, highestSequenceIn);
        // The dependency descriptor, where it names the frame's template, decides; else VP8's TID.
        boolean layered = dd != null && dd.structure() != null;
        if (layered ? !keepsFrame(dd, in) : vp8 != null && vp8.temporalLayer() >= 0 && !keepsFrame(vp8, in.timestamp())) {
            leaveOut(inSeq, newest, vp8);
            return;
        }
        int shift = droppedSequences.isEmpty() ? 0 : droppedSequences.newerThan(inSeq);
        int pictureOut = vp8 == null ? -1 : pictureOut(vp8);
        if (shift == DroppedNumbers.DROPPED || pictureOut == DroppedNumbers.DROPPED) {
            // A duplicate, or a late packet, of a frame already left out.
            room.counters().drop(RoomDrop.TEMPORAL_LAYER);
            return;
        }
        if (shift < 0 || pictureOut == UNPLACEABLE) {
            room.counters().drop(RoomDrop.UNPLACEABLE_LATE);
            return;
        }
        if (newest) highestSequenceIn = inSeq;
        int length = in.length();
        SubscriberBwe bwe = slot.subscriber().bwe();
        ByteBuf out = room.allocator().heapBuffer(length + NUMBERING_ROOM + (dd != null ? ACTIVE_ROOM : 0) + Room.SRTP_TAIL_ROOM);
        int numbered = writeHeader(in, out, bwe);
        int payloadAt = out.writerIndex();
        out.writeBytes(in.buffer(), in.payloadOffset(), length - in.headerLength());
        int seq = (inSeq + sequenceOffset + shift) & 0xFFFF;
        long ts = (in.timestamp() + timestampOffset) & 0xFFFF_FFFFL;
        RtpPacket.rewriteHeader(out, out.readerIndex(), slot.ssrc(), seq, ts, outPt);
        if (in.hasExtension()) in.rewriteExtensionIdsInto(out, out.readerIndex(), mapping.extensionIds());
        if (numbered >= 0) number(out, numbered, in.hasTwoByteExtensions(), bwe);
        if (vp8 != null) rewriteVp8(out, payloadAt, vp8, pictureOut, newest);
        if (dd != null) rewriteDependencyDescriptor(in, out, dd, newest, true);
        lastPayloadType = outPt;
        slot.onSent(seq, ts, nowNs);
        slot.addPayloadBytes(in.payloadLength());
        if (sinceResync < LONG_AGO) sinceResync++;
        int size = out.readableBytes() + Room.SRTP_TAIL_ROOM;
        if (slot.subscriber().sender().sendRtp(out)) {
            if (numbered >= 0) {
                bwe.onSent(size, SentKind.MEDIA, nowNs);
                room.counters().rtpNumbered++;
            }
            room.counters().rtpForwarded++;
            room.counters().bytesForwarded += length;
        } else {
            room.counters().drop(RoomDrop.SEND_REFUSED);
            slot.countDrop();
        }
    }

    /** Room a copy may need for a transport-wide sequence number Junction adds: a new 8-byte block at most. */
    static final int NUMBERING_ROOM = 8;
    /** Flag in {@link #writeHeader}'s result: the publisher's own transport-cc element is reused. */
    private static final int REUSED = 1 << 30;

    /**
     * Writes {@code src}'s header into {@code out}, with room for the subscriber leg's transport-wide sequence number
     * when {@code bwe} is not null (issue 11): in place of the publisher's own (same size; the id map blanks it, and
     * {@link #number} gives it back the subscriber's id), else as an element added to the block
     * ({@link RtpPacket#writeHeaderWithExtension}). The caller appends the rest of the packet.
     *
     * @return where the number goes in {@code out} (with {@link #REUSED} set when it is the publisher's element), or
     *         -1 when the packet goes unnumbered (no transport-cc, or a block that cannot take the element)
     */
    private int writeHeader(RtpPacket src, ByteBuf out, SubscriberBwe bwe) {
        if (bwe != null) {
            int id = bwe.extensionId();
            int own = mapping.transportCcSourceId();
            long found = own > 0 ? src.findExtension(own) : RtpPacket.NOT_FOUND;
            if (found != RtpPacket.NOT_FOUND && RtpPacket.foundLength(found) == 2
                    && (src.hasTwoByteExtensions() || id <= RtpPacket.ONE_BYTE_MAX_ID)) {
                int at = out.writerIndex() + RtpPacket.foundOffset(found) - src.offset();
                out.writeBytes(src.buffer(), src.offset(), src.headerLength());
                return at | REUSED;
            }
            int at = src.writeHeaderWithExtension(out, id, 2);
            if (at >= 0) return at;
            room.counters().rtpUnnumbered++;
        }
        out.writeBytes(src.buffer(), src.offset(), src.headerLength());
        return -1;
    }

    /** Writes the next transport-wide sequence number where {@link #writeHeader} made room, after the id rewrite. */
    private static void number(ByteBuf out, int numbered, boolean twoByte, SubscriberBwe bwe) {
        int at = numbered & ~REUSED;
        if ((numbered & REUSED) != 0) {
            int id = bwe.extensionId();
            if (twoByte) {
                out.setByte(at - 2, id);
                out.setByte(at - 1, 2);
            } else {
                out.setByte(at - 1, (id << 4) | 1);
            }
        }
        bwe.number(out, at);
    }

    /**
     * Forwards a packet recovered late (an older sequence number) if this Consumer still needs it: it has started
     * on the current source at or before that packet. Sent with this Consumer's numbering, so the subscriber's
     * jitter buffer fills the hole; {@code in} stays borrowed.
     */
    void forwardLate(RtpPacket in, Vp8Descriptor vp8, DependencyDescriptor dd, long nowNs) {
        if (generation != producer.layer(layer).generation || !sinceResync(in.sequenceNumber())) return;
        forward(in, vp8, dd, nowNs);
    }

    // ---- temporal layers: VP8 picture id and TL0PICIDX, dependency descriptor frame numbers -----------------

    /** {@link #pictureOut}'s answer for a late picture id older than the drops remembered. */
    private static final int UNPLACEABLE = -2;

    /**
     * Whether the frame of this packet (RTP timestamp {@code ts}) is forwarded. Decided once per frame, at its first
     * packet to arrive: down to {@link #targetTemporal} at once; up only at a keyframe, or one layer at a time at a
     * layer-sync frame (Y: it refers only to temporal layer 0) of the layer just above, since a frame of a higher
     * layer may refer to an earlier frame of its layer that was left out. A late packet of a recent frame goes as its frame went; a frame
     * first seen late (all its packets were reordered behind a newer frame's) is forwarded when it can be decoded:
     * its layer is received, or it depends on layer 0 only. Its numbers were kept free for it, so forwarding it fills
     * the gap.
     */
    private boolean keepsFrame(Vp8Descriptor vp8, long ts) {
        int tid = vp8.temporalLayer();
        if (frameKnown) {
            long newest = newestFrameKey();
            if (ts == newest || ((ts - newest) & 0xFFFF_FFFFL) >= 0x8000_0000L) {
                int earlier = recalledFrame(ts);
                return earlier != UNKNOWN_FRAME ? earlier == KEPT_FRAME : tid <= activeTemporal || vp8.layerSync();
            }
        }
        if (vp8.keyframe()) {
            activeTemporal = targetTemporal;
        } else if (targetTemporal < activeTemporal) {
            activeTemporal = targetTemporal;
        } else if (targetTemporal > activeTemporal && vp8.layerSync() && tid == activeTemporal + 1) {
            // One layer at a time: a sync frame of layer 2 while layer 1 is left out would let layer 1's next frames,
            // which refer to the layer 1 frames left out, through.
            activeTemporal = tid;
        }
        boolean kept = tid <= activeTemporal;
        rememberFrame(ts, kept);
        return kept;
    }

    /**
     * The same decision for a frame named by its dependency descriptor (AV1 RTP specification, appendix A), keyed by
     * its frame number: it is forwarded when it belongs to the decode target of the temporal layer received
     * ({@link DependencyStructure#decodeTargetFor}: its indication there is not "not present"). Down at once; up at a
     * keyframe (the packet carries a structure, or starts a keyframe of the codec), or at a frame whose indication for
     * the higher layer's decode target is Switch (A.8.3: every later frame of that decode target depends only on it
     * and later ones), straight to the highest such layer up to the target. A frame first seen late goes when it
     * belongs to the decode target received.
     */
    private boolean keepsFrame(DependencyDescriptor dd, RtpPacket in) {
        DependencyStructure s = dd.structure();
        int number = dd.frameNumber();
        if (frameKnown) {
            long newest = newestFrameKey();
            if (number == newest || SerialNumber.isNewer16((int) newest, number)) {
                int earlier = recalledFrame(number);
                return earlier != UNKNOWN_FRAME ? earlier == KEPT_FRAME
                        : dd.dti(s.decodeTargetFor(activeTemporal)) != DependencyStructure.NOT_PRESENT;
            }
        }
        if (dd.hasStructure() || dd.startOfFrame() && producer.startsKeyframe(in)) {
            activeTemporal = targetTemporal;
        } else if (targetTemporal < activeTemporal) {
            activeTemporal = targetTemporal;
        } else if (targetTemporal > activeTemporal) {
            int current = s.decodeTargetTemporalId(s.decodeTargetFor(activeTemporal));
            for (int t = targetTemporal; t > activeTemporal; t--) {
                int dt = s.decodeTargetFor(t);
                if (s.decodeTargetTemporalId(dt) <= current) break; // no decode target above the one received
                if (dd.dti(dt) == DependencyStructure.SWITCH) {
                    activeTemporal = t;
                    break;
                }
            }
        }
        boolean kept = dd.dti(s.decodeTargetFor(activeTemporal)) != DependencyStructure.NOT_PRESENT;
        rememberFrame(number, kept);
        return kept;
    }

    /**
     * Writes the subscriber's frame number into the copy's dependency descriptor and, on the forwarding path
     * ({@code live}), the active decode targets it gets. Frame numbers run on across switches (libwebrtc's receiver
     * drops a structure whose frame is older than the one in force, and unwraps frame numbers into frame ids); the
     * frames left out for a temporal cap keep their numbers, as a gap: the receiver resolves each frame's references
     * as its frame number minus the template's frame diffs, which a cut would have to rewrite.
     *
     * <p>Active decode targets (A.8.2): what the publisher has active, narrowed to the decode targets of the temporal
     * layer its frame was decided with. When that differs from what the subscriber was last told (a new cap, a new
     * structure, which makes every decode target active again), it is told in every packet of the next
     * {@link #ACTIVE_REPEAT_FRAMES} frames forwarded, so one lost packet does not leave it with the old set: in place
     * where the packet sends a bitmask, else added to the descriptor ({@link #addActiveDecodeTargets}), as libwebrtc's
     * sender repeats a new bitmask.
     *
     * <p>NOTE: only the newest frame decided tells a change. A late, reordered or duplicated packet of an older frame
     * was decided under the temporal layer in force then; telling it the set of now would announce decode targets
     * for a frame that came before they were received (an older frame under a lower cap), and count a frame of the
     * window that is not a new one. A publisher's own bitmask in such a packet is narrowed with its frame's layer.
     */
    private void rewriteDependencyDescriptor(RtpPacket in, ByteBuf out, DependencyDescriptor dd, boolean newest, boolean live) {
        int id = producer.dependencyDescriptorId();
        if (mapping.extensionIds()[id] == 0) return;
        int at = out.readerIndex() + dd.dataOffset() - in.offset();
        DependencyStructure s = dd.structure();
        if (s != null) {
            int number = dd.frameNumber();
            boolean newestFrame = frameKnown && number == newestFrameKey();
            int temporal = newestFrame ? activeTemporal : recalledTemporal(number);
            int wanted = producer.layer(layer).dependencies().activeDecodeTargets() & s.decodeTargetsUpTo(temporal);
            int all = dd.decodeTargetCount() == 32 ? -1 : (1 << dd.decodeTargetCount()) - 1;
            if (live && newestFrame) {
                if (dd.hasStructure()) toldActiveDecodeTargets = all;
                if (wanted != toldActiveDecodeTargets) {
                    toldActiveDecodeTargets = wanted;
                    activeRepeatFrames = ACTIVE_REPEAT_FRAMES;
                    activeRepeatFrame = NO_FRAME;
                }
                if (number != activeRepeatFrame) {
                    // A new frame: the window counts frames, whichever of their packets comes first.
                    activeRepeatFrame = activeRepeatFrames > 0 ? number : NO_FRAME;
                    if (activeRepeatFrames > 0) activeRepeatFrames--;
                }
                // NOTE: before the frame number below: the descriptor is written again from the publisher's.
                if (number == activeRepeatFrame && !dd.hasActiveDecodeTargets()) addActiveDecodeTargets(in, out, at, dd, wanted);
            } else if (live && dd.hasStructure() && toldActiveDecodeTargets != all) {
                // A late or duplicated packet of an older keyframe: a receiver takes its structure again if no newer
                // came, which makes every decode target active, more than the subscriber gets now. It says no more
                // than its frame's set and today's, and the next frames tell today's again.
                wanted &= toldActiveDecodeTargets;
                activeRepeatFrames = ACTIVE_REPEAT_FRAMES;
                activeRepeatFrame = NO_FRAME;
                if (!dd.hasActiveDecodeTargets()) addActiveDecodeTargets(in, out, at, dd, wanted);
            }
            if (dd.hasActiveDecodeTargets()) dd.writeActiveDecodeTargets(out, at, wanted);
        }
        int frameOut = (dd.frameNumber() + frameNumberOffset) & 0xFFFF;
        DependencyDescriptor.writeFrameNumber(out, at, frameOut);
        if (newest && (!slot.hasFrameNumber() || !SerialNumber.isNewer16(slot.lastFrameNumber(), frameOut))) {
            slot.onFrameNumberSent(frameOut);
        }
    }

    /** Frames whose packets repeat a changed set of active decode targets. */
    static final int ACTIVE_REPEAT_FRAMES = 3;
    /** Room a copy may need to grow its descriptor by the active decode targets: 5 flag bits and 32 bits, in words. */
    static final int ACTIVE_ROOM = 8;
    private static final int NO_FRAME = -1;
    /** The active decode targets the subscriber was last told (a structure tells all), 0 before any. */
    private int toldActiveDecodeTargets;
    /** Frames of the window still to start, and the frame number of the one in it now ({@link #NO_FRAME}: none). */
    private int activeRepeatFrames;
    private int activeRepeatFrame = NO_FRAME;

    /**
     * Rewrites the copy's descriptor at {@code at} (the whole copy is written) to carry {@code mask} as its active
     * decode targets: the element grows by whole 32-bit words into the copy's spare room ({@link #ACTIVE_ROOM}), the
     * bytes after it move up, the gap left is padding (zero bytes, RFC 8285 §4.1), and the element's and the block's
     * lengths follow. A packet that cannot take it (the one-byte form's 16 bytes, or no spare room) goes as it is,
     * counted ({@code active_decode_targets_untold}); nothing is allocated.
     */
    private void addActiveDecodeTargets(RtpPacket in, ByteBuf out, int at, DependencyDescriptor dd, int mask) {
        int oldLength = dd.dataLength();
        int newLength = dd.lengthWithActiveDecodeTargets();
        boolean twoByte = in.hasTwoByteExtensions();
        int grow = Math.max(0, (newLength - oldLength + 3) & ~3);
        if (!twoByte && newLength > 16 || newLength > 255 || out.writableBytes() < grow + Room.SRTP_TAIL_ROOM) {
            room.counters().activeDecodeTargetsUntold++;
            return;
        }
        int end = out.writerIndex();
        for (int i = end - 1; i >= at + oldLength; i--) out.setByte(i + grow, out.getByte(i));
        out.writerIndex(end + grow);
        dd.writeWithActiveDecodeTargets(out, at, mask);
        out.setZero(at + newLength, oldLength + grow - newLength);
        if (twoByte) {
            out.setByte(at - 1, newLength);
        } else {
            out.setByte(at - 1, (out.getUnsignedByte(at - 1) & 0xF0) | (newLength - 1));
        }
        int blockLength = out.readerIndex() + in.extensionDataOffset() - in.offset() - 2;
        out.setShort(blockLength, out.getUnsignedShort(blockLength) + grow / 4);
    }

    /**
     * A resent packet's dependency descriptor, mandatory fields only (its frame number: the structure it was read with
     * may be gone), or null for none.
     */
    private DependencyDescriptor cachedDependencyDescriptor(RtpPacket cached) {
        int id = producer.dependencyDescriptorId();
        long found = id == 0 ? RtpPacket.NOT_FOUND : cached.findExtension(id);
        if (found == RtpPacket.NOT_FOUND) return null;
        DependencyDescriptor dd = room.flyweights().cachedDd;
        return dd.parse(cached.buffer(), RtpPacket.foundOffset(found), RtpPacket.foundLength(found), null)
                == DependencyDescriptor.NO_STRUCTURE ? dd : null;
    }

    /** Decisions remembered for late packets: a frame's packets are rarely reordered further than this. */
    private static final int RECENT_FRAMES = 16;
    private final long[] recentFrameKeys = new long[RECENT_FRAMES];
    private final boolean[] recentFramesKept = new boolean[RECENT_FRAMES];
    /** The temporal layer received when each recent frame was decided. */
    private final byte[] recentFramesTemporal = new byte[RECENT_FRAMES];
    private int recentFrame;
    /** {@link #recalledFrame}: the frame was decided and kept, decided and left out, or is not among the recent ones. */
    private static final int KEPT_FRAME = 1, LEFT_FRAME = 0, UNKNOWN_FRAME = -1;

    /** The key (VP8: RTP timestamp; dependency descriptor: frame number) of the newest frame decided; frameKnown only. */
    private long newestFrameKey() {
        return recentFrameKeys[(recentFrame + RECENT_FRAMES - 1) % RECENT_FRAMES];
    }

    /** How the recent frame {@code key} was decided: {@link #KEPT_FRAME}, {@link #LEFT_FRAME} or {@link #UNKNOWN_FRAME}. */
    private int recalledFrame(long key) {
        for (int i = 0; i < RECENT_FRAMES; i++) {
            if (recentFrameKeys[i] == key) return recentFramesKept[i] ? KEPT_FRAME : LEFT_FRAME;
        }
        return UNKNOWN_FRAME;
    }

    /**
     * The temporal layer received when the recent frame {@code key} was decided; for a frame not among them (first
     * seen late, or forgotten), the lowest of the recent frames' and the current one, as its own is not known.
     */
    private int recalledTemporal(long key) {
        int lowest = activeTemporal;
        for (int i = 0; i < RECENT_FRAMES; i++) {
            if (recentFrameKeys[i] == key) return recentFramesTemporal[i];
            if (recentFrameKeys[i] != -1) lowest = Math.min(lowest, recentFramesTemporal[i]);
        }
        return lowest;
    }

    /** Records the decision for the newest frame, {@code key}. */
    private void rememberFrame(long key, boolean kept) {
        frameKnown = true;
        recentFrameKeys[recentFrame] = key;
        recentFramesKept[recentFrame] = kept;
        recentFramesTemporal[recentFrame] = (byte) activeTemporal;
        recentFrame = (recentFrame + 1) % RECENT_FRAMES;
    }

    /**
     * Leaves out a packet of a temporal layer above the one it receives. The newest packet so far is cut out of the
     * numbering (sequence number, and the frame's picture id), so the subscriber sees no gap; a late one leaves its
     * number as a gap, nothing else can take it.
     */
    private void leaveOut(int inSeq, boolean newest, Vp8Descriptor vp8) {
        room.counters().drop(RoomDrop.TEMPORAL_LAYER);
        if (!newest) return;
        highestSequenceIn = inSeq;
        droppedSequences.add(inSeq);
        sequenceOffset = (sequenceOffset - 1) & 0xFFFF;
        if (vp8 == null) return; // VP9 or AV1: the dependency descriptor's frame numbers are not cut
        int picture = vp8.pictureId();
        if (picture >= 0 && vp8.pictureIdBits() == pictureBits
                && (highestPictureIn < 0 || droppedPictures.isNewer(picture, highestPictureIn))) {
            highestPictureIn = picture;
            droppedPictures.add(picture);
            pictureOffset = (pictureOffset - 1) & ((1 << pictureBits) - 1);
        }
    }

    /**
     * The subscriber's picture id for this packet's, -1 when it carries none (or one of another size than the
     * source began with), {@link #UNPLACEABLE} when it is too old to place, {@link DroppedNumbers#DROPPED} when its
     * frame was left out.
     */
    private int pictureOut(Vp8Descriptor vp8) {
        int picture = vp8.pictureId();
        if (picture < 0 || vp8.pictureIdBits() != pictureBits) return -1;
        int shift = droppedPictures.isEmpty() ? 0 : droppedPictures.newerThan(picture);
        if (shift == DroppedNumbers.DROPPED) return DroppedNumbers.DROPPED;
        if (shift < 0) return UNPLACEABLE;
        return (picture + pictureOffset + shift) & ((1 << pictureBits) - 1);
    }

    /** Writes the subscriber's picture id and TL0PICIDX into the copy's descriptor at {@code payloadAt}. */
    private void rewriteVp8(ByteBuf out, int payloadAt, Vp8Descriptor vp8, int pictureOut, boolean newest) {
        if (pictureOut >= 0) {
            Vp8Descriptor.writePictureId(out, payloadAt + vp8.pictureIdOffset(), pictureBits, pictureOut);
            if (highestPictureIn < 0 || droppedPictures.isNewer(vp8.pictureId(), highestPictureIn)) highestPictureIn = vp8.pictureId();
        }
        int tl0 = vp8.tl0PicIdx();
        int tl0Out = tl0 < 0 ? -1 : (tl0 + tl0Offset) & 0xFF;
        if (tl0 >= 0) Vp8Descriptor.writeTl0PicIdx(out, payloadAt + vp8.tl0PicIdxOffset(), tl0Out);
        if (newest) slot.onVp8Sent(pictureOut, tl0Out);
    }

    /** The temporal layer it receives now ({@link #MAX_TEMPORAL_LAYER}: all). */
    public int temporalLayer() {
        return activeTemporal;
    }

    /** The temporal layer it is about to receive. */
    public int targetTemporalLayer() {
        return targetTemporal;
    }

    /** Whether source sequence number {@code seq} is from this Consumer's current numbering (not before its last switch). */
    private boolean sinceResync(int seq) {
        return sinceResync >= LONG_AGO || !SerialNumber.isNewer16(epochFirstSequenceNumber, seq);
    }

    /**
     * Resends the packet this slot sent with sequence number {@code outSeq}, from the layer's cache: as RTX
     * (RFC 4588 §4: own SSRC, payload type and numbering, the original sequence number in the first two payload
     * bytes) when the slot negotiated RTX for the codec, else as the same packet again. A packet this loop's
     * cache lacks is asked of the upstream (a pipe's home loop), which forwards it late when it has it.
     *
     * @return false when the packet is not cached here, or is from before this Consumer's current source
     */
    boolean retransmit(int outSeq, long nowNs) {
        if (layer < 0) return false;
        ProducerLayer source = producer.layer(layer);
        int inSeq = droppedSequences.isEmpty() ? (outSeq - sequenceOffset) & 0xFFFF : droppedSequences.original(outSeq - sequenceOffset);
        if (inSeq < 0 || source.cache == null || generation != source.generation || !sinceResync(inSeq)) {
            return false;
        }
        RtpPacket cached = room.flyweights().cached;
        if (!source.cache.find(inSeq, source.ssrc, nowNs, cached)) {
            // Only what the upstream's cache may still hold is asked for: one request per recent number, never a
            // storm of old ones (a subscriber NACKing numbers long gone).
            int age = SerialNumber.diff16(slot.lastSequenceNumber(), outSeq);
            if (age >= 0 && age < RetransmissionCache.CAPACITY && producer.requestRepair(layer, inSeq)) {
                room.counters().repairsRequested++;
            }
            return false;
        }
        int outPt = mapping.payloadType(cached.payloadType());
        if (outPt == RtpMapping.NOT_NEGOTIATED) return false;
        Vp8Descriptor vp8 = producer.vp8Descriptor(cached, room.flyweights().cachedVp8);
        int pictureOut = vp8 == null ? -1 : pictureOut(vp8);
        if (pictureOut == UNPLACEABLE || pictureOut == DroppedNumbers.DROPPED) return false;
        long ts = (cached.timestamp() + timestampOffset) & 0xFFFF_FFFFL;
        int rtxPt = mapping.rtxPayloadType(outPt);
        long rtxSsrc = slot.rtxSsrc();
        SubscriberBwe bwe = slot.subscriber().bwe();
        ByteBuf out;
        int numbered;
        int payloadAt = -1;
        if (rtxPt != RtpMapping.NOT_NEGOTIATED && rtxSsrc >= 0) {
            // RTX payload: OSN, then the original payload; the original padding is not repeated.
            int payload = cached.payloadLength();
            out = room.allocator().heapBuffer(cached.headerLength() + NUMBERING_ROOM + 2 + payload + Room.SRTP_TAIL_ROOM);
            numbered = writeHeader(cached, out, bwe);
            out.writeShort(outSeq);
            if (vp8 != null) payloadAt = out.writerIndex();
            out.writeBytes(cached.buffer(), cached.payloadOffset(), payload);
            out.setByte(0, out.getByte(0) & ~0x20);
            RtpPacket.rewriteHeader(out, out.readerIndex(), rtxSsrc, slot.nextRtxSequenceNumber(), ts, rtxPt);
        } else {
            out = room.allocator().heapBuffer(cached.length() + NUMBERING_ROOM + Room.SRTP_TAIL_ROOM);
            numbered = writeHeader(cached, out, bwe);
            if (vp8 != null) payloadAt = out.writerIndex();
            out.writeBytes(cached.buffer(), cached.payloadOffset(), cached.length() - cached.headerLength());
            RtpPacket.rewriteHeader(out, out.readerIndex(), slot.ssrc(), outSeq, ts, outPt);
        }
        if (cached.hasExtension()) cached.rewriteExtensionIdsInto(out, out.readerIndex(), mapping.extensionIds());
        if (numbered >= 0) number(out, numbered, cached.hasTwoByteExtensions(), bwe);
        if (vp8 != null) rewriteVp8(out, payloadAt, vp8, pictureOut, false);
        DependencyDescriptor dd = cachedDependencyDescriptor(cached);
        if (dd != null) rewriteDependencyDescriptor(cached, out, dd, false, false);
        slot.onRetransmitted();
        int size = out.readableBytes() + Room.SRTP_TAIL_ROOM;
        if (slot.subscriber().sender().sendRtp(out)) {
            if (numbered >= 0) {
                bwe.onSent(size, SentKind.RETRANSMISSION, nowNs);
                room.counters().rtpNumbered++;
            }
            room.counters().retransmissions++;
            return true;
        }
        room.counters().drop(RoomDrop.SEND_REFUSED);
        return false;
    }

    /**
     * Sends one padding-only packet of {@code paddingBytes} (1-255) on this slot's RTX stream, numbered for the
     * subscriber's transport-cc: the filler of a bandwidth probe (as libwebrtc pads on RTX; a receiver discards an
     * RTX packet without payload). False when the slot has no RTX, has sent nothing yet, or the packet was refused.
     */
    boolean sendPadding(int paddingBytes, long nowNs) {
        SubscriberBwe bwe = slot.subscriber().bwe();
        long rtxSsrc = slot.rtxSsrc();
        int rtxPt = lastPayloadType < 0 ? RtpMapping.NOT_NEGOTIATED : mapping.rtxPayloadType(lastPayloadType);
        if (bwe == null || rtxSsrc < 0 || rtxPt == RtpMapping.NOT_NEGOTIATED || !slot.hasSent()) return false;
        int id = bwe.extensionId();
        int padding = Math.clamp(paddingBytes, 1, 255);
        ByteBuf out = room.allocator().heapBuffer(RtpPacket.FIXED_HEADER_LENGTH + NUMBERING_ROOM + padding + Room.SRTP_TAIL_ROOM);
        out.writeByte(0xB0); // V=2, P, X
        out.writeByte(rtxPt);
        out.writeShort(slot.nextRtxSequenceNumber());
        out.writeInt((int) slot.lastTimestamp());
        out.writeInt((int) rtxSsrc);
        int at;
        if (id <= RtpPacket.ONE_BYTE_MAX_ID) {
            out.writeShort(RtpPacket.PROFILE_ONE_BYTE).writeShort(1).writeByte((id << 4) | 1);
            at = out.writerIndex();
            out.writeZero(3);
        } else {
            out.writeShort(RtpPacket.PROFILE_TWO_BYTE).writeShort(1).writeByte(id).writeByte(2);
            at = out.writerIndex();
            out.writeZero(2);
        }
        bwe.number(out, at);
        out.writeZero(padding - 1);
        out.writeByte(padding);
        int size = out.readableBytes() + Room.SRTP_TAIL_ROOM;
        if (!slot.subscriber().sender().sendRtp(out)) return false;
        bwe.onSent(size, SentKind.PADDING, nowNs);
        room.counters().rtpNumbered++;
        room.counters().paddingSent++;
        return true;
    }

    /**
     * The RTP time of this slot at {@code nowNs} for its Sender Report, or -1 while the current source's mapping
     * is unknown (no Sender Report from the publisher yet, or nothing forwarded since a switch).
     */
    long senderReportTimestamp(long nowNs) {
        if (!slot.hasSent() || layer < 0 || generation != producer.layer(layer).generation) return -1;
        long source = producer.rtpTimestampAt(layer, nowNs);
        return source < 0 ? -1 : (source + timestampOffset) & 0xFFFF_FFFFL;
    }

    /** A keyframe of the layer this subscriber receives (or is about to), counted under {@code cause}. */
    void requestKeyframe(KeyframeCause cause, long nowNs) {
        producer.requestKeyframe(layer >= 0 ? layer : targetLayer, cause, nowNs);
    }

    private void resynchronise(RtpPacket in, Vp8Descriptor vp8, DependencyDescriptor dd, int sourceGeneration, long nowNs) {
        generation = sourceGeneration;
        epochFirstSequenceNumber = in.sequenceNumber();
        highestSequenceIn = (in.sequenceNumber() - 1) & 0xFFFF;
        sinceResync = 0;
        renumbered = slot.hasSent();
        // Starts at a keyframe (or on a fresh slot): every temporal layer it should have is decodable from here.
        activeTemporal = targetTemporal;
        frameKnown = false;
        java.util.Arrays.fill(recentFrameKeys, -1);
        droppedSequences.clear(16);
        pictureBits = vp8 == null || vp8.pictureId() < 0 ? 0 : vp8.pictureIdBits();
        droppedPictures.clear(pictureBits == 0 ? 15 : pictureBits);
        highestPictureIn = -1;
        // The subscriber's picture ids and TL0PICIDX go on from the slot's last (a keyframe is a TL0 frame).
        pictureOffset = pictureBits == 0 || !slot.hasPictureId() ? 0
                : (slot.lastPictureId() + 1 - vp8.pictureId()) & ((1 << pictureBits) - 1);
        tl0Offset = vp8 == null || vp8.tl0PicIdx() < 0 || !slot.hasTl0PicIdx() ? 0 : (slot.lastTl0PicIdx() + 1 - vp8.tl0PicIdx()) & 0xFF;
        // Dependency descriptor frame numbers go on from the slot's last too: a new source's structure must come
        // with a newer frame than the old one's, or libwebrtc's receiver drops it.
        frameNumberOffset = dd == null || !slot.hasFrameNumber() ? 0 : (slot.lastFrameNumber() + 1 - dd.frameNumber()) & 0xFFFF;
        if (!slot.hasSent()) {
            // A fresh slot keeps the source's own numbering.
            sequenceOffset = 0;
            timestampOffset = 0;
            return;
        }
        room.counters().sourceSwitches++;
        int nextSeq = (slot.lastSequenceNumber() + 1) & 0xFFFF;
        // Clamped to an hour so the product below cannot overflow; beyond that any jump is plausible.
        long elapsedUs = Math.min(Math.max(0, nowNs - slot.lastSentNs()) / 1_000, 3_600_000_000L);
        long clockRate = mapping.clockRate(in.payloadType());
        long deltaTicks = Math.max(1, elapsedUs * clockRate / 1_000_000);
        long nextTs = (slot.lastTimestamp() + deltaTicks) & 0xFFFF_FFFFL;
        sequenceOffset = (nextSeq - in.sequenceNumber()) & 0xFFFF;
        timestampOffset = (nextTs - in.timestamp()) & 0xFFFF_FFFFL;
    }

    @Override
    public String toString() {
        return "Consumer[" + producer + " layer " + layer + " -> " + slot + "]";
    }
}
