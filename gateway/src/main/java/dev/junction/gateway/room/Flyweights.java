package dev.junction.gateway.room;

import dev.junction.codec.rtcp.FullIntraRequest;
import dev.junction.codec.rtcp.GenericNack;
import dev.junction.codec.rtcp.PictureLossIndication;
import dev.junction.codec.rtcp.ReceiverReport;
import dev.junction.codec.rtcp.ReportBlock;
import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.SenderReport;
import dev.junction.codec.rtcp.TransportCcFeedback;
import dev.junction.codec.rtp.DependencyDescriptor;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.codec.rtp.Vp8Descriptor;
import dev.junction.transport.bwe.PacketResults;

/**
 * The parsers one room's sessions share: flyweights over borrowed buffers (STYLE: one instance reused, reader
 * index never moved). Every session of a room runs on the room's loop, one packet at a time, so one set serves
 * them all; each is valid only during the call that wrapped it.
 *
 * <p>Threading: the room's loop only.
 */
final class Flyweights {
    /** Over the packet a publisher (or a pipe) hands in. */
    final RtpPacket ingress = new RtpPacket();
    /** Over a retransmission cache entry being resent. */
    final RtpPacket cached = new RtpPacket();
    /** Over the original a publisher's RTX packet is rebuilt into, while it is handled. */
    final RtpPacket recovered = new RtpPacket();
    /** The VP8 payload descriptor of the packet being forwarded. */
    final Vp8Descriptor vp8 = new Vp8Descriptor();
    /** The VP8 payload descriptor of {@link #cached}. */
    final Vp8Descriptor cachedVp8 = new Vp8Descriptor();
    /** The dependency descriptor of the packet being forwarded. */
    final DependencyDescriptor dd = new DependencyDescriptor();
    /** The dependency descriptor of {@link #cached} (its mandatory fields). */
    final DependencyDescriptor cachedDd = new DependencyDescriptor();
    final RtcpCompound compound = new RtcpCompound();
    final SenderReport senderReport = new SenderReport();
    final ReceiverReport receiverReport = new ReceiverReport();
    final ReportBlock reportBlock = new ReportBlock();
    final GenericNack nack = new GenericNack();
    final PictureLossIndication pli = new PictureLossIndication();
    final FullIntraRequest fir = new FullIntraRequest();
    final TransportCcFeedback transportCc = new TransportCcFeedback();
    /**
     * What one transport-cc feedback reported, matched with what was sent: every subscriber's estimator fills and
     * reads it within its own {@code handleFeedback}, so one batch, warm in the cache, serves the room.
     */
    final PacketResults feedbackResults = new PacketResults(SubscriberBwe.SETTINGS.historyCapacity());
}
