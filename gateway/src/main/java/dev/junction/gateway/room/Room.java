package dev.junction.gateway.room;

import dev.junction.codec.rtcp.FullIntraRequest;
import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.PictureLossIndication;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.SenderReport;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.transport.MediaSender;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A routing table of Producers and Consumers (what mediasoup calls a Router, DESIGN §1): publishers add
 * Producers, subscribers bring {@link Slot}s, and the room binds Producers to slots.
 *
 * <p>Slot assignment (DESIGN §4): a subscriber's offer fixes its audio and video slots. Each free slot
 * takes the earliest-joined Producer of its kind that the subscriber does not already receive and whose
 * codec it negotiated. A filled slot keeps its Producer until that Producer's publisher leaves; then the
 * slot is free and is refilled at once if another Producer is waiting. Nothing is renegotiated: a slot's
 * SSRC never changes, and its Consumer rewrites the source's numbering (see {@link Consumer}). Every new
 * binding asks the Producer for a keyframe.
 *
 * <p>Sans-IO (DESIGN §3.1): time comes in as {@code nowNs} ({@link System#nanoTime()} scale, compared by
 * difference so it survives wrap-around); the timers (coalesced keyframe requests, NACKs to publishers, Receiver Reports to
 * publishers, Sender Reports to subscribers, every {@link #REPORT_INTERVAL_NS}) are polled with
 * {@link #nextTimeoutNs()} and fired with {@link #handleTimeout(long)}.
 *
 * <p>Threading: a room lives on one event loop, its single writer (DESIGN §3.2); every method must be
 * called there, so there are no locks. The control plane submits tasks to that loop.
 *
 * <p>Buffers: ingress packets are borrowed for the call. Each Consumer allocates its egress copy from
 * {@link #allocator()} and hands it to a {@link MediaSender}, which owns it from then on. The only buffers
 * a room keeps are the copies in its video Producers' {@link RetransmissionCache}s, released when their
 * publisher is removed: remove every publisher, or call {@link #close(long)}, before dropping a room.
 */
public final class Room {
    /** Tail room every outgoing packet gets for the SRTP authentication tag (up to 16 bytes, RFC 7714). */
    public static final int SRTP_TAIL_ROOM = 16;
    /** Spacing of the RTCP reports the room sends on every leg (RFC 3550 §6.2 allows less; browsers use 1 s). */
    public static final long REPORT_INTERVAL_NS = 1_000_000_000L;
    /** Seconds from the NTP epoch (1900) to the Unix epoch (1970), RFC 868. */
    private static final long NTP_UNIX_OFFSET_S = 2_208_988_800L;

    /** Told when the last publisher or subscriber has left; the owner decides when to remove the room. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = room -> { };

        void onEmpty(Room room);
    }

    // Passed by argument.
    private final String name;
    private final ByteBufAllocator allocator;
    private final Listener listener;

    // Allocated by this: flyweights shared by all sessions of the room, which all run on its loop.
    private final RtpPacket ingressPacket = new RtpPacket();
    private final RtpPacket egressPacket = new RtpPacket();
    private final RtpPacket cachedPacket = new RtpPacket();
    private final RtpPacket recoveredPacket = new RtpPacket();
    private final GenericNack nack = new GenericNack();
    private final RtcpCompound compound = new RtcpCompound();
    private final PictureLossIndication pli = new PictureLossIndication();
    private final FullIntraRequest fir = new FullIntraRequest();
    private final RoomCounters counters = new RoomCounters();
    private final SplittableRandom random;
    private final SenderReport senderReport = new SenderReport();
    /** Unix time in ns minus {@code nowNs}: turns the monotonic clock into the wall clock for SR NTP times. */
    private final long unixOffsetNs;

    // State, on the loop.
    private final List<Publisher> publishers = new ArrayList<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    /** Every Producer in join order: the order slots are filled in. */
    private final List<Producer> producers = new ArrayList<>();
    private long joins;

    /** A room whose {@code nowNs} values come from {@link System#nanoTime()}. */
    public Room(String name, ByteBufAllocator allocator, Listener listener) {
        this(name, allocator, listener, new SplittableRandom(),
                System.currentTimeMillis() * 1_000_000L - System.nanoTime());
    }

    /**
     * As above, with the source of the publishers' feedback SSRCs fixed and {@code unixOffsetNs}, the wall
     * clock (ns since 1970) minus the {@code nowNs} clock, given (tests).
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

    /**
     * Adds a WHIP session: one Producer per receiving audio/video m-section of {@code session}. Free slots
     * of current subscribers pick the new Producers up at once. {@code sender} is the publisher's transport,
     * used for keyframe requests.
     */
    public Publisher addPublisher(NegotiatedSession session, MediaSender sender, long nowNs) {
        long feedbackSsrc = 1 + random.nextLong(0xFFFF_FFFEL);
        return addPublisher(session, sender, feedbackSsrc, joins++, null, nowNs);
    }

    /**
     * As {@link #addPublisher(NegotiatedSession, MediaSender, long)}, with the publisher's place in the join
     * order and its feedback SSRC given, for a room spread over several event loops (one {@code Room} per
     * loop). The loop that owns the publisher's transport adds the publisher itself; every other loop adds a
     * <em>relayed</em> copy ({@code relay} not null) fed with the same decrypted packets: it forwards to that
     * loop's subscribers and answers their NACKs from its own cache, asks for keyframes through {@code relay}
     * (so that one rate limit and one FIR sequence serve the publisher), and sends nothing upstream itself:
     * no NACKs, no Receiver Reports, and its counters are its own, not the room's (the publisher's own loop
     * counts). Producers are kept in {@code joinOrder} whatever order the loops learn about them, so every
     * loop fills slots alike.
     */
    public Publisher addPublisher(NegotiatedSession session, MediaSender sender, long feedbackSsrc, long joinOrder,
            Publisher.KeyframeRelay relay, long nowNs) {
        Publisher p = new Publisher(this, session, sender, feedbackSsrc, joinOrder, relay);
        publishers.add(p);
        p.startReports(nowNs);
        for (Producer added : p.producerList()) {
            int at = producers.size();
            while (at > 0 && producers.get(at - 1).joinOrder() > added.joinOrder()) at--;
            producers.add(at, added);
        }
        assignSlots(nowNs);
        return p;
    }

    /**
     * Adds a WHEP session: one slot per sending audio/video m-section of {@code session} that got a
     * {@code SendStream} while answering (see {@link SlotSsrcAllocator}), filled from the room's Producers
     * now. {@code sender} is the subscriber's transport; it may refuse packets until connected.
     */
    public Subscriber addSubscriber(NegotiatedSession session, MediaSender sender, long nowNs) {
        Subscriber s = new Subscriber(this, session, sender);
        subscribers.add(s);
        s.startReports(nowNs);
        assign(s, nowNs);
        return s;
    }

    /** Removes a publisher: its Producers leave, their slots are freed and refilled from the rest. */
    public void removePublisher(Publisher publisher, long nowNs) {
        if (!publishers.remove(publisher)) {
            return;
        }
        for (Producer p : publisher.producerList()) {
            producers.remove(p);
            for (Consumer c : p.close()) {
                c.slot().unbind();
            }
        }
        assignSlots(nowNs);
        reportIfEmpty();
    }

    /** Removes a subscriber: its Consumers are detached from their Producers. */
    public void removeSubscriber(Subscriber subscriber, long nowNs) {
        if (!subscribers.remove(subscriber)) {
            return;
        }
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
     * Removes everyone (shutdown, or a room dropped by its owner): frees the Producers' retransmission
     * caches, the only buffers a room keeps. Reports empty as usual.
     */
    public void close(long nowNs) {
        for (Subscriber s : List.copyOf(subscribers)) {
            removeSubscriber(s, nowNs);
        }
        for (Publisher p : List.copyOf(publishers)) {
            removePublisher(p, nowNs);
        }
    }

    private void reportIfEmpty() {
        if (isEmpty()) {
            listener.onEmpty(this);
        }
    }

    /** Whether no publisher and no subscriber is in the room. */
    public boolean isEmpty() {
        return publishers.isEmpty() && subscribers.isEmpty();
    }

    private void assignSlots(long nowNs) {
        for (int i = 0, n = subscribers.size(); i < n; i++) {
            assign(subscribers.get(i), nowNs);
        }
    }

    /** Fills the free slots of {@code subscriber} in slot order from the Producers in join order. */
    private void assign(Subscriber subscriber, long nowNs) {
        for (Slot slot : subscriber.slotList()) {
            if (slot.consumer() != null) {
                continue;
            }
            for (Producer producer : producers) {
                if (producer.kind() != slot.kind() || receives(subscriber, producer)) {
                    continue;
                }
                RtpMapping mapping = RtpMapping.between(producer.media(), slot.media().codecs(),
                        slot.media().headerExtensions());
                if (!mapping.anyCodec()) {
                    continue;
                }
                Consumer c = new Consumer(this, slot, producer, mapping);
                slot.bind(c);
                producer.addConsumer(c, nowNs);
                break;
            }
        }
    }

    private static boolean receives(Subscriber subscriber, Producer producer) {
        for (Slot s : subscriber.slotList()) {
            if (s.producer() == producer) {
                return true;
            }
        }
        return false;
    }

    /**
     * The earliest deadline of the room's timers (coalesced keyframe requests, RTCP reports), or
     * {@link Long#MAX_VALUE} when none is armed.
     */
    public long nextTimeoutNs() {
        long next = Long.MAX_VALUE;
        for (int i = 0, n = producers.size(); i < n; i++) {
            next = earlier(next, producers.get(i).nextTimeoutNs());
        }
        for (int i = 0, n = publishers.size(); i < n; i++) {
            next = earlier(next, publishers.get(i).nextReportNs());
        }
        for (int i = 0, n = subscribers.size(); i < n; i++) {
            next = earlier(next, subscribers.get(i).nextReportNs());
        }
        return next;
    }

    private static long earlier(long a, long b) {
        if (a == Long.MAX_VALUE) {
            return b;
        }
        return b == Long.MAX_VALUE || a - b <= 0 ? a : b;
    }

    /** Fires every timer due at {@code nowNs}. */
    public void handleTimeout(long nowNs) {
        for (int i = 0, n = producers.size(); i < n; i++) {
            producers.get(i).handleTimeout(nowNs);
        }
        for (int i = 0, n = publishers.size(); i < n; i++) {
            publishers.get(i).handleTimeout(nowNs);
        }
        for (int i = 0, n = subscribers.size(); i < n; i++) {
            subscribers.get(i).handleTimeout(nowNs);
        }
    }

    /** The 64-bit NTP timestamp (RFC 5905 §6: seconds since 1900, 32-bit binary fraction) of {@code nowNs}. */
    long ntpTimestamp(long nowNs) {
        long unixNs = nowNs + unixOffsetNs;
        long seconds = Math.floorDiv(unixNs, 1_000_000_000L);
        long fractionNs = Math.floorMod(unixNs, 1_000_000_000L);
        return ((seconds + NTP_UNIX_OFFSET_S) << 32) | ((fractionNs << 32) / 1_000_000_000L);
    }

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

    public RoomCounters counters() {
        return counters;
    }

    ByteBufAllocator allocator() {
        return allocator;
    }

    RtpPacket ingressPacket() {
        return ingressPacket;
    }

    RtpPacket egressPacket() {
        return egressPacket;
    }

    RtpPacket cachedPacket() {
        return cachedPacket;
    }

    /** Over the original a publisher's RTX packet is rebuilt into, while it is handled. */
    RtpPacket recoveredPacket() {
        return recoveredPacket;
    }

    SenderReport senderReport() {
        return senderReport;
    }

    GenericNack nack() {
        return nack;
    }

    RtcpCompound compound() {
        return compound;
    }

    PictureLossIndication pli() {
        return pli;
    }

    FullIntraRequest fir() {
        return fir;
    }

    @Override
    public String toString() {
        return "Room[" + name + " publishers=" + publishers.size() + " subscribers=" + subscribers.size() + "]";
    }
}
