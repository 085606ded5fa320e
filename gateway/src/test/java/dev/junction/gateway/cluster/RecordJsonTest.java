package dev.junction.gateway.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.junction.codec.sdp.MediaKind;
import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.Msid;
import dev.junction.codec.sdp.SdpAttribute.SsrcGroup;
import dev.junction.codec.sdp.jsep.NegotiatedCodec;
import dev.junction.codec.sdp.jsep.NegotiatedMedia;
import dev.junction.codec.sdp.jsep.RemoteSsrc;
import dev.junction.codec.sdp.jsep.RtcpFeedback;
import dev.junction.codec.sdp.jsep.SimulcastLayer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What a node pipe announces about a Producer: its negotiated m-section, to JSON and back (issue 14). */
class RecordJsonTest {

    private static final NegotiatedMedia VIDEO = new NegotiatedMedia(1, "1", MediaKind.VIDEO, true, "", Direction.RECVONLY,
            List.of(new NegotiatedCodec(96, "VP8", 90_000, 1, "", Map.of(), OptionalInt.of(97),
                    List.of(new RtcpFeedback("nack", ""), new RtcpFeedback("nack", "pli")))),
            Map.of("urn:ietf:params:rtp-hdrext:sdes:mid", 4),
            List.of(new SimulcastLayer("h", false), new SimulcastLayer("l", true)),
            List.of(new RemoteSsrc(0xFFFF_FFFEL, OptionalLong.of(12), "cname"), new RemoteSsrc(5, OptionalLong.empty(), "cname")),
            List.of(new SsrcGroup("SIM", List.of(1L, 2L))), Optional.of(new Msid("stream", "track")), Optional.empty(), true, false);

    @Test
    void shouldRoundTripANegotiatedMediaSectionThroughItsEncodedText() {
        String wire = RecordJson.encode(VIDEO).encode();
        assertEquals(VIDEO, RecordJson.decode(new JsonObject(wire), NegotiatedMedia.class));
    }

    @Test
    void shouldRefuseJsonThatDoesNotFitTheRecordTypes() {
        JsonObject json = RecordJson.encode(VIDEO);
        assertThrows(IllegalArgumentException.class, () -> RecordJson.decode(json.copy().put("kind", "HOLOGRAM"), NegotiatedMedia.class));
        assertThrows(IllegalArgumentException.class, () -> RecordJson.decode(json.copy().put("codecs", "not a list"), NegotiatedMedia.class));
        assertThrows(IllegalArgumentException.class, () -> RecordJson.decode(json.copy().put("index", "1"), NegotiatedMedia.class));
        JsonObject missing = json.copy();
        missing.remove("mid");
        assertThrows(IllegalArgumentException.class, () -> RecordJson.decode(missing, NegotiatedMedia.class));
    }
}
