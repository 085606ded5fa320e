package dev.junction.gateway.room;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.rtcp.RtcpCompound;
import dev.junction.codec.rtcp.RtcpType;
import dev.junction.codec.rtcp.PictureLossIndication;
import dev.junction.codec.rtp.RtpPacket;
import dev.junction.transport.MediaSender;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link MediaSender}: keeps every packet it is given (it owns them, as the real transport
 * does) so a test can parse what a session would have sent; {@link #close()} releases them. Checks the
 * SRTP tail room contract on every packet.
 */
final class RecordingSender implements MediaSender, AutoCloseable {
    final List<ByteBuf> rtp = new ArrayList<>();
    final List<ByteBuf> rtcp = new ArrayList<>();
    boolean refuse;

    @Override
    public boolean sendRtp(ByteBuf packet) {
        return keep(rtp, packet);
    }

    @Override
    public boolean sendRtcp(ByteBuf packet) {
        return keep(rtcp, packet);
    }

    private boolean keep(List<ByteBuf> into, ByteBuf packet) {
        assertTrue(packet.writableBytes() >= Room.SRTP_TAIL_ROOM || packet.maxWritableBytes() >= Room.SRTP_TAIL_ROOM,
                "no tail room for the SRTP tag");
        assertTrue(packet.hasArray(), "egress copies are heap buffers (jitsi-srtp works on arrays)");
        if (refuse) {
            packet.release();
            return false;
        }
        into.add(packet);
        return true;
    }

    /** The recorded RTP packets with SSRC {@code ssrc}, parsed (flyweights over the kept buffers). */
    List<RtpPacket> rtpWithSsrc(long ssrc) {
        List<RtpPacket> out = new ArrayList<>();
        for (ByteBuf b : rtp) {
            RtpPacket p = new RtpPacket();
            assertTrue(p.wrap(b, b.readerIndex(), b.readableBytes()), p::toString);
            if (p.ssrc() == ssrc) {
                out.add(p);
            }
        }
        return out;
    }

    /** Every recorded RTP packet, parsed. */
    List<RtpPacket> rtpPackets() {
        List<RtpPacket> out = new ArrayList<>();
        for (ByteBuf b : rtp) {
            RtpPacket p = new RtpPacket();
            assertTrue(p.wrap(b, b.readerIndex(), b.readableBytes()), p::toString);
            out.add(p);
        }
        return out;
    }

    /** The media SSRCs of the recorded PLIs, in order. */
    List<Long> pliMediaSsrcs() {
        return pliMediaSsrcs(0);
    }

    /**
     * The media SSRCs of the PLIs in the RTCP packets recorded from index {@code from} on (a test that answers keyframe
     * requests as it goes reads only what came since its last look; {@code rtcp.size()} is where to look next).
     */
    List<Long> pliMediaSsrcs(int from) {
        List<Long> out = new ArrayList<>();
        RtcpCompound compound = new RtcpCompound();
        PictureLossIndication pli = new PictureLossIndication();
        for (ByteBuf b : rtcp.subList(from, rtcp.size())) {
            compound.wrap(b, b.readerIndex(), b.readableBytes());
            while (compound.next()) {
                if (compound.packetType() == RtcpType.PSFB && compound.format() == RtcpType.FMT_PLI) {
                    assertTrue(pli.wrap(b, compound.offset(), compound.length()));
                    out.add(pli.mediaSsrc());
                }
            }
        }
        return out;
    }

    void clear() {
        rtp.forEach(ByteBuf::release);
        rtcp.forEach(ByteBuf::release);
        rtp.clear();
        rtcp.clear();
    }

    @Override
    public void close() {
        clear();
    }
}
