package dev.junction.codec.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The ClientHello reader against hellos captured from OpenSSL and Chromium, a hand-built one annotated field by
 * field, every truncation of them, and malformed lengths.
 */
class TlsClientHelloTest {

    /**
     * A minimal TLS 1.2 ClientHello with SNI "turn.example.com" and ALPN "stun.turn", annotated.
     */
    static byte[] annotatedHello() {
        byte[] sniName = "turn.example.com".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] alpn = "stun.turn".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuf ext = Unpooled.buffer();
        ext.writeShort(0).writeShort(2 + 3 + sniName.length)          // server_name, extension_data length
                .writeShort(3 + sniName.length)                       // ServerNameList length
                .writeByte(0).writeShort(sniName.length).writeBytes(sniName); // host_name, HostName
        ext.writeShort(16).writeShort(2 + 1 + alpn.length)            // ALPN, extension_data length
                .writeShort(1 + alpn.length)                          // ProtocolNameList length
                .writeByte(alpn.length).writeBytes(alpn);             // ProtocolName
        ext.writeShort(0x002b).writeShort(3).writeByte(2).writeShort(0x0304); // supported_versions: TLS 1.3 (ignored)
        ByteBuf body = Unpooled.buffer();
        body.writeShort(0x0303)                                       // legacy_version TLS 1.2
                .writeZero(32)                                        // random
                .writeByte(0)                                         // legacy_session_id: empty
                .writeShort(2).writeShort(0x1301)                     // cipher_suites: TLS_AES_128_GCM_SHA256
                .writeByte(1).writeByte(0)                            // legacy_compression_methods: null
                .writeShort(ext.readableBytes()).writeBytes(ext);     // extensions
        ByteBuf record = Unpooled.buffer();
        record.writeByte(22).writeShort(0x0301)                       // handshake, legacy_record_version
                .writeShort(4 + body.readableBytes())                 // record length
                .writeByte(1).writeMedium(body.readableBytes())       // client_hello, length
                .writeBytes(body);
        byte[] out = new byte[record.readableBytes()];
        record.readBytes(out);
        ext.release();
        body.release();
        record.release();
        return out;
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = TlsClientHelloTest.class.getResourceAsStream("/tls/" + name)) {
            return in.readAllBytes();
        }
    }

    private static TlsClientHello.Result parse(byte[] bytes, int length) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes, 0, length);
        try {
            return TlsClientHello.parse(buf, 0, length);
        } finally {
            if (length > 0) assertTrue(buf.release()); // an empty wrap is the shared EMPTY_BUFFER
        }
    }

    @Test
    void shouldReadServerNameAndAlpnFromAnAnnotatedHello() {
        byte[] hello = annotatedHello();
        TlsClientHello.Hello parsed = assertInstanceOf(TlsClientHello.Hello.class, parse(hello, hello.length));
        assertEquals(Optional.of("turn.example.com"), parsed.serverName());
        assertEquals(List.of("stun.turn"), parsed.alpn());
        assertEquals(hello.length, parsed.bytes());
    }

    @Test
    void shouldReadOpenSslsHello() throws IOException {
        byte[] hello = resource("openssl-3-clienthello-sni-alpn.bin");
        TlsClientHello.Hello parsed = assertInstanceOf(TlsClientHello.Hello.class, parse(hello, hello.length));
        assertEquals(Optional.of("turn.example.com"), parsed.serverName());
        assertEquals(List.of("stun.turn", "http/1.1"), parsed.alpn());
        assertTrue(parsed.offers("stun.turn"));
    }

    @Test
    void shouldReadChromiumsPostQuantumHello() throws IOException {
        byte[] hello = resource("chromium-156-clienthello.bin");
        TlsClientHello.Hello parsed = assertInstanceOf(TlsClientHello.Hello.class, parse(hello, hello.length));
        assertEquals(Optional.of("turn.example.com"), parsed.serverName());
        assertEquals(List.of("h2", "http/1.1"), parsed.alpn());
        assertEquals(hello.length, parsed.bytes());
    }

    @Test
    void shouldAskForMoreAtEveryTruncation() throws IOException {
        for (byte[] hello : List.of(annotatedHello(), resource("openssl-3-clienthello-sni-alpn.bin"), resource("chromium-156-clienthello.bin"))) {
            for (int n = 0; n < hello.length; n++) {
                assertInstanceOf(TlsClientHello.NeedMore.class, parse(hello, n), "prefix of " + n + " bytes");
            }
        }
    }

    @Test
    void shouldReassembleAHelloSplitOverTwoRecords() {
        byte[] hello = annotatedHello();
        int handshake = hello.length - 5;
        int first = 40;
        ByteBuf two = Unpooled.buffer();
        two.writeByte(22).writeShort(0x0301).writeShort(first).writeBytes(hello, 5, first);
        two.writeByte(22).writeShort(0x0301).writeShort(handshake - first).writeBytes(hello, 5 + first, handshake - first);
        try {
            TlsClientHello.Hello parsed = assertInstanceOf(TlsClientHello.Hello.class, TlsClientHello.parse(two, 0, two.readableBytes()));
            assertEquals(Optional.of("turn.example.com"), parsed.serverName());
            assertEquals(hello.length + 5, parsed.bytes());
        } finally {
            assertTrue(two.release());
        }
    }

    @Test
    void shouldRefuseMalformedLengths() {
        byte[] hello = annotatedHello();
        // The extensions length one too long.
        int extensionsLength = 5 + 4 + 2 + 32 + 1 + 4 + 2;
        byte[] bad = hello.clone();
        bad[extensionsLength + 1]++;
        assertInstanceOf(TlsClientHello.Malformed.class, parse(bad, bad.length));
        // A record that is not a handshake.
        byte[] alert = hello.clone();
        alert[0] = 21;
        assertInstanceOf(TlsClientHello.Malformed.class, parse(alert, alert.length));
        // A handshake that is not a ClientHello (a ServerHello).
        byte[] server = hello.clone();
        server[5] = 2;
        assertInstanceOf(TlsClientHello.Malformed.class, parse(server, server.length));
        // A session id longer than 32.
        byte[] session = hello.clone();
        session[5 + 4 + 2 + 32] = 33;
        assertInstanceOf(TlsClientHello.Malformed.class, parse(session, session.length));
        // A record length over 2^14.
        byte[] huge = {22, 3, 1, (byte) 0x40, 1, 1};
        assertInstanceOf(TlsClientHello.Malformed.class, parse(huge, huge.length));
    }

    @Test
    void shouldNeverThrowOnRandomBytesAfterARecordHeader() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] hello = annotatedHello();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) hello[5 + random.nextInt(hello.length - 5)] = (byte) random.nextInt(256);
            parse(hello, random.nextInt(hello.length + 1));
        }
    }
}
