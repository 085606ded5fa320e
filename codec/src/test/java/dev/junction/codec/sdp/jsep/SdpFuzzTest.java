package dev.junction.codec.sdp.jsep;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the SDP parser and the answerer. In the normal test run each target replays
 * its seeds (the browser offers) from
 * {@code src/test/resources/dev/junction/codec/sdp/jsep/SdpFuzzTestInputs/<method>/}; with {@code JAZZER_FUZZ=1}
 * it fuzzes, and a crash is saved there as a regression input.
 */
class SdpFuzzTest {

    /** CRLF as libFuzzer's dictionary syntax spells it: entries are written verbatim between quotes. */
    private static final String CRLF = "\\x0D\\x0A";

    private final SdpInvariants invariants = new SdpInvariants();

    /** Arbitrary bytes as an HTTP body: parsed and written back to the same lines, or refused with one line. */
    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({CRLF, "v=0", "o=- 1 2 IN IP4 0.0.0.0", "m=audio ", "m=video ", "m=application ", " UDP/TLS/RTP/SAVPF ",
        "c=IN IP4 ", "a=rtpmap:", "a=fmtp:", "a=rtcp-fb:", "a=extmap:", "a=ssrc:", "a=ssrc-group:FID ", "a=msid:", "a=rid:",
        " send", " recv", "a=simulcast:", "a=candidate:", " typ host", "a=fingerprint:sha-256 ", "a=setup:", "a=mid:",
        "a=group:BUNDLE ", "a=bundle-only", "a=rtcp-mux", "a=ice-ufrag:", "a=ice-pwd:", "/recvonly", "/sendonly", "apt=",
        "profile-level-id=", "packetization-mode=", "profile-id=", "a=sendonly", "a=recvonly", "a=inactive"})
    void parseSdp(byte[] data) {
        invariants.check(data, false);
    }

    /** The same bytes through the answerer for a publisher and a subscriber: answers always pass the offerer's checks. */
    @FuzzTest(maxDuration = "60s")
    @DictionaryEntries({CRLF, "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000", "a=fmtp:97 apt=96", "H264/90000",
        "opus/48000/2", "a=group:BUNDLE 0 1", "a=mid:0", "a=mid:1", "a=bundle-only", "a=rid:q send", "a=simulcast:send q;h;f",
        "a=extmap:9/sendonly urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "a=setup:actpass", "a=sendrecv",
        "a=ssrc-group:FID 1 2", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel"})
    void answerOffer(byte[] data) {
        invariants.check(data);
    }
}
