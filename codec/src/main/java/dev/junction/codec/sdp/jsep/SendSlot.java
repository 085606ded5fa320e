package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaKind;
import java.util.List;

/**
 * An m-section Junction will send in, handed to {@link SendStreamSource} while an answer is built, so the
 * gateway can bind it to a subscriber slot and allocate its SSRCs.
 *
 * @param mid          the m-section's mid
 * @param kind         audio or video
 * @param slotIndex    0 for the first sending m-section of this kind in the offer, 1 for the second, ...
 * @param sectionIndex the m-section's index in the offer (and the answer)
 * @param codecs       the codecs negotiated for it, in the answer's order
 * @param rtx          whether any codec has RTX, so that an RTX SSRC is worth allocating
 */
public record SendSlot(String mid, MediaKind kind, int slotIndex, int sectionIndex, List<NegotiatedCodec> codecs,
        boolean rtx) {
    public SendSlot {
        codecs = List.copyOf(codecs);
    }
}
