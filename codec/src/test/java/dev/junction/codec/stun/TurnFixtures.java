package dev.junction.codec.stun;

import static dev.junction.codec.stun.StunFixtures.hex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;

/** TURN messages (RFC 8656) for the codec tests: annotated byte fixtures, and writer-built messages signed with a long-term key. */
final class TurnFixtures {

    static final String USERNAME = "1767225600:alice";
    static final String REALM = "junction.test";
    static final String PASSWORD = "secret-password";
    static final String NONCE = "bm9uY2Utbm9uY2Utbm9uY2U";
    static final StunIntegrity INTEGRITY = StunIntegrity.longTerm(USERNAME, REALM, PASSWORD);
    static final byte[] TRANSACTION_ID = hex("01 02 03 04 05 06 07 08 09 0a 0b 0c");

    /** A Send indication (RFC 8656 §10.1) to 192.0.2.1:49152 carrying "hello". */
    static final byte[] SEND_INDICATION = hex("""
            00 16 00 18   # Send indication (method 0x006, class indication), length 24
            21 12 a4 42   # magic cookie
            01 02 03 04   # }
            05 06 07 08   # } transaction ID
            09 0a 0b 0c   # }
            00 12 00 08   # XOR-PEER-ADDRESS, length 8
            00 01 e1 12   # family IPv4, X-Port 49152 ^ 0x2112 = 0xe112
            e1 12 a6 43   # X-Address 192.0.2.1 (c0 00 02 01) ^ 21 12 a4 42
            00 13 00 05   # DATA, length 5
            68 65 6c 6c   # "hell"
            6f 00 00 00   # "o" and 3 bytes of padding
            """);

    /** Every Allocate attribute in one request (conflicting, which is for the server to judge), without integrity. */
    static final byte[] ALLOCATE_ATTRIBUTES = hex("""
            00 03 00 30   # Allocate request, length 48
            21 12 a4 42   # magic cookie
            01 02 03 04   # }
            05 06 07 08   # } transaction ID
            09 0a 0b 0c   # }
            00 19 00 04   # REQUESTED-TRANSPORT, length 4
            11 00 00 00   # protocol 17 (UDP), RFFU
            00 0d 00 04   # LIFETIME, length 4
            00 00 02 58   # 600 seconds
            00 18 00 01   # EVEN-PORT, length 1
            80 00 00 00   # R bit set, 3 bytes of padding
            00 1a 00 00   # DONT-FRAGMENT, empty
            00 17 00 04   # REQUESTED-ADDRESS-FAMILY, length 4
            02 00 00 00   # IPv6, RFFU
            00 22 00 08   # RESERVATION-TOKEN, length 8
            01 02 03 04   # }
            05 06 07 08   # } token
            """);

    /** A ChannelBind request (RFC 8656 §11.1) of channel 0x4001 to 192.0.2.1:49152, without integrity. */
    static final byte[] CHANNEL_BIND_UNSIGNED = hex("""
            00 09 00 14   # ChannelBind request, length 20
            21 12 a4 42   # magic cookie
            01 02 03 04   # }
            05 06 07 08   # } transaction ID
            09 0a 0b 0c   # }
            00 0c 00 04   # CHANNEL-NUMBER, length 4
            40 01 00 00   # 0x4001, RFFU
            00 12 00 08   # XOR-PEER-ADDRESS, length 8
            00 01 e1 12   # IPv4, port 49152
            e1 12 a6 43   # 192.0.2.1
            """);

    /** ChannelData (RFC 8656 §12.4) on channel 0x4001 carrying "hello", padded for TCP. */
    static final byte[] CHANNEL_DATA_PADDED = hex("""
            40 01 00 05   # channel 0x4001, length 5
            68 65 6c 6c   # "hell"
            6f 00 00 00   # "o" and 3 bytes of padding (TCP/TLS only)
            """);

    private TurnFixtures() {
    }

    /** An authenticated Allocate as a browser sends it after the 401 (RFC 8656 §7.1). */
    static byte[] allocateRequest() {
        return write(w -> w.begin(w.out, StunMessageType.ALLOCATE_REQUEST, TRANSACTION_ID)
                .requestedTransport(17)
                .lifetime(3600)
                .username(USERNAME).realm(REALM).nonce(NONCE)
                .messageIntegrity(INTEGRITY).fingerprint());
    }

    static byte[] allocateSuccessResponse() {
        return write(w -> w.begin(w.out, StunMessageType.ALLOCATE_SUCCESS_RESPONSE, TRANSACTION_ID)
                .xorRelayedAddress(new InetSocketAddress("198.51.100.7", 50000))
                .addressErrorCode(StunMessage.FAMILY_IPV6, StunErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED,
                        StunErrorCode.reason(StunErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED))
                .lifetime(600)
                .xorMappedAddress(new InetSocketAddress("203.0.113.9", 61000))
                .messageIntegrity(INTEGRITY).fingerprint());
    }

    static byte[] channelBindRequest() {
        return write(w -> w.begin(w.out, StunMessageType.CHANNEL_BIND_REQUEST, TRANSACTION_ID)
                .channelNumber(0x4001)
                .xorPeerAddress(new InetSocketAddress("2001:db8::1", 3478))
                .username(USERNAME).realm(REALM).nonce(NONCE)
                .messageIntegrity(INTEGRITY).fingerprint());
    }

    /** A writer bound to a fresh buffer, for the lambdas above. */
    private static final class BoundWriter {
        final StunWriter writer = new StunWriter();
        final ByteBuf out = Unpooled.buffer();

        StunWriter begin(ByteBuf out, int type, byte[] id) {
            return writer.begin(out, type, id);
        }
    }

    private interface Body {
        StunWriter write(BoundWriter w);
    }

    private static byte[] write(Body body) {
        BoundWriter w = new BoundWriter();
        try {
            body.write(w).finish();
            return StunFixtures.bytes(w.out);
        } finally {
            w.out.release();
        }
    }
}
