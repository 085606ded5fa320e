package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.codec.sdp.jsep.IceCandidate.Extension;
import dev.junction.codec.sdp.jsep.IceCandidate.TcpType;
import dev.junction.codec.sdp.jsep.IceCandidate.Transport;
import dev.junction.codec.sdp.jsep.IceCandidate.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Coverage-guided fuzzing (Jazzer) of the trickle-ice-sdpfrag parser and the candidate parser and writer. In the
 * normal test run each target replays its seeds from
 * {@code src/test/resources/dev/junction/codec/sdp/jsep/TrickleFragmentFuzzTestInputs/<method>/} (copies of the
 * {@code sdpfrag/} fixtures and real candidate lines); with {@code JAZZER_FUZZ=1} it fuzzes, and a crash is saved
 * there as a regression input.
 */
class TrickleFragmentFuzzTest {

    /** CRLF as libFuzzer's dictionary syntax spells it: entries are written verbatim between quotes. */
    private static final String CRLF = "\\x0D\\x0A";

    private final TrickleFragmentInvariants invariants = new TrickleFragmentInvariants();

    /** Arbitrary bytes as a PATCH body: a fragment that satisfies {@link TrickleFragmentInvariants}, or one line. */
    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({CRLF, "a=candidate:", " typ host", " typ srflx", " typ relay", " raddr ", " rport ", " tcptype active",
        " UDP ", " udp ", " tcp ", " generation 0", " ufrag ", " network-id 1", ".local", "::1", "a=ice-ufrag:", "a=ice-pwd:",
        "a=ice-options:trickle", "a=ice-lite", "a=end-of-candidates", "a=mid:0", "a=mid:1", "a=group:BUNDLE 0 1",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=video 9 RTP/AVP 0", "v=0", "c=IN IP4 0.0.0.0", "a=rtpmap:"})
    void parseFragment(byte[] data) {
        invariants.check(data);
    }

    /** Arbitrary text as an a=candidate value: refused with one line, or written back to an equal record. */
    @FuzzTest(maxDuration = "30s")
    @DictionaryEntries({" typ ", "host", "srflx", "prflx", "relay", " raddr ", " rport ", " tcptype ", "active", "passive",
        "so", "udp", "TCP", ".local", "::", "ffff:"})
    void parseCandidate(byte[] data) {
        String value = new String(data, StandardCharsets.UTF_8);
        switch (IceCandidate.parse(value)) {
            case IceCandidate.Rejected r -> {
                assertFalse(r.reason().isEmpty());
                assertFalse(r.reason().contains("\n") || r.reason().contains("\r"), r.reason());
            }
            case IceCandidate.Parsed p -> assertEquals(p, IceCandidate.parse(p.candidate().write()));
        }
    }

    /** Whatever record the constructor accepts, the writer writes and the parser reads back equal. */
    @FuzzTest(maxDuration = "30s")
    void writeThenParse(FuzzedDataProvider data) {
        String foundation = data.consumeString(40);
        int component = data.consumeInt(0, 300);
        Transport transport = data.pickValue(Transport.values());
        long priority = data.consumeLong(-1, IceCandidate.MAX_PRIORITY + 1);
        String address = data.consumeString(80);
        int port = data.consumeInt(-1, 70000);
        Type type = data.pickValue(Type.values());
        Optional<String> raddr = data.consumeBoolean() ? Optional.of(data.consumeString(60)) : Optional.empty();
        OptionalInt rport = data.consumeBoolean() ? OptionalInt.of(data.consumeInt(-1, 70000)) : OptionalInt.empty();
        Optional<TcpType> tcpType = data.consumeBoolean() ? Optional.of(data.pickValue(TcpType.values())) : Optional.empty();
        List<Extension> extensions = new ArrayList<>();
        for (int i = data.consumeInt(0, 18); i > 0; i--) {
            try {
                extensions.add(new Extension(data.consumeString(20), data.consumeString(40)));
            } catch (IllegalArgumentException e) {
                return; // not a pair a caller may build
            }
        }
        IceCandidate candidate;
        try {
            candidate = new IceCandidate(foundation, component, transport, priority, address, port, type, raddr, rport,
                    tcpType, extensions);
        } catch (IllegalArgumentException e) {
            assertFalse(e.getMessage().isEmpty());
            return;
        }
        assertEquals(new IceCandidate.Parsed(candidate), IceCandidate.parse(candidate.write()));
        String answer = IceRestartAnswer.write(new IceCredentials("abcd", "abcdefghijklmnopqrstuv"), List.of(candidate));
        invariants.check(answer.getBytes(StandardCharsets.UTF_8));
    }
}
