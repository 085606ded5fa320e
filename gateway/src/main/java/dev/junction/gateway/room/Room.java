package dev.junction.gateway.room;

import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.transport.MediaSender;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * A routing table of Producers and Consumers on one media loop (what mediasoup calls a Router, DESIGN §1):
 * publishers add Producers, subscribers bring {@link Slot}s, and the room binds Producers to slots. A room that
 * spans loops has one {@code Room} on each loop that has a member: its publishers' Producers live on its home
 * loop, and every other loop holds piped copies of them ({@link #addPipedProducer}) fed by a pipe.
 *
 * <p>Slot assignment (DESIGN §4): a subscriber's offer fixes its audio and video slots. Each free slot takes the
 * earliest-joined Producer of its kind that the subscriber does not already receive and whose codec it
 * negotiated. A filled slot keeps its Producer until that Producer's publisher leaves; then the slot is free and
 * is refilled at once if another Producer is waiting. Nothing is renegotiated: a slot's SSRC never changes, and
 * its Consumer rewrites the source's numbering (see {@link Consumer}). Every new binding asks for a keyframe.
 *
 * <p>Sans-IO (DESIGN §3.1): time comes in as {@code nowNs} ({@link System#nanoTime()} scale, compared by
 * difference so it survives wrap-around); the timers (coalesced keyframe requests, NACKs and Receiver Reports to
 * publishers, Sender Reports to subscribers, every {@link #REPORT_INTERVAL_NS}) are polled with
 * {@link #nextTimeoutNs()} and fired with {@link #handleTimeout(long)}; a deadline that moves earlier is
 * announced through {@link #wakeAt} to the loop's one timer.
 *
 * <p>Threading: a room lives on one event loop, its single writer (DESIGN §3.2); every method must be called
 * there, so there are no locks.
 *
 * <p>Buffers: ingress packets are borrowed for the call. Each Consumer allocates its egress copy from
 * {@link #allocator()} and hands it to a {@link MediaSender}, which owns it from then on. The only buffers a room
 * keeps are the copies in its Producers' retransmission caches, released when their Producer leaves: remove
 * every publisher, or call {@link #close(long)}, before dropping a room.
 */
public final class Room {
    /** Tail room every outgoing packet gets for the SRTP authentication tag (up to 16 bytes, RFC 7714). */
    public static final int SRTP_TAIL_ROOM = 16;
    /** Spacing of the RTCP reports the room sends on every leg (RFC 3550 §6.2 allows less; browsers use 1 s). */
    public static final long REPORT_INTERVAL_NS = 1_000_000_000L;
    /**
     * Reports are due on a grid of this step, so that the many sessions of a loop share timer firings instead of
     * each having its own phase (a loop's timer then wakes at most ten times a second for reports).
     */
    static final long REPORT_GRID_NS = 100_000_000L;
    /** Seconds from the NTP epoch (1900) to the Unix epoch (1970), RFC 868. */
    private static final long NTP_UNIX_OFFSET_S = 2_208_988_800L;

    /** What the room's owner (its loop) hears about; every method on the room's loop. */
    public interface Listener {
        Listener NONE = room -> { };

        /** The last publisher or subscriber left; the owner decides when to remove the room. */
        void onEmpty(Room room);

        /** A publisher's Producer joined (on its home loop): pipes announce it to other loops. */
        default void onProducerAdded(Room room, Producer producer) {
        }

        /** A publisher's Producer left (on its home loop). */
        default void onProducerRemoved(Room room, Producer producer) {
        }
    }

    // Passed by argument.
    private final String name;
    private final ByteBufAllocator allocator;
    private final Listener listener;
    private LongConsumer wakeAt = deadline -> { };

    // Allocated by this.
    private final Flyweights flyweights = new Flyweights();
    private final RoomCounters counters = new RoomCounters();
    private final SplittableRandom random;
    /** Unix time in ns minus {@code nowNs}: turns the monotonic clock into the wall clock for SR NTP times. */
    private final long unixOffsetNs;

    // State, on the loop.
    private final List<Publisher> publishers = new ArrayList<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    /** Every Producer in join order, the publishers' and the piped ones: the order slots are filled in. */
    private final List<Producer> producers = new ArrayList<>();
    private long joins;

    /** A room whose {@code nowNs} values come from {@link System#nanoTime()}. */
    public Room(String name, ByteBufAllocator allocator, Listener listener) {
        this(name, allocator, listener, new SplittableRandom(), System.currentTimeMillis() * 1_000_000L - System.nanoTime());
    }

    /**
     * As above, with the source of the publishers' feedback SSRCs fixed and {@code unixOffsetNs}, the wall clock
     * (ns since 1970) minus the {@code nowNs} clock, given (tests).
     */
    public Room(String name, ByteBufAllocator allocator, Listener listener, SplittableRandom random, long unixOffsetNs) {
        this.unixOffsetNs = unixOffsetNs;
        this.name = Objects.requireNonNull(name, "name");
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.random = Objects.requireNonNull(random, "random");
    }

    public String name() {
        return name;
    }

    /** Where the room announces deadlines that moved earlier: its loop's timer ({@code MediaLoop.wakeAt}). */
    public void setWakeAt(LongConsumer wakeAt) {
        this.wakeAt = Objects.requireNonNull(wakeAt, "wakeAt");
    }

    void wakeAt(long deadlineNs) {
        wakeAt.accept(deadlineNs);
    }

    // ---- members -----------------------------------------------------------------------------------------------

    /**
     * Adds a WHIP session on its home loop: one Producer per receiving audio/video m-section of {@code session}.
     * Free slots of current subscribers pick the new Producers up at once. {@code sender} is the publisher's
     * transport, used for its RTCP (reports, NACKs, keyframe requests).
     */
    public Publisher addPublisher(NegotiatedSession session, MediaSender sender, long nowNs) {
        long feedbackSsrc = 1 + random.nextLong(0xFFFF_FFFEL);
        Publisher p = new Publisher(this, session, sender, feedbackSsrc, joins++, nowNs);
        publishers.add(p);
        p.startReports(nowNs);
        for (Producer added : p.producerList()) {
            insertInJoinOrder(added);
            listener.onProducerAdded(this, added);
        }
        assignSlots(nowNs);
        return p;
    }

    /**
     * Adds this loop's copy of another loop's Producer (fed by a pipe; its requests go to {@code upstream}). It is
     * kept in its join order, so every loop fills slots alike whatever order it learns of Producers in.
     */
    public Producer addPipedProducer(ProducerInfo info, Producer.Upstream upstream, long nowNs) {
        Producer p = new Producer(this, info.id(), info.publisherKey(), info.media(), info.index(), info.joinOrder(), true, upstream);
        insertInJoinOrder(p);
        assignSlots(nowNs);
        return p;
    }

    /** Removes a piped Producer (its publisher left): its slots are freed and refilled from the rest. */
    public void removePipedProducer(Producer producer, long nowNs) {
        if (!producer.piped() || !producers.contains(producer)) return;
        detach(producer);
        assignSlots(nowNs);
        reportIfEmpty();
    }

    /**
     * One packet of piped Producer {@code producer}, as its pipe hands it over (tagged with its layer on the home
     * loop, so nothing is learnt here): forwarded as on the home loop. {@code packet}'s readable bytes are the RTP
     * packet; borrowed.
     */
    public void handlePipedRtp(Producer producer, int layer, io.netty.buffer.ByteBuf packet, boolean repair, long nowNs) {
        counters.rtpPipedIn++;
        if (producer.closed()) {
            counters.drop(RoomDrop.PIPED_PRODUCER_GONE);
            return;
        }
        if (layer < 0 || layer >= producer.layerCount() || !flyweights.ingress.wrap(packet, packet.readerIndex(), packet.readableBytes())) {
            counters.drop(RoomDrop.MALFORMED_RTP);
            return;
        }
        if (repair) producer.onRepair(layer, flyweights.ingress, nowNs);
        else producer.onRtp(layer, flyweights.ingress, nowNs);
    }

    /** A piped packet whose Producer this loop no longer (or not yet) has: dropped and counted. */
    public void dropPipedPacketOfUnknownProducer() {
        counters.rtpPipedIn++;
        counters.drop(RoomDrop.PIPED_PRODUCER_GONE);
    }

    /** The publisher's Sender Report for piped Producer {@code producer}'s {@code layer}, relayed by its pipe. */
    public void handlePipedSenderReport(Producer producer, int layer, long rtpTimestamp, long atNs) {
        if (layer >= 0 && layer < producer.layerCount()) producer.onSenderReport(layer, rtpTimestamp, atNs);
    }

    /** Asks for a keyframe of this loop's Producer {@code producerId} (a piped copy asked on another loop). */
    public void requestKeyframe(int producerId, int layer, long nowNs) {
        Producer p = producerById(producerId);
        if (p != null) p.requestKeyframe(layer, KeyframeCause.PIPE, nowNs);
    }

    /**
     * Hands the cached packet {@code seq} of Producer {@code producerId}'s {@code layer} to {@code tap} as a repair
     * (another loop's pipe lost it); false when it is not cached here.
     */
    public boolean repair(int producerId, int layer, int seq, Producer.Tap tap, long nowNs) {
        Producer p = producerById(producerId);
        if (p == null || layer < 0 || layer >= p.layerCount()) return false;
        ProducerLayer l = p.layer(layer);
        if (l.cache == null || !l.cache.find(seq, l.ssrc, nowNs, flyweights.cached)) return false;
        tap.onRtp(p, layer, flyweights.cached.buffer(), true);
        return true;
    }

    private void insertInJoinOrder(Producer added) {
        int at = producers.size();
        while (at > 0 && producers.get(at - 1).joinOrder() > added.joinOrder()) at--;
        producers.add(at, added);
    }

    /**
     * Adds a WHEP session: one slot per sending audio/video m-section of {@code session} that got a
     * {@code SendStream} while answering (see {@link SlotSsrcAllocator}), filled from the room's Producers now.
     * {@code sender} is the subscriber's transport; it may refuse packets until connected.
     */
    public Subscriber addSubscriber(NegotiatedSession session, MediaSender sender, long nowNs) {
        Subscriber s = new Subscriber(this, session, sender, nowNs);
        subscribers.add(s);
        s.startReports(nowNs);
        assign(s, nowNs);
        return s;
    }

    /** Removes a publisher: its Producers leave, their slots are freed and refilled from the rest. */
    public void removePublisher(Publisher publisher, long nowNs) {
        if (!publishers.remove(publisher)) return;
        publisher.close();
        for (Producer p : publisher.producerList()) {
            detach(p);
            listener.onProducerRemoved(this, p);
        }
        assignSlots(nowNs);
        reportIfEmpty();
    }

    private void detach(Producer p) {
        producers.remove(p);
        for (Consumer c : p.close()) c.slot().unbind();
    }

    /** Removes a subscriber: its Consumers are detached from their Producers. */
    public void removeSubscriber(Subscriber subscriber, long nowNs) {
        if (!subscribers.remove(subscriber)) return;
        for (Slot slot : subscriber.slotList()) {
            Consumer c = slot.consumer();
            if (c != null) {
                c.producer().removeConsumer(c);
                slot.unbind();
            }
        }
        reportIfEmpty();
    }

    /**
     * Removes everyone (shutdown, or a room dropped by its owner): frees the Producers' retransmission caches,
     * the only buffers a room keeps. Reports empty as usual.
     */
    /** Tells every member's peer with an RTCP BYE that its streams end ({@code reason}, at most 255 bytes of UTF-8). */
    public void sayGoodbye(String reason) {
        byte[] text = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (Subscriber s : subscribers) s.sayGoodbye(text);
        for (Publisher p : publishers) p.sayGoodbye(text);
    }

    public void close(long nowNs) {
        for (Subscriber s : List.copyOf(subscribers)) removeSubscriber(s, nowNs);
        for (Publisher p : List.copyOf(publishers)) removePublisher(p, nowNs);
        for (Producer p : List.copyOf(producers)) detach(p);
    }

    private void reportIfEmpty() {
        if (isEmpty()) listener.onEmpty(this);
    }

    /** Whether no publisher and no subscriber is in the room. */
    public boolean isEmpty() {
        return publishers.isEmpty() && subscribers.isEmpty();
    }

    private void assignSlots(long nowNs) {
        for (int i = 0, n = subscribers.size(); i < n; i++) assign(subscribers.get(i), nowNs);
    }

    /** Fills the free slots of {@code subscriber} in slot order from the Producers in join order. */
    private void assign(Subscriber subscriber, long nowNs) {
        for (Slot slot : subscriber.slotList()) {
            if (slot.consumer() != null) continue;
            for (Producer producer : producers) {
                if (producer.kind() != slot.kind() || receives(subscriber, producer)) continue;
                RtpMapping mapping = RtpMapping.between(producer.media(), slot.media().codecs(), slot.media().headerExtensions());
                if (!mapping.anyCodec()) continue;
                Consumer c = new Consumer(this, slot, producer, mapping);
                slot.bind(c);
                producer.addConsumer(c, nowNs);
                break;
            }
        }
    }

    private static boolean receives(Subscriber subscriber, Producer producer) {
        for (Slot s : subscriber.slotList()) {
            if (s.producer() == producer) return true;
        }
        return false;
    }

    // ---- timers -----------------------------------------------------------------------------------------------

    /**
     * The earliest deadline of the room's timers (coalesced keyframe requests, NACKs, RTCP reports), or
     * {@link Long#MAX_VALUE} when none is armed.
     */
    public long nextTimeoutNs() {
        long next = Long.MAX_VALUE;
        for (int i = 0, n = publishers.size(); i < n; i++) next = earlier(next, publishers.get(i).nextTimeoutNs());
        for (int i = 0, n = subscribers.size(); i < n; i++) next = earlier(next, subscribers.get(i).nextTimeoutNs());
        return next;
    }

    /** When a report first due {@link #REPORT_INTERVAL_NS} after {@code nowNs} is due: that, rounded up to the grid. */
    static long nextReportAfter(long nowNs) {
        return onReportGrid(nowNs + REPORT_INTERVAL_NS);
    }

    /** {@code ns} rounded up to the next point of the {@link #REPORT_GRID_NS} grid. */
    static long onReportGrid(long ns) {
        long past = Math.floorMod(ns, REPORT_GRID_NS);
        return past == 0 ? ns : ns + (REPORT_GRID_NS - past);
    }

    static long earlier(long a, long b) {
        if (a == Long.MAX_VALUE) return b;
        return b == Long.MAX_VALUE || a - b <= 0 ? a : b;
    }

    /** Fires every timer due at {@code nowNs}. */
    public void handleTimeout(long nowNs) {
        for (int i = 0, n = publishers.size(); i < n; i++) publishers.get(i).handleTimeout(nowNs);
        for (int i = 0, n = subscribers.size(); i < n; i++) subscribers.get(i).handleTimeout(nowNs);
    }

    /** The 64-bit NTP timestamp (RFC 5905 §6: seconds since 1900, 32-bit binary fraction) of {@code nowNs}. */
    long ntpTimestamp(long nowNs) {
        long unixNs = nowNs + unixOffsetNs;
        long seconds = Math.floorDiv(unixNs, 1_000_000_000L);
        long fractionNs = Math.floorMod(unixNs, 1_000_000_000L);
        return ((seconds + NTP_UNIX_OFFSET_S) << 32) | ((fractionNs << 32) / 1_000_000_000L);
    }

    // ---- state ------------------------------------------------------------------------------------------------

    public List<Publisher> publishers() {
        return List.copyOf(publishers);
    }

    public List<Subscriber> subscribers() {
        return List.copyOf(subscribers);
    }

    /** Every Producer in join order. */
    public List<Producer> producers() {
        return List.copyOf(producers);
    }

    /** The Producers of this room's own publishers (home loop), in join order. */
    public List<Producer> publishedProducers() {
        List<Producer> out = new ArrayList<>();
        for (Publisher p : publishers) out.addAll(p.producerList());
        return out;
    }

    /** The Producer with id {@code id} on this loop, or null. */
    public Producer producerById(int id) {
        for (int i = 0, n = producers.size(); i < n; i++) {
            if (producers.get(i).id() == id) return producers.get(i);
        }
        return null;
    }

    public RoomCounters counters() {
        return counters;
    }

    ByteBufAllocator allocator() {
        return allocator;
    }

    /** The parsers the room's sessions share. */
    Flyweights flyweights() {
        return flyweights;
    }

    @Override
    public String toString() {
        return "Room[" + name + " publishers=" + publishers.size() + " subscribers=" + subscribers.size()
                + " producers=" + producers.size() + "]";
    }
}
