package dev.junction.gateway.room;

import dev.junction.codec.sdp.MediaKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The scaffolding of the temporal layer property tests (issue 11): a room with a generated three-layer simulcast
 * publisher and one subscriber ({@link RoomFixtures#simulcastPair}), 20 s of 30 fps frames, the viewer's spatial and
 * temporal caps moved at random, keyframe requests answered within 1-3 frames as a browser does, and the network in
 * between: loss, duplicates, and packets held back behind the next 1-8 (which reorders a layer's packets, and lets a
 * frame's next one overtake it). A subclass generates the frames ({@link #sendFrame}) and says which frame a packet
 * belongs to ({@link #frameKey}); the cap in force when each frame first reached the room is kept for its checks.
 */
abstract class LayeredStreamScenario<O> {
    static final long MS = 1_000_000L;
    static final long UNIX_OFFSET_NS = 1_700_000_000_000_000_000L - 1_000_000_000_000L;
    static final int LAYERS = 3;
    static final String[] RIDS = {"q", "h", "f"};
    static final int UNCAPPED = 3;

    final long seed;
    final boolean impaired;
    final SplittableRandom random;
    long nowNs = 1_000_000_000_000L;
    final List<Room> emptied = new ArrayList<>();
    final Room room;
    final RecordingSender pubSender = new RecordingSender();
    final RecordingSender subSender = new RecordingSender();
    final RoomFixtures.SimulcastPair pair;
    final Publisher publisher;
    final Subscriber subscriber;
    final int midId;
    final int ridId;
    final Deque<ByteBuf> network = new ArrayDeque<>();
    /**
     * The temporal cap in force when the frame's first packet reached the room; on an impaired link the higher of it
     * and the cap before, since a frame reordered behind a cap change is decided by the layer received before it.
     */
    final Map<Long, Integer> capAtArrival = new HashMap<>();
    int temporalCap = UNCAPPED;
    private int previousCap = UNCAPPED;
    int spatialCap = ViewerPreference.NONE;
    // Per layer: the encoder's state.
    final long[] ssrc = new long[LAYERS];
    final int[] seq = new int[LAYERS];
    final long[] ts = new long[LAYERS];
    final int[] generation = new int[LAYERS];
    final int[] frame = new int[LAYERS];
    final int[] framesToKeyframe = new int[LAYERS];
    /** The publisher's RTCP read for PLIs so far. */
    private int rtcpSeen;
    final double loss;
    final double reorder;
    final double duplicate;

    LayeredStreamScenario(long seed, boolean impaired, String name, boolean dependencyDescriptor) {
        this.seed = seed;
        this.impaired = impaired;
        this.random = new SplittableRandom(seed);
        room = new Room(name + "-" + seed, PooledByteBufAllocator.DEFAULT, emptied::add, new SplittableRandom(seed), UNIX_OFFSET_NS);
        pair = RoomFixtures.simulcastPair(room, pubSender, subSender, nowNs, dependencyDescriptor);
        publisher = pair.publisher();
        subscriber = pair.subscriber();
        midId = pair.midId();
        ridId = pair.ridId();
        loss = impaired ? random.nextDouble() * 0.05 : 0;
        reorder = impaired ? random.nextDouble() * 0.08 : 0;
        duplicate = random.nextDouble() * 0.03;
        for (int l = 0; l < LAYERS; l++) {
            ssrc[l] = 0x1000_0000L * (l + 1) + random.nextInt(1 << 20);
            seq[l] = random.nextBoolean() ? 0xFFFF - random.nextInt(200) : random.nextInt(0x10000);
            ts[l] = random.nextLong(1L << 32);
        }
    }

    /** Sends layer {@code layer}'s next frame into {@link #network}. */
    abstract void sendFrame(int layer);

    /** What the subscriber got, in order, as its subclass's checks read it. */
    abstract List<O> received();

    /** What must hold on any link: no number names two packets or two frames. */
    abstract void checkAlways(List<O> out);

    /** What must hold on a clean link besides: no gaps, every frame decodable, nothing above the cap. */
    abstract void checkClean(List<O> out);

    /** Runs the scenario, checks what the subscriber got ({@link #checkClean} too on a clean link), and closes it. */
    final void runAndCheck() {
        try {
            run();
            List<O> out = received();
            checkAlways(out);
            if (!impaired) checkClean(out);
        } finally {
            close();
        }
    }

    /** The frame {@code packet} belongs to (a key its subclass's checks look frames up by). */
    abstract long frameKey(ByteBuf packet);

    /** A frame's key: its layer, that layer's encoder generation, and its number in the generator's count. */
    static long frameKey(int layer, int generation, int number) {
        return ((long) layer << 56) | ((long) generation << 48) | number;
    }

    Slot videoSlot() {
        return subscriber.slots().stream().filter(x -> x.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
    }

    void run() {
        for (int tick = 0; tick < 600; tick++) { // 20 s at 30 fps
            nowNs += 33 * MS;
            if (room.nextTimeoutNs() - nowNs <= 0) room.handleTimeout(nowNs);
            if (tick % 45 == 0 && tick > 0) {
                int cap = random.nextInt(LAYERS + 1);
                spatialCap = cap == LAYERS ? ViewerPreference.NONE : cap;
                prefer();
            }
            if (tick % 17 == 0 && tick > 0) {
                previousCap = temporalCap;
                temporalCap = random.nextInt(UNCAPPED + 1);
                prefer();
            }
            answerKeyframeRequests();
            for (int l = 0; l < LAYERS; l++) sendFrame(l);
            deliver(random.nextInt(4) == 0 ? network.size() : network.size() / 2);
        }
        deliver(network.size());
    }

    private void prefer() {
        videoSlot().setPreference(new ViewerPreference(spatialCap, null, temporalCap == UNCAPPED ? ViewerPreference.NONE : temporalCap,
                ViewerPreference.NONE), nowNs);
    }

    /** A PLI to the publisher makes that layer send a keyframe within 1-3 frames, as a browser does. */
    private void answerKeyframeRequests() {
        for (long asked : pubSender.pliMediaSsrcs(rtcpSeen)) {
            for (int l = 0; l < LAYERS; l++) {
                if (asked == ssrc[l] && framesToKeyframe[l] > 3) framesToKeyframe[l] = 1 + random.nextInt(3);
            }
        }
        rtcpSeen = pubSender.rtcp.size();
    }

    /** Packets held back by the reordering, each with how many more packets must pass it first. */
    private final List<ByteBuf> held = new ArrayList<>();
    private final List<Integer> holdFor = new ArrayList<>();

    /**
     * Moves {@code n} packets from the network into the room: some lost, some twice, and some held back behind the
     * next 1-8 packets, which reorders packets of one layer (its next frame's first packet can overtake a frame).
     */
    private void deliver(int n) {
        for (int i = 0; i < n && !network.isEmpty(); i++) {
            ByteBuf p = network.poll();
            if (random.nextDouble() < reorder) {
                held.add(p);
                holdFor.add(1 + random.nextInt(8));
                continue;
            }
            pass(p);
            for (int h = held.size() - 1; h >= 0; h--) {
                int left = holdFor.get(h) - 1;
                if (left > 0) {
                    holdFor.set(h, left);
                } else {
                    holdFor.remove(h);
                    pass(held.remove(h));
                }
            }
        }
        if (network.isEmpty()) {
            while (!held.isEmpty()) {
                holdFor.remove(0);
                pass(held.remove(0));
            }
        }
    }

    private void pass(ByteBuf p) {
        if (random.nextDouble() < loss) {
            p.release();
            return;
        }
        if (random.nextDouble() < duplicate) feed(p.copy());
        feed(p);
    }

    private void feed(ByteBuf packet) {
        capAtArrival.putIfAbsent(frameKey(packet), impaired ? Math.max(temporalCap, previousCap) : temporalCap);
        try {
            publisher.handleRtp(packet, nowNs);
        } finally {
            packet.release();
        }
    }

    void close() {
        room.close(nowNs);
        while (!network.isEmpty()) network.poll().release();
        held.forEach(ByteBuf::release);
        pubSender.close();
        subSender.close();
    }
}
