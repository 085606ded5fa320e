package dev.junction.transport.srtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

/** Test packets in pooled heap buffers, as the socket layer will hand them over. Callers release them. */
final class Packets {

    private Packets() {
    }

    /** A pooled heap buffer holding {@code bytes}, with 64 bytes of tail room for tags. */
    static ByteBuf heap(byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(bytes.length + 64);
        return buf.writeBytes(bytes);
    }

    /** An RTP packet: V=2, PT 96, the given sequence number and SSRC, {@code payloadLength} bytes of pattern. */
    static byte[] rtp(int sequence, int ssrc, int payloadLength) {
        byte[] packet = new byte[12 + payloadLength];
        packet[0] = (byte) 0x80;
        packet[1] = 96;
        packet[2] = (byte) (sequence >>> 8);
        packet[3] = (byte) sequence;
        packet[4] = 0x11;
        packet[7] = 0x22;
        packet[8] = (byte) (ssrc >>> 24);
        packet[9] = (byte) (ssrc >>> 16);
        packet[10] = (byte) (ssrc >>> 8);
        packet[11] = (byte) ssrc;
        for (int i = 12; i < packet.length; i++) packet[i] = (byte) (i * 7 + sequence);
        return packet;
    }

    /** A Receiver Report with one report block (RFC 3550 §6.4.2) from {@code ssrc}. */
    static byte[] rtcp(int ssrc) {
        byte[] packet = new byte[32];
        packet[0] = (byte) 0x81;
        packet[1] = (byte) 201;
        packet[3] = 7;
        packet[4] = (byte) (ssrc >>> 24);
        packet[5] = (byte) (ssrc >>> 16);
        packet[6] = (byte) (ssrc >>> 8);
        packet[7] = (byte) ssrc;
        for (int i = 8; i < packet.length; i++) packet[i] = (byte) i;
        return packet;
    }

    static byte[] bytes(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }
}
