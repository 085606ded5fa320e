package dev.junction.gateway.room;

import dev.junction.codec.rtp.SerialNumber;
import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.SendStream;
import java.nio.charset.StandardCharsets;

/**
 * One sending m-section of a subscriber: a fixed SSRC announced in the answer, filled by at most one
 * Producer at a time through a {@link Consumer}. The slot outlives its Consumers and keeps the last
 * sequence number and timestamp it sent, so that a new source continues the numbering (the subscriber
 * sees one stream with no jump, DESIGN §5).
 *
 * <p>Threading: the room's event loop only.
 */
public final class Slot {
    // Passed by argument.
    private final Subscriber subscriber;
    private final NegotiatedMedia media;
    private final SendStream stream;
    private final int index;

    // State, on the loop.
    private Consumer consumer;
    private boolean sent;
    private int lastSequenceNumber;
    private long lastTimestamp;
    private long lastSentNs;
    private long packetsSent;
    private long payloadBytesSent;
    private final byte[] cname;
    private int rtxSequenceNumber;
    private long retransmissions;
    private long packetsDropped;
    /** The viewer's caps for this slot (WHEP layer endpoint); kept across the Producers that fill it. */
    private ViewerPreference preference = ViewerPreference.AUTO;
    /** Sequence numbers resent lately and when, indexed by their low bits (the retransmission cache's size). */
    static final int RESENT_MEMORY = 512;
    private final int[] resentSeq = new int[RESENT_MEMORY];
    private final long[] resentAtNs = new long[RESENT_MEMORY];

    Slot(Subscriber subscriber, NegotiatedMedia media, SendStream stream, int index) {
        this.subscriber = subscriber;
        this.media = media;
        this.stream = stream;
        this.index = index;
        this.cname = stream.cname().getBytes(StandardCharsets.UTF_8);
        java.util.Arrays.fill(resentSeq, -1);
    }

    byte[] cname() {
        return cname;
    }

    /** Payload octets sent (the SR octet count, RFC 3550 §6.4.1: no headers, no padding). */
    public long payloadBytesSent() {
        return payloadBytesSent;
    }

    void addPayloadBytes(int bytes) {
        payloadBytesSent += bytes;
    }

    public Subscriber subscriber() {
        return subscriber;
    }

    /** The subscriber's m-section (its payload types and extension ids). */
    public NegotiatedMedia media() {
        return media;
    }

    public String mid() {
        return media.mid();
    }

    public MediaKind kind() {
        return media.kind();
    }

    /** 0 for the first slot of its kind in the offer, 1 for the second, ... */
    public int index() {
        return index;
    }

    /** The SSRC every packet of this slot carries, whatever its source. */
    public long ssrc() {
        return stream.ssrc();
    }

    /** The Producer filling this slot, or null while it is free. */
    public Producer producer() {
        return consumer == null ? null : consumer.producer();
    }

    /** The Consumer filling this slot, or null while it is free. */
    public Consumer consumer() {
        return consumer;
    }

    /** The RTX SSRC announced for this slot (RFC 4588 §8.2 FID), or -1 when the slot negotiated no RTX. */
    public long rtxSsrc() {
        return stream.rtxSsrc().orElse(-1);
    }

    /** NACKed packets resent through this slot (RTX or plain). */
    public long retransmissions() {
        return retransmissions;
    }

    /** The next sequence number of the RTX stream, which has its own numbering (RFC 4588 §4). */
    int nextRtxSequenceNumber() {
        int seq = rtxSequenceNumber;
        rtxSequenceNumber = (rtxSequenceNumber + 1) & 0xFFFF;
        return seq;
    }

    void onRetransmitted() {
        retransmissions++;
    }

    /**
     * Whether sequence number {@code seq} was resent within {@code windowNs} before {@code nowNs}, by this slot's
     * memory of its last {@link #RESENT_MEMORY} resends (older ones are long past any round trip).
     */
    boolean resentWithin(int seq, long nowNs, long windowNs) {
        int i = seq & (RESENT_MEMORY - 1);
        return resentSeq[i] == seq && nowNs - resentAtNs[i] < windowNs;
    }

    /** Remembers that {@code seq} was resent now. */
    void markResent(int seq, long nowNs) {
        int i = seq & (RESENT_MEMORY - 1);
        resentSeq[i] = seq;
        resentAtNs[i] = nowNs;
    }

    /** What the viewer asked for this slot; {@link ViewerPreference#AUTO} until it asks. */
    public ViewerPreference preference() {
        return preference;
    }

    /** Its Consumer, if any, chooses again under the new caps (see {@link Consumer#chooseLayer}). */
    void setPreference(ViewerPreference p, long nowNs) {
        preference = p;
        if (consumer != null) consumer.chooseLayer(nowNs, LayerReason.PREFERENCE);
    }

    /** Packets sent through this slot, all sources. */
    public long packetsSent() {
        return packetsSent;
    }

    /** Packets dropped at this slot (codec not negotiated, send refused). */
    public long packetsDropped() {
        return packetsDropped;
    }

    void bind(Consumer c) {
        consumer = c;
    }

    void unbind() {
        consumer = null;
    }

    boolean hasSent() {
        return sent;
    }

    int lastSequenceNumber() {
        return lastSequenceNumber;
    }

    long lastTimestamp() {
        return lastTimestamp;
    }

    long lastSentNs() {
        return lastSentNs;
    }

    void countDrop() {
        packetsDropped++;
    }

    /** The last VP8 picture id and TL0PICIDX it sent (the newest packet's), -1 for none yet. */
    private int lastPictureId = -1;
    private int lastTl0PicIdx = -1;

    boolean hasPictureId() {
        return lastPictureId >= 0;
    }

    int lastPictureId() {
        return lastPictureId;
    }

    boolean hasTl0PicIdx() {
        return lastTl0PicIdx >= 0;
    }

    int lastTl0PicIdx() {
        return lastTl0PicIdx;
    }

    /** Records the VP8 picture id and TL0PICIDX (-1: none) of the newest packet sent, so the next source continues them. */
    void onVp8Sent(int pictureId, int tl0PicIdx) {
        if (pictureId >= 0) lastPictureId = pictureId;
        if (tl0PicIdx >= 0) lastTl0PicIdx = tl0PicIdx;
    }

    /** The last dependency descriptor frame number it sent (the newest frame's), -1 for none yet. */
    private int lastFrameNumber = -1;

    boolean hasFrameNumber() {
        return lastFrameNumber >= 0;
    }

    int lastFrameNumber() {
        return lastFrameNumber;
    }

    /** Records the dependency descriptor frame number of the newest packet sent, so the next source continues it. */
    void onFrameNumberSent(int frameNumber) {
        lastFrameNumber = frameNumber;
    }

    /** Records a packet sent; keeps the newest sequence number, so a late packet does not move it back. */
    void onSent(int sequenceNumber, long timestamp, long nowNs) {
        packetsSent++;
        if (!sent || SerialNumber.isNewer16(sequenceNumber, lastSequenceNumber)) {
            lastSequenceNumber = sequenceNumber;
            lastTimestamp = timestamp;
            lastSentNs = nowNs;
        }
        sent = true;
    }

    @Override
    public String toString() {
        return "Slot[" + media.kind().token() + " mid=" + media.mid() + " ssrc=" + stream.ssrc() + " "
                + (consumer == null ? "free" : consumer.producer()) + "]";
    }
}
