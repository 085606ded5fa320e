package dev.junction.transport.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.junction.codec.stun.ChannelData;
import dev.junction.codec.stun.StunAttribute;
import dev.junction.codec.stun.StunIntegrity;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunMessageType;
import dev.junction.codec.stun.StunParseResult;
import dev.junction.codec.stun.StunWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A TURN client on real sockets for tests (issue 10): UDP, TCP or TLS (trusting any certificate) to the server,
 * messages written with the codec's {@link StunWriter} and signed with a long-term key derived here from the REST
 * secret with javax.crypto (independently of {@code RestCredentials}). Blocking, with a 5 s read timeout: a test
 * waits on the answer it expects, never sleeps.
 */
final class TurnTestClient implements AutoCloseable {

    /** A parsed message from the server: STUN, or ChannelData ({@code channel} set). */
    record Message(int type, int errorCode, String nonce, List<InetSocketAddress> relayed, InetSocketAddress peer, byte[] data,
            int channel, boolean verifies) {
    }

    private final DatagramSocket udp;
    private final Socket stream;
    private final InetSocketAddress server;
    private final SecureRandom random = new SecureRandom();
    private final StunWriter writer = new StunWriter();
    private final String realm;
    String username;
    private StunIntegrity integrity;
    private String nonce;

    private TurnTestClient(DatagramSocket udp, Socket stream, InetSocketAddress server, String realm) {
        this.udp = udp;
        this.stream = stream;
        this.server = server;
        this.realm = realm;
    }

    static TurnTestClient udp(InetSocketAddress server, String realm) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(5000);
        return new TurnTestClient(socket, null, server, realm);
    }

    static TurnTestClient tcp(InetSocketAddress server, String realm) throws IOException {
        Socket socket = new Socket(server.getAddress(), server.getPort());
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        return new TurnTestClient(null, socket, server, realm);
    }

    /** Over a TCP socket the test connected itself (to set its buffers first, say). */
    static TurnTestClient over(Socket connected, String realm) throws IOException {
        connected.setSoTimeout(5000);
        connected.setTcpNoDelay(true);
        return new TurnTestClient(null, connected, (InetSocketAddress) connected.getRemoteSocketAddress(), realm);
    }

    static TurnTestClient tls(InetSocketAddress server, String realm) throws Exception {
        return tls(server, realm, new String[0]);
    }

    /** Over TLS, offering {@code alpn} (none when empty); the negotiated protocol is {@link #applicationProtocol}. */
    static TurnTestClient tls(InetSocketAddress server, String realm, String... alpn) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(server.getAddress(), server.getPort());
        socket.setSoTimeout(5000);
        if (alpn.length > 0) {
            javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(alpn);
            socket.setSSLParameters(parameters);
        }
        socket.startHandshake();
        return new TurnTestClient(null, socket, server, realm);
    }

    /** REST credentials for {@code user}, valid for a day, from {@code secret}. */
    TurnTestClient user(byte[] secret, String user) {
        username = (System.currentTimeMillis() / 1000 + 86_400) + ":" + user;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            String password = Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
            integrity = StunIntegrity.longTerm(username, realm, password);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return this;
    }

    /** The ALPN the server selected over TLS ("" for none). */
    String applicationProtocol() {
        return ((SSLSocket) stream).getApplicationProtocol();
    }

    InetSocketAddress localAddress() {
        return udp != null ? (InetSocketAddress) udp.getLocalSocketAddress() : (InetSocketAddress) stream.getLocalSocketAddress();
    }

    // ---- requests ----

    /** A request, retried once with REALM and NONCE after a 401 or 438, as real clients do. */
    Message request(int type, Consumer<StunWriter> body) throws IOException {
        send(build(type, nonce != null, body));
        Message m = receive();
        if ((m.errorCode == 401 && nonce == null) || m.errorCode == 438) {
            nonce = m.nonce;
            send(build(type, true, body));
            m = receive();
        }
        return m;
    }

    InetSocketAddress allocate() throws IOException {
        Message m = request(StunMessageType.ALLOCATE_REQUEST, w -> w.requestedTransport(17));
        assertEquals(StunMessageType.ALLOCATE_SUCCESS_RESPONSE, m.type, () -> "Allocate failed with " + m.errorCode);
        return m.relayed.get(0);
    }

    Message createPermission(InetSocketAddress peer) throws IOException {
        return request(StunMessageType.CREATE_PERMISSION_REQUEST, w -> w.xorPeerAddress(peer));
    }

    Message channelBind(int channel, InetSocketAddress peer) throws IOException {
        return request(StunMessageType.CHANNEL_BIND_REQUEST, w -> w.channelNumber(channel).xorPeerAddress(peer));
    }

    Message refresh(long lifetime) throws IOException {
        return request(StunMessageType.REFRESH_REQUEST, w -> w.lifetime(lifetime));
    }

    void sendIndication(InetSocketAddress peer, byte[] data) throws IOException {
        ByteBuf out = Unpooled.buffer();
        try {
            byte[] id = new byte[12];
            random.nextBytes(id);
            writer.begin(out, StunMessageType.SEND_INDICATION, id).xorPeerAddress(peer).data(data, 0, data.length).finish();
            send(bytes(out));
        } finally {
            out.release();
        }
    }

    void channelData(int channel, byte[] data) throws IOException {
        ByteBuf out = Unpooled.buffer();
        try {
            ChannelData.write(out, channel, Unpooled.wrappedBuffer(data), 0, data.length, stream != null);
            send(bytes(out));
        } finally {
            out.release();
        }
    }

    private byte[] build(int type, boolean signed, Consumer<StunWriter> body) {
        ByteBuf out = Unpooled.buffer();
        try {
            byte[] id = new byte[12];
            random.nextBytes(id);
            writer.begin(out, type, id);
            body.accept(writer);
            if (signed) writer.username(username).realm(realm).nonce(nonce).messageIntegrity(integrity);
            writer.fingerprint().finish();
            return bytes(out);
        } finally {
            out.release();
        }
    }

    private static byte[] bytes(ByteBuf out) {
        byte[] b = new byte[out.readableBytes()];
        out.getBytes(out.readerIndex(), b);
        return b;
    }

    // ---- wire ----

    void send(byte[] message) throws IOException {
        if (udp != null) {
            udp.send(new DatagramPacket(message, message.length, server));
        } else {
            OutputStream out = stream.getOutputStream();
            out.write(message);
            out.flush();
        }
    }

    /** Writes {@code message} one byte per write (and flush): the server must reassemble frames across reads. */
    void sendTrickled(byte[] message) throws IOException {
        OutputStream out = stream.getOutputStream();
        for (byte b : message) {
            out.write(b);
            out.flush();
        }
    }

    byte[] requestBytes(int type, Consumer<StunWriter> body) {
        return build(type, nonce != null, body);
    }

    /** The next message from the server. */
    Message receive() throws IOException {
        byte[] bytes;
        if (udp != null) {
            DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
            udp.receive(p);
            bytes = java.util.Arrays.copyOf(p.getData(), p.getLength());
        } else {
            DataInputStream in = new DataInputStream(stream.getInputStream());
            byte[] header = new byte[4];
            in.readFully(header);
            int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            int total = (header[0] & 0xC0) == 0 ? 20 + length : ChannelData.streamFrameLength(length);
            bytes = new byte[total];
            System.arraycopy(header, 0, bytes, 0, 4);
            in.readFully(bytes, 4, total - 4);
        }
        return parse(bytes);
    }

    private Message parse(byte[] bytes) {
        if (ChannelData.isChannelData(bytes[0] & 0xFF)) {
            int channel = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
            int length = ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
            return new Message(-1, 0, null, List.of(), null, java.util.Arrays.copyOfRange(bytes, 4, 4 + length), channel, false);
        }
        StunMessage m = new StunMessage();
        assertEquals(StunParseResult.OK, m.wrap(Unpooled.wrappedBuffer(bytes), 0, bytes.length), "the server wrote bad STUN");
        List<InetSocketAddress> relayed = new ArrayList<>();
        for (int i = m.xorRelayedAddressIndex(); i >= 0; i = m.nextIndexOf(StunAttribute.XOR_RELAYED_ADDRESS, i + 1)) {
            relayed.add(m.xorSocketAddress(i));
        }
        InetSocketAddress peer = m.xorPeerAddressIndex() < 0 ? null : m.xorSocketAddress(m.xorPeerAddressIndex());
        byte[] data = null;
        if (m.hasData()) {
            data = new byte[m.dataLength()];
            m.buffer().getBytes(m.dataOffset(), data);
        }
        boolean verifies = integrity != null && m.hasMessageIntegrity() && integrity.verify(m);
        return new Message(m.messageType(), m.errorCode(), m.nonce(), relayed, peer, data, 0, verifies);
    }

    /** Whether the server closed the stream: end of stream or a reset, not a read timeout. */
    boolean isClosedByServer() {
        try {
            return stream.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        if (udp != null) udp.close();
        if (stream != null) stream.close();
    }
}
