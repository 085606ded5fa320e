package dev.junction.transport.path;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A path for sans-IO tests: remembers what was sent on it (copied, the buffers released) instead of sending. */
public final class FakePath extends Path {
    private final InetSocketAddress remote;
    public final List<byte[]> sent = new ArrayList<>();
    public int mediaSent;

    public FakePath(InetSocketAddress remote) {
        this.remote = remote;
    }

    public FakePath(String host, int port) {
        this(new InetSocketAddress(host, port));
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public void send(ByteBuf datagram) {
        sent.add(ByteBufUtil.getBytes(datagram));
        datagram.release();
    }

    @Override
    public void sendMedia(ByteBuf datagram) {
        mediaSent++;
        send(datagram);
    }

    @Override
    public String toString() {
        return "fake:" + remote;
    }
}
