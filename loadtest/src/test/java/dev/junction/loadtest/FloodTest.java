package dev.junction.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.demux.PacketClassifier;
import dev.junction.codec.demux.PacketKind;
import dev.junction.codec.stun.StunMessage;
import dev.junction.codec.stun.StunParseResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The flood's datagrams are what they claim to be, by our own classifier and STUN parser. */
class FloodTest {

    @Test
    void shouldBuildEachKindAsOneLengthOfItsClass() {
        for (Flood.Kind kind : Flood.Kind.values()) {
            byte[][] variants = Flood.variants(kind, "liveUfrag", new Random(1));
            for (byte[] v : variants) assertEquals(variants[0].length, v.length, kind + ": GSO needs one segment size");
            ByteBuf first = Unpooled.wrappedBuffer(variants[0]);
            PacketKind classified = PacketClassifier.classify(first, 0, variants[0].length);
            switch (kind) {
                case UNKNOWN_UFRAG, FORGED_INTEGRITY -> {
                    assertEquals(PacketKind.STUN, classified);
                    StunMessage stun = new StunMessage();
                    assertEquals(StunParseResult.OK, stun.wrap(first, 0, variants[0].length), kind + " is well-formed STUN");
                    assertTrue(stun.isBindingRequest() && stun.hasMessageIntegrity());
                    assertEquals(kind == Flood.Kind.FORGED_INTEGRITY, stun.username().startsWith("liveUfrag:"), stun.username());
                }
                case DTLS_HELLO -> {
                    assertEquals(PacketKind.DTLS, classified);
                    assertEquals(22, variants[0][0], "handshake record");
                    assertEquals(1, variants[0][13], "ClientHello");
                    int recordLength = ((variants[0][11] & 0xff) << 8) | (variants[0][12] & 0xff);
                    assertEquals(variants[0].length - 13, recordLength);
                }
                case UNBOUND_SRTP -> assertEquals(PacketKind.RTP, classified);
                case GARBAGE -> assertEquals(100, variants[0].length);
            }
            first.release();
        }
    }
}
