package dev.junction.gateway.room;

import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.sdp.jsep.HeaderExtensionUri;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.RemoteSsrc;
import dev.junction.codec.sdp.jsep.SimulcastLayer;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Which incoming RTP stream each SSRC of one publisher is (mediasoup's RtpListener): a small bounded table from
 * SSRC to {@link RtpStreamRecv} (or to the RTX SSRC repairing one).
 *
 * <p>Binding (RFC 8843 §9.2, RFC 8852): SSRCs the offer announced with {@code a=ssrc} are bound up front, with
 * their RTX partners ({@code a=ssrc-group:FID}). An unknown SSRC is bound on first sight, by the MID header
 * extension (which m-section) and the RtpStreamId extension (which simulcast layer), or, without MID, by the one
 * m-section whose codecs include the payload type. An unannounced RTX SSRC gets its layer from the
 * RepairedRtpStreamId extension (RFC 8852 §3.2), or is the only layer. At most {@link #MAX_SSRCS} entries, so a
 * publisher cannot grow it. A known SSRC costs one scan of a few longs.
 *
 * <p>Threading: the publisher's loop only. Buffers: packets are borrowed.
 */
final class RtpListener {
    /** Bound on learnt SSRCs: three simulcast layers with RTX per m-section leaves room for several sections. */
    static final int MAX_SSRCS = 32;

    /** One bound SSRC. {@code layer} is -1 for an RTX SSRC whose layer is not known yet. */
    static final class Entry {
        final long ssrc;
        final Producer producer;
        final boolean rtx;
        int layer;
        /** The primary stream: this SSRC's own, or the one an RTX SSRC repairs (null until known). */
        RtpStreamRecv stream;

        Entry(long ssrc, Producer producer, int layer, boolean rtx) {
            this.ssrc = ssrc;
            this.producer = producer;
            this.layer = layer;
            this.rtx = rtx;
        }
    }

    /** A Producer's way of recognising its packets: the MID and RID values it answers to. */
    private record Track(Producer producer, byte[] mid, int midId, int ridId, int repairedRidId, byte[][] rids) {
    }

    private final List<Track> tracks = new ArrayList<>();
    private final long[] ssrcs = new long[MAX_SSRCS];
    private final Entry[] entries = new Entry[MAX_SSRCS];
    private int count;
    /** Distinct MID extension ids among the tracks (BUNDLE makes them one id in practice). */
    private int[] midExtensionIds = new int[0];
    /** Every primary stream, for reports and NACKs. */
    private final List<RtpStreamRecv> streams = new ArrayList<>();

    /** Adds {@code producer}'s m-section and binds the SSRCs its offer announced. */
    void add(Producer producer) {
        NegotiatedMedia m = producer.media();
        List<SimulcastLayer> layers = m.simulcastLayers();
        byte[][] rids = new byte[layers.size()][];
        for (int i = 0; i < layers.size(); i++) rids[i] = layers.get(i).rid().getBytes(StandardCharsets.US_ASCII);
        Track track = new Track(producer, m.mid().getBytes(StandardCharsets.US_ASCII),
                m.headerExtensionId(HeaderExtensionUri.MID).orElse(0), m.headerExtensionId(HeaderExtensionUri.RID).orElse(0),
                m.headerExtensionId(HeaderExtensionUri.REPAIRED_RID).orElse(0), rids);
        tracks.add(track);
        midExtensionIds = tracks.stream().mapToInt(Track::midId).filter(id -> id > 0).distinct().toArray();
        List<Long> simulcastGroup = m.simulcastSsrcGroups().isEmpty() ? List.of() : m.simulcastSsrcGroups().get(0).ssrcs();
        for (RemoteSsrc r : m.remoteSsrcs()) {
            // With rids the layer of an SSRC is only known from the RtpStreamId extension.
            int layer = !layers.isEmpty() ? -1 : simulcastGroup.isEmpty() ? 0 : simulcastGroup.indexOf(r.ssrc());
            if (layer >= producer.layerCount()) layer = -1;
            if (layer >= 0) bind(r.ssrc(), producer, layer, false);
            if (r.rtxSsrc().isPresent()) bind(r.rtxSsrc().getAsLong(), producer, layer, true);
        }
    }

    /** The entry for {@code rtp}'s SSRC, binding it if it can be placed; null when it cannot. */
    Entry find(RtpPacket rtp) {
        long ssrc = rtp.ssrc();
        for (int i = 0; i < count; i++) {
            if (ssrcs[i] == ssrc) return entries[i];
        }
        return learn(rtp, ssrc);
    }

    /** The entry of {@code ssrc} if bound, else null (no learning: for RTCP). */
    Entry get(long ssrc) {
        for (int i = 0; i < count; i++) {
            if (ssrcs[i] == ssrc) return entries[i];
        }
        return null;
    }

    /** Every primary stream bound so far, in binding order. */
    List<RtpStreamRecv> streams() {
        return streams;
    }

    /** Places an RTX entry whose layer was unknown, by its RepairedRtpStreamId; false when it cannot. */
    boolean placeRtx(Entry e, RtpPacket rtx) {
        int layer = repairedLayer(trackOf(e.producer), rtx);
        if (layer < 0) return false;
        e.layer = layer;
        e.stream = primary(e.producer, layer);
        return true;
    }

    private Entry learn(RtpPacket rtp, long ssrc) {
        Track track = null;
        for (int id : midExtensionIds) {
            long found = rtp.findExtension(id);
            if (found == RtpPacket.NOT_FOUND) continue;
            for (Track t : tracks) {
                if (t.midId() == id && bytesEqual(t.mid(), rtp.buffer(), RtpPacket.foundOffset(found), RtpPacket.foundLength(found))) {
                    track = t;
                    break;
                }
            }
            break;
        }
        if (track == null) track = onlyTrackFor(rtp.payloadType());
        if (track == null) return null;
        Producer producer = track.producer();
        boolean rtx = producer.codecs().isRtx(rtp.payloadType());
        int layer;
        if (rtx) {
            layer = repairedLayer(track, rtp);
        } else if (producer.layerCount() == 1) {
            layer = 0;
        } else {
            long rid = track.ridId() > 0 ? rtp.findExtension(track.ridId()) : RtpPacket.NOT_FOUND;
            if (rid == RtpPacket.NOT_FOUND) return null;
            layer = layerForRid(track, rtp.buffer(), RtpPacket.foundOffset(rid), RtpPacket.foundLength(rid));
            if (layer < 0) return null;
        }
        return bind(ssrc, producer, layer, rtx);
    }

    private Entry bind(long ssrc, Producer producer, int layer, boolean rtx) {
        if (count == MAX_SSRCS || get(ssrc) != null) return null;
        Entry e = new Entry(ssrc, producer, layer, rtx);
        if (!rtx && layer >= 0) {
            e.stream = new RtpStreamRecv(producer, layer, ssrc);
            streams.add(e.stream);
            producer.layer(layer).learnSsrc(ssrc);
            // An RTX SSRC bound before its primary repairs this stream from now on.
            for (int i = 0; i < count; i++) {
                if (entries[i].rtx && entries[i].producer == producer && entries[i].layer == layer) entries[i].stream = e.stream;
            }
        } else if (rtx && layer >= 0) {
            e.stream = primary(producer, layer);
        }
        ssrcs[count] = ssrc;
        entries[count] = e;
        count++;
        return e;
    }

    /** The newest primary stream of {@code layer}, or null. */
    private RtpStreamRecv primary(Producer producer, int layer) {
        for (int i = streams.size() - 1; i >= 0; i--) {
            RtpStreamRecv s = streams.get(i);
            if (s.producer == producer && s.layer == layer) return s;
        }
        return null;
    }

    /** The layer an RTX packet repairs: the only one, or the one its RepairedRtpStreamId names; else -1. */
    private static int repairedLayer(Track track, RtpPacket rtp) {
        if (track.producer().layerCount() == 1) return 0;
        long rrid = track.repairedRidId() > 0 ? rtp.findExtension(track.repairedRidId()) : RtpPacket.NOT_FOUND;
        if (rrid == RtpPacket.NOT_FOUND) return -1;
        return layerForRid(track, rtp.buffer(), RtpPacket.foundOffset(rrid), RtpPacket.foundLength(rrid));
    }

    private static int layerForRid(Track track, ByteBuf buf, int offset, int length) {
        for (int i = 0; i < track.rids().length; i++) {
            if (bytesEqual(track.rids()[i], buf, offset, length)) return i;
        }
        return -1;
    }

    private Track trackOf(Producer producer) {
        for (Track t : tracks) {
            if (t.producer() == producer) return t;
        }
        throw new IllegalArgumentException("not a track of this publisher: " + producer);
    }

    private Track onlyTrackFor(int payloadType) {
        Track only = null;
        for (Track t : tracks) {
            if (t.producer().media().codecForPayloadType(payloadType).isPresent()) {
                if (only != null) return null;
                only = t;
            }
        }
        return only;
    }

    private static boolean bytesEqual(byte[] expected, ByteBuf buf, int offset, int length) {
        if (expected.length != length) return false;
        for (int i = 0; i < length; i++) {
            if (buf.getByte(offset + i) != expected[i]) return false;
        }
        return true;
    }
}
