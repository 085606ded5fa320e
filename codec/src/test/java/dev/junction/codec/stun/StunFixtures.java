package dev.junction.codec.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;

/**
 * STUN byte fixtures: the RFC 5769 test vectors annotated field by field (checked against the RFC text),
 * an ICE connectivity check shaped like Chromium's, and the buffer shapes every test runs over.
 */
final class StunFixtures {

    /** RFC 5769 §2.1-2.3 short-term password. */
    static final String PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";
    static final byte[] TRANSACTION_ID = hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");

    /** RFC 5769 §2.1 Sample Request. Software "STUN test client", username "evtj:h6vY". */
    static final byte[] SAMPLE_REQUEST = hex("""
            00 01 00 58   # Request type and message length
            21 12 a4 42   # Magic cookie
            b7 e7 a7 01   # }
            bc 34 d6 86   # }  Transaction ID
            fa 87 df ae   # }
            80 22 00 10   # SOFTWARE attribute header
            53 54 55 4e   # }
            20 74 65 73   # }  User-agent...
            74 20 63 6c   # }  ...name
            69 65 6e 74   # }
            00 24 00 04   # PRIORITY attribute header
            6e 00 01 ff   # ICE priority value
            80 29 00 08   # ICE-CONTROLLED attribute header
            93 2f f9 b1   # }  Pseudo-random tie breaker...
            51 26 3b 36   # }   ...for ICE control
            00 06 00 09   # USERNAME attribute header
            65 76 74 6a   # }
            3a 68 36 76   # }  Username (9 bytes) and padding (3 bytes, 0x20)
            59 20 20 20   # }
            00 08 00 14   # MESSAGE-INTEGRITY attribute header
            9a ea a7 0c   # }
            bf d8 cb 56   # }
            78 1e f2 b5   # }  HMAC-SHA1 fingerprint
            b2 d3 f2 49   # }
            c1 b5 71 a2   # }
            80 28 00 04   # FINGERPRINT attribute header
            e5 7a 3b cf   # CRC32 fingerprint
            """);

    /** RFC 5769 §2.2 Sample IPv4 Response. Software "test vector", mapped address 192.0.2.1 port 32853. */
    static final byte[] SAMPLE_IPV4_RESPONSE = hex("""
            01 01 00 3c   # Response type and message length
            21 12 a4 42   # Magic cookie
            b7 e7 a7 01   # }
            bc 34 d6 86   # }  Transaction ID
            fa 87 df ae   # }
            80 22 00 0b   # SOFTWARE attribute header
            74 65 73 74   # }
            20 76 65 63   # }  UTF-8 server name (11 bytes) and padding (1 byte, 0x20)
            74 6f 72 20   # }
            00 20 00 08   # XOR-MAPPED-ADDRESS attribute header
            00 01 a1 47   # Address family (IPv4) and xor'd mapped port number
            e1 12 a6 43   # Xor'd mapped IPv4 address
            00 08 00 14   # MESSAGE-INTEGRITY attribute header
            2b 91 f5 99   # }
            fd 9e 90 c3   # }
            8c 74 89 f9   # }  HMAC-SHA1 fingerprint
            2a f9 ba 53   # }
            f0 6b e7 d7   # }
            80 28 00 04   # FINGERPRINT attribute header
            c0 7d 4c 96   # CRC32 fingerprint
            """);

    /** RFC 5769 §2.3 Sample IPv6 Response. Mapped address 2001:db8:1234:5678:11:2233:4455:6677 port 32853. */
    static final byte[] SAMPLE_IPV6_RESPONSE = hex("""
            01 01 00 48   # Response type and message length
            21 12 a4 42   # Magic cookie
            b7 e7 a7 01   # }
            bc 34 d6 86   # }  Transaction ID
            fa 87 df ae   # }
            80 22 00 0b   # SOFTWARE attribute header
            74 65 73 74   # }
            20 76 65 63   # }  UTF-8 server name (11 bytes) and padding (1 byte, 0x20)
            74 6f 72 20   # }
            00 20 00 14   # XOR-MAPPED-ADDRESS attribute header
            00 02 a1 47   # Address family (IPv6) and xor'd mapped port number
            01 13 a9 fa   # }
            a5 d3 f1 79   # }  Xor'd mapped IPv6 address
            bc 25 f4 b5   # }
            be d2 b9 d9   # }
            00 08 00 14   # MESSAGE-INTEGRITY attribute header
            a3 82 95 4e   # }
            4b e6 7b f1   # }
            17 84 c9 7c   # }  HMAC-SHA1 fingerprint
            82 92 c2 75   # }
            bf e3 ed 41   # }
            80 28 00 04   # FINGERPRINT attribute header
            c8 fb 0b 4c   # CRC32 fingerprint
            """);

    /** RFC 5769 §2.4 long-term credentials: username U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9. */
    static final String LONG_TERM_USERNAME = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
    /** RFC 5769 §2.4 password before SASLprep; "TheMatrIX" after. */
    static final String LONG_TERM_PASSWORD = "The\u00ADM\u00AAtr\u2168";
    static final String LONG_TERM_NONCE = "f//499k954d6OL34oL9FSTvy64sA";
    static final String LONG_TERM_REALM = "example.org";
    static final byte[] LONG_TERM_TRANSACTION_ID = hex("78 ad 34 33 c6 ad 72 c0 29 da 41 2e");

    /** RFC 5769 §2.4 Sample Request with Long-Term Authentication (no FINGERPRINT). */
    static final byte[] SAMPLE_LONG_TERM_REQUEST = hex("""
            00 01 00 60   # Request type and message length
            21 12 a4 42   # Magic cookie
            78 ad 34 33   # }
            c6 ad 72 c0   # }  Transaction ID
            29 da 41 2e   # }
            00 06 00 12   # USERNAME attribute header
            e3 83 9e e3   # }
            83 88 e3 83   # }
            aa e3 83 83   # }  Username value (18 bytes) and padding (2 bytes)
            e3 82 af e3   # }
            82 b9 00 00   # }
            00 15 00 1c   # NONCE attribute header
            66 2f 2f 34   # }
            39 39 6b 39   # }
            35 34 64 36   # }
            4f 4c 33 34   # }  Nonce value
            6f 4c 39 46   # }
            53 54 76 79   # }
            36 34 73 41   # }
            00 14 00 0b   # REALM attribute header
            65 78 61 6d   # }
            70 6c 65 2e   # }  Realm value (11 bytes) and padding (1 byte)
            6f 72 67 00   # }
            00 08 00 14   # MESSAGE-INTEGRITY attribute header
            f6 70 24 65   # }
            6d d6 4a 3e   # }
            02 b8 e0 71   # }  HMAC-SHA1 fingerprint
            2e 85 c9 a2   # }
            8c a8 96 66   # }
            """);

    /** Our ufrag and ice-pwd as the gateway's answer would carry them, and the browser's ufrag. */
    static final String LOCAL_UFRAG = "Jx7fQ2kd";
    static final String LOCAL_PASSWORD = "q9P1vR6mZt3LwY8eK2aN5sHc";
    static final String REMOTE_UFRAG = "3T4n";
    static final long CHROME_PRIORITY = 1853824767L;
    static final long CHROME_TIE_BREAKER = 0x5a2f0c77d1e83b49L;
    static final byte[] CHROME_TRANSACTION_ID = hex("4d 6b 2f 51 71 47 63 4a 39 7a 44 6e");
    /** GOOG-NETWORK-INFO value: network id 1, cost 10. */
    static final byte[] GOOG_NETWORK_INFO_VALUE = hex("00 01 00 0a");

    /**
     * {@link #chromeBindingRequest()} as computed by an independent implementation (Python hmac, zlib),
     * to check the writer byte for byte on the message shape the gateway receives most.
     */
    static final byte[] CHROME_BINDING_REQUEST = hex("""
            00 01 00 54   # Binding request, message length 84
            21 12 a4 42   # Magic cookie
            4d 6b 2f 51   # }
            71 47 63 4a   # }  Transaction ID
            39 7a 44 6e   # }
            00 06 00 0d   # USERNAME, 13 bytes: "Jx7fQ2kd:3T4n" (our ufrag : browser's ufrag)
            4a 78 37 66   # }
            51 32 6b 64   # }
            3a 33 54 34   # }
            6e 00 00 00   # }  and 3 bytes of padding
            c0 57 00 04   # GOOG-NETWORK-INFO (comprehension-optional)
            00 01 00 0a   # network id 1, cost 10
            80 2a 00 08   # ICE-CONTROLLING
            5a 2f 0c 77   # }  tie-breaker
            d1 e8 3b 49   # }
            00 25 00 00   # USE-CANDIDATE (nomination)
            00 24 00 04   # PRIORITY
            6e 7f 1e ff   # 1853824767 (type preference 110, host)
            00 08 00 14   # MESSAGE-INTEGRITY, key = ice-pwd "q9P1vR6mZt3LwY8eK2aN5sHc"
            bf 17 6c 73   # }
            87 3e 03 9b   # }
            65 65 b7 43   # }  HMAC-SHA1
            b6 6c 2f 35   # }
            06 86 57 74   # }
            80 28 00 04   # FINGERPRINT
            d4 52 c1 5b   # CRC-32 XOR 0x5354554E
            """);

    private StunFixtures() {
    }

    /**
     * A nominating connectivity check in the order Chromium writes it (USERNAME, GOOG-NETWORK-INFO,
     * ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT), 104 bytes.
     */
    static byte[] chromeBindingRequest() {
        ByteBuf out = Unpooled.buffer();
        try {
            new StunWriter().begin(out, StunMessageType.BINDING_REQUEST, CHROME_TRANSACTION_ID)
                    .username(LOCAL_UFRAG + ":" + REMOTE_UFRAG)
                    .attribute(StunAttribute.GOOG_NETWORK_INFO, GOOG_NETWORK_INFO_VALUE, 0, 4)
                    .iceControlling(CHROME_TIE_BREAKER)
                    .useCandidate()
                    .priority(CHROME_PRIORITY)
                    .messageIntegrity(StunIntegrity.shortTerm(LOCAL_PASSWORD))
                    .fingerprint()
                    .finish();
            return bytes(out);
        } finally {
            out.release();
        }
    }

    static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }

    /** Hexadecimal bytes; whitespace is ignored and {@code #} starts a comment running to the end of the line. */
    static byte[] hex(String annotated) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int nibble = -1;
        boolean comment = false;
        for (int i = 0; i < annotated.length(); i++) {
            char c = annotated.charAt(i);
            if (c == '\n') {
                comment = false;
            } else if (comment || Character.isWhitespace(c)) {
                continue;
            } else if (c == '#') {
                comment = true;
            } else {
                int v = Character.digit(c, 16);
                if (v < 0) {
                    throw new IllegalArgumentException("not hex: " + c);
                }
                if (nibble < 0) {
                    nibble = v;
                } else {
                    out.write(nibble << 4 | v);
                    nibble = -1;
                }
            }
        }
        if (nibble >= 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        return out.toByteArray();
    }

    /** The buffer shapes a message may arrive in; each must give the same results. */
    enum BufferShape {
        /** Unpooled heap, message at index 0: the backing-array path with arrayOffset 0. */
        HEAP,
        /** Pooled heap, message after 13 other bytes: backing array with a non-zero arrayOffset and index. */
        POOLED_HEAP_AT_OFFSET,
        /** Pooled direct, as Netty epoll delivers datagrams: the scratch-copy path. */
        POOLED_DIRECT,
        /** Pooled direct, message after 13 other bytes. */
        POOLED_DIRECT_AT_OFFSET,
        /** Two components split mid-message: neither array nor single memory region. */
        COMPOSITE;

        /** A new buffer whose readable bytes are {@code message}; the caller releases it. */
        ByteBuf copyOf(byte[] message) {
            ByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;
            return switch (this) {
                case HEAP -> Unpooled.buffer(message.length).writeBytes(message);
                case POOLED_HEAP_AT_OFFSET -> atOffset(pooled.heapBuffer(message.length + 13), message);
                case POOLED_DIRECT -> pooled.directBuffer(message.length).writeBytes(message);
                case POOLED_DIRECT_AT_OFFSET -> atOffset(pooled.directBuffer(message.length + 13), message);
                case COMPOSITE -> {
                    CompositeByteBuf composite = Unpooled.compositeBuffer();
                    int half = message.length / 2;
                    composite.addComponent(true, pooled.directBuffer(half).writeBytes(message, 0, half));
                    composite.addComponent(true, Unpooled.buffer(message.length - half)
                            .writeBytes(message, half, message.length - half));
                    yield composite;
                }
            };
        }

        private static ByteBuf atOffset(ByteBuf buf, byte[] message) {
            for (int i = 0; i < 13; i++) {
                buf.writeByte(0xA5);
            }
            buf.writeBytes(message);
            buf.readerIndex(13);
            return buf;
        }
    }
}
