package dev.junction.transport.dtls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A loopback UDP socket between a {@link DtlsEndpoint} and a real peer (OpenSSL): datagrams received go to
 * {@code handleDatagram}, datagrams the endpoint sends go out to the peer. The peer is fixed (client) or
 * learned from the first datagram (server). A test stand-in for the socket layer: same buffer rules.
 */
final class UdpPump implements DtlsDatagramSink, AutoCloseable {

    private final DatagramSocket socket;
    private final Thread reader;
    private volatile SocketAddress peer;
    private volatile DtlsEndpoint endpoint;

    UdpPump(SocketAddress peer) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.peer = peer;
        this.reader = Thread.ofPlatform().daemon().name("udp-pump").unstarted(this::pump);
    }

    /** A free UDP port on 127.0.0.1 at the time of the call. */
    static int freePort() throws IOException {
        return dev.junction.codec.testing.LoopbackPorts.udp();
    }

    int localPort() {
        return socket.getLocalPort();
    }

    void attach(DtlsEndpoint endpoint) {
        this.endpoint = endpoint;
        reader.start();
    }

    @Override
    public void send(ByteBuf datagram) {
        try {
            byte[] bytes = ByteBufUtil.getBytes(datagram);
            SocketAddress to = peer;
            if (to != null && !socket.isClosed()) socket.send(new DatagramPacket(bytes, bytes.length, to));
        } catch (IOException e) {
            // UDP: a failed send is a lost datagram, which DTLS retransmission covers.
        } finally {
            datagram.release();
        }
    }

    private void pump() {
        byte[] buffer = new byte[65_535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
            } catch (IOException e) {
                return;
            }
            if (peer == null) peer = packet.getSocketAddress();
            ByteBuf datagram = Unpooled.copiedBuffer(buffer, 0, packet.getLength());
            try {
                endpoint.handleDatagram(datagram);
            } finally {
                datagram.release();
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            if (reader.isAlive()) reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
