package dev.junction.gateway.room;

import dev.junction.codec.sdp.jsep.SendSlot;
import dev.junction.codec.sdp.jsep.SendStream;
import dev.junction.codec.sdp.jsep.SendStreamSource;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The {@link SendStreamSource} for a WHEP answer: gives every audio and video slot a random non-zero
 * primary SSRC (and an RTX SSRC when the slot negotiated RTX), unique within the answer (RFC 3550 §8.1
 * leaves collisions to chance across peers, but within one answer they must differ). The msid is
 * {@code <streamId> <kind>-<slot>}, so a player can tell slots apart.
 *
 * <p>Threading: one instance per answer, used on the thread that builds it (not the room's loop);
 * it holds no room state.
 */
public final class SlotSsrcAllocator implements SendStreamSource {
    private final SplittableRandom random;
    private final String cname;
    private final String streamId;
    private final Set<Long> used = new HashSet<>();

    /** {@code cname} and {@code streamId} must be RFC 8830 tokens (printable ASCII, no spaces). */
    public SlotSsrcAllocator(SplittableRandom random, String cname, String streamId) {
        this.random = random;
        this.cname = cname;
        this.streamId = streamId;
    }

    @Override
    public Optional<SendStream> allocate(SendSlot slot) {
        String track = slot.kind().token() + "-" + slot.slotIndex();
        long ssrc = fresh();
        return Optional.of(slot.rtx() ? SendStream.withRtx(ssrc, fresh(), cname, streamId, track)
                : SendStream.of(ssrc, cname, streamId, track));
    }

    private long fresh() {
        long ssrc;
        do {
            ssrc = 1 + random.nextLong(0xFFFF_FFFEL);
        } while (!used.add(ssrc));
        return ssrc;
    }
}
