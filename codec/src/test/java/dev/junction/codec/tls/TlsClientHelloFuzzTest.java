package dev.junction.codec.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the ClientHello reader that routes the public port's TLS (issue 10, hostile input).
 *
 * <p>{@link #readsAnyBytes}: arbitrary first bytes of a connection. Never an exception, the buffer untouched, the
 * same answer at another offset; a whole hello is asked for more at every shorter prefix and read the same from
 * every longer one, malformed stays malformed as bytes arrive; a server name is a lower-case DNS name of at most
 * 255 bytes, ALPN names are non-empty, and the hello never claims more bytes than it was given.
 *
 * <p>{@link #readsWhatWasWritten}: a ClientHello built from fuzzed server names, ALPN lists, other extensions and
 * record boundaries is read back with exactly that name and those protocols, and its byte count.
 *
 * <p>In the default test run Jazzer replays {@code TlsClientHelloFuzzTestInputs} (the captured OpenSSL and
 * Chromium hellos among them); {@code ./junction fuzz} fuzzes it.
 */
class TlsClientHelloFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readsAnyBytes(byte[] bytes) {
        // Wrapped, not allocated: a leak-aware buffer under paranoid detection records every read, 100 times slower.
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        byte[] around = new byte[5 + bytes.length + 4];
        System.arraycopy(bytes, 0, around, 5, bytes.length);
        System.arraycopy(new byte[] {0x16, 0x03, 0x01, 0x00}, 0, around, 5 + bytes.length, 4); // never read: past the range
        ByteBuf shifted = Unpooled.wrappedBuffer(around);
        try {
            TlsClientHello.Result whole = TlsClientHello.parse(buf, 0, bytes.length);
            assertEquals(whole, TlsClientHello.parse(shifted, 5, bytes.length), "another offset");
            assertEquals(0, buf.readerIndex());
            assertEquals(bytes.length, buf.writerIndex());
            assertInstanceOf(TlsClientHello.Malformed.class, TlsClientHello.parse(buf, 1, bytes.length), "a range outside the buffer");
            if (whole instanceof TlsClientHello.Hello hello) {
                assertTrue(hello.bytes() >= 5 + 4 && hello.bytes() <= bytes.length, "claimed " + hello.bytes());
                hello.serverName().ifPresent(name -> {
                    assertTrue(name.length() <= 255 && name.matches("[a-z0-9._-]+"), name);
                    assertEquals(name.toLowerCase(Locale.ROOT), name);
                });
                hello.alpn().forEach(protocol -> assertTrue(!protocol.isEmpty() && protocol.length() <= 255, protocol));
            }
            // Bytes arrive a piece at a time: the answer at each prefix agrees with the whole.
            for (int n : prefixes(bytes.length, whole)) {
                TlsClientHello.Result part = TlsClientHello.parse(buf, 0, n);
                switch (whole) {
                    case TlsClientHello.Hello hello -> {
                        if (n < hello.bytes()) assertInstanceOf(TlsClientHello.NeedMore.class, part, n + " of " + hello.bytes() + " bytes");
                        else assertEquals(hello, part, n + " bytes");
                    }
                    case TlsClientHello.NeedMore more -> assertInstanceOf(TlsClientHello.NeedMore.class, part, n + " bytes");
                    case TlsClientHello.Malformed bad -> {
                        if (part instanceof TlsClientHello.Hello) throw new AssertionError("a hello at " + n + " bytes, malformed at all: " + bad);
                    }
                }
            }
        } finally {
            buf.release();
            shifted.release();
        }
    }

    /** Every prefix of a short input; for a long one, the first 64, the last 64 and every 61st. */
    private static int[] prefixes(int length, TlsClientHello.Result whole) {
        List<Integer> out = new ArrayList<>();
        for (int n = 0; n <= length; n++) {
            if (length <= 600 || n < 64 || length - n < 64 || n % 61 == 0) out.add(n);
        }
        if (whole instanceof TlsClientHello.Hello hello) {
            out.add(hello.bytes() - 1);
            out.add(hello.bytes());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @FuzzTest(maxDuration = "30s")
    void readsWhatWasWritten(FuzzedDataProvider data) {
        String serverName = data.consumeBoolean() ? dnsName(data.consumeString(80)) : "";
        List<String> alpn = new ArrayList<>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
            byte[] name = data.consumeBytes(data.consumeInt(1, 40));
            if (name.length > 0) alpn.add(new String(name, StandardCharsets.ISO_8859_1));
        }
        int otherExtensions = data.consumeInt(0, 6);
        int sessionId = data.consumeInt(0, 32);
        int suites = data.consumeInt(1, 40);
        int recordSize = data.consumeInt(4, TlsClientHello.MAX_RECORD_FRAGMENT);
        byte[] filler = data.consumeRemainingAsBytes();

        ByteBuf ext = Unpooled.buffer();
        ByteBuf body = Unpooled.buffer();
        ByteBuf records = Unpooled.buffer();
        try {
            for (int i = 0; i < otherExtensions; i++) {
                int type = 0x002b + 5 * i; // none of them server_name (0) or ALPN (16)
                int length = Math.min(filler.length, 7 * i);
                ext.writeShort(type).writeShort(length).writeBytes(filler, 0, length);
                if (i == 0 && !serverName.isEmpty()) writeServerName(ext, serverName);
                if (i == 1 && !alpn.isEmpty()) writeAlpn(ext, alpn);
            }
            if (otherExtensions == 0 && !serverName.isEmpty()) writeServerName(ext, serverName);
            if (otherExtensions <= 1 && !alpn.isEmpty()) writeAlpn(ext, alpn);
            body.writeShort(0x0303).writeBytes(new byte[32])
                    .writeByte(sessionId).writeBytes(new byte[sessionId])
                    .writeShort(2 * suites).writeBytes(new byte[2 * suites])
                    .writeByte(1).writeByte(0);
            if (ext.isReadable()) body.writeShort(ext.readableBytes()).writeBytes(ext);
            ByteBuf handshake = Unpooled.buffer().writeByte(TlsClientHello.CLIENT_HELLO).writeMedium(body.readableBytes()).writeBytes(body);
            try {
                // One record per recordSize bytes of the handshake message (RFC 8446 §5.1 allows any split).
                while (handshake.isReadable()) {
                    int n = Math.min(recordSize, handshake.readableBytes());
                    records.writeByte(TlsClientHello.CONTENT_HANDSHAKE).writeShort(0x0301).writeShort(n).writeBytes(handshake, n);
                }
            } finally {
                handshake.release();
            }
            int total = records.readableBytes();
            records.writeBytes(filler, 0, Math.min(filler.length, 16)); // what the client sends next is not read
            TlsClientHello.Result result = TlsClientHello.parse(records, 0, records.readableBytes());
            if (body.readableBytes() > TlsClientHello.MAX_HELLO_BYTES) {
                assertInstanceOf(TlsClientHello.Malformed.class, result);
                return;
            }
            TlsClientHello.Hello hello = assertInstanceOf(TlsClientHello.Hello.class, result);
            assertEquals(serverName.isEmpty() ? Optional.empty() : Optional.of(serverName.toLowerCase(Locale.ROOT)), hello.serverName());
            assertEquals(alpn, hello.alpn());
            assertEquals(total, hello.bytes());
            assertInstanceOf(TlsClientHello.NeedMore.class, TlsClientHello.parse(records, 0, total - 1));
        } finally {
            ext.release();
            body.release();
            records.release();
        }
    }

    /** The fuzzed string cut down to the characters a routable name may have (RFC 6066 §3 host_name). */
    private static String dnsName(String s) {
        String name = s.replaceAll("[^A-Za-z0-9._-]", "");
        return name.isEmpty() ? "turn.example.com" : name;
    }

    private static void writeServerName(ByteBuf ext, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        ext.writeShort(TlsClientHello.EXT_SERVER_NAME).writeShort(2 + 3 + bytes.length)
                .writeShort(3 + bytes.length).writeByte(0).writeShort(bytes.length).writeBytes(bytes);
    }

    private static void writeAlpn(ByteBuf ext, List<String> protocols) {
        int listLength = 0;
        for (String p : protocols) listLength += 1 + p.length();
        ext.writeShort(TlsClientHello.EXT_ALPN).writeShort(2 + listLength).writeShort(listLength);
        for (String p : protocols) ext.writeByte(p.length()).writeBytes(p.getBytes(StandardCharsets.ISO_8859_1));
    }
}
