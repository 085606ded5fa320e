package dev.junction.gateway.bench;

/**
 * Two captured Chromium 156 offers, byte for byte (codec's {@code src/test/resources/sdp/}
 * {@code chromium-publisher-vp8.sdp} and {@code chromium-subscriber-vp8.sdp}) with CRLF restored at run time.
 * Copied because the {@code jmh} profile packs a module's own {@code src/test/resources/sdp} into its benchmark
 * jar and gateway has none; codec's test-jar is test scope and not shaded in.
 */
final class ChromiumOffers {
    /** WHIP: Opus + VP8 (96, rtx 97), {@code a=ssrc} and {@code ssrc-group:FID} announced, no simulcast. */
    static final String PUBLISHER_VP8 = crlf("""
            v=0
            o=- 7576503174322163237 2 IN IP4 127.0.0.1
            s=-
            t=0 0
            a=group:BUNDLE 0 1
            a=extmap-allow-mixed
            a=msid-semantic: WMS 4b807c18-9fbd-4109-9b56-639793b319e4
            m=audio 48461 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
            c=IN IP4 127.0.0.1
            a=rtcp:9 IN IP4 0.0.0.0
            a=candidate:2575976833 1 udp 2122260223 127.0.0.1 48461 typ host generation 0 network-id 1 network-cost 50
            a=candidate:3880102681 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 50
            a=ice-ufrag:NkWT
            a=ice-pwd:T+gJnGNWycD/LhRmrrWEMLUM
            a=ice-options:trickle
            a=fingerprint:sha-256 E6:1D:54:07:F1:25:05:B5:CA:DC:95:39:15:4B:50:DB:F2:58:90:82:19:41:9B:FC:CC:F3:61:C0:57:C8:69:8B
            a=setup:actpass
            a=mid:0
            a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
            a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
            a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
            a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
            a=sendonly
            a=msid:4b807c18-9fbd-4109-9b56-639793b319e4 c24e0ea1-b4eb-4727-a0b8-2968bfef9d7a
            a=rtcp-mux
            a=rtcp-rsize
            a=rtcp-xr:rcvr-rtt=all
            a=rtpmap:111 opus/48000/2
            a=rtcp-fb:111 transport-cc
            a=fmtp:111 minptime=10;useinbandfec=1
            a=rtpmap:63 red/48000/2
            a=fmtp:63 111/111
            a=rtpmap:9 G722/8000
            a=rtpmap:0 PCMU/8000
            a=rtpmap:8 PCMA/8000
            a=rtpmap:13 CN/8000
            a=rtpmap:110 telephone-event/48000
            a=rtpmap:126 telephone-event/8000
            a=ssrc:1052558368 cname:+GOoJjxZB17QM+Cl
            a=ssrc:1052558368 msid:4b807c18-9fbd-4109-9b56-639793b319e4 c24e0ea1-b4eb-4727-a0b8-2968bfef9d7a
            m=video 9 UDP/TLS/RTP/SAVPF 96 97 118 119 120
            c=IN IP4 0.0.0.0
            a=rtcp:9 IN IP4 0.0.0.0
            a=ice-ufrag:NkWT
            a=ice-pwd:T+gJnGNWycD/LhRmrrWEMLUM
            a=ice-options:trickle
            a=fingerprint:sha-256 E6:1D:54:07:F1:25:05:B5:CA:DC:95:39:15:4B:50:DB:F2:58:90:82:19:41:9B:FC:CC:F3:61:C0:57:C8:69:8B
            a=setup:actpass
            a=mid:1
            a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
            a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
            a=extmap:13 urn:3gpp:video-orientation
            a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
            a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
            a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
            a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
            a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
            a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
            a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
            a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
            a=sendonly
            a=msid:4b807c18-9fbd-4109-9b56-639793b319e4 090ea826-c4ee-4408-a47f-ccd9d00c80c9
            a=rtcp-mux
            a=rtcp-rsize
            a=rtcp-xr:rcvr-rtt=all
            a=rtpmap:96 VP8/90000
            a=rtcp-fb:96 goog-remb
            a=rtcp-fb:96 transport-cc
            a=rtcp-fb:96 ccm fir
            a=rtcp-fb:96 nack
            a=rtcp-fb:96 nack pli
            a=rtpmap:97 rtx/90000
            a=fmtp:97 apt=96
            a=rtpmap:118 red/90000
            a=rtpmap:119 rtx/90000
            a=fmtp:119 apt=118
            a=rtpmap:120 ulpfec/90000
            a=ssrc-group:FID 1593892092 881826833
            a=ssrc:1593892092 cname:+GOoJjxZB17QM+Cl
            a=ssrc:1593892092 msid:4b807c18-9fbd-4109-9b56-639793b319e4 090ea826-c4ee-4408-a47f-ccd9d00c80c9
            a=ssrc:881826833 cname:+GOoJjxZB17QM+Cl
            a=ssrc:881826833 msid:4b807c18-9fbd-4109-9b56-639793b319e4 090ea826-c4ee-4408-a47f-ccd9d00c80c9
            """);

    /** WHEP: recvonly audio and video, VP8 first, the same extension ids as the publisher. */
    static final String SUBSCRIBER_VP8 = crlf("""
            v=0
            o=- 5529783087001425333 2 IN IP4 127.0.0.1
            s=-
            t=0 0
            a=group:BUNDLE 0 1
            a=extmap-allow-mixed
            a=msid-semantic: WMS
            m=audio 46405 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
            c=IN IP4 127.0.0.1
            a=rtcp:9 IN IP4 0.0.0.0
            a=candidate:2065127802 1 udp 2122260223 127.0.0.1 46405 typ host generation 0 network-id 1 network-cost 50
            a=candidate:2243792366 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1 network-cost 50
            a=ice-ufrag:cyEb
            a=ice-pwd:fs7fPcNPtk9c+7QFMMj8+mF2
            a=ice-options:trickle
            a=fingerprint:sha-256 98:D3:D0:96:2F:19:4C:98:A8:C0:E8:57:EC:E5:F8:6B:E8:40:39:9C:D7:49:EA:72:04:4D:26:3F:71:1F:5C:EB
            a=setup:actpass
            a=mid:0
            a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
            a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
            a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
            a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
            a=recvonly
            a=rtcp-mux
            a=rtcp-rsize
            a=rtcp-xr:rcvr-rtt=all
            a=rtpmap:111 opus/48000/2
            a=rtcp-fb:111 transport-cc
            a=fmtp:111 minptime=10;useinbandfec=1
            a=rtpmap:63 red/48000/2
            a=fmtp:63 111/111
            a=rtpmap:9 G722/8000
            a=rtpmap:0 PCMU/8000
            a=rtpmap:8 PCMA/8000
            a=rtpmap:13 CN/8000
            a=rtpmap:110 telephone-event/48000
            a=rtpmap:126 telephone-event/8000
            m=video 9 UDP/TLS/RTP/SAVPF 96 97 118 119 120 49
            c=IN IP4 0.0.0.0
            a=rtcp:9 IN IP4 0.0.0.0
            a=ice-ufrag:cyEb
            a=ice-pwd:fs7fPcNPtk9c+7QFMMj8+mF2
            a=ice-options:trickle
            a=fingerprint:sha-256 98:D3:D0:96:2F:19:4C:98:A8:C0:E8:57:EC:E5:F8:6B:E8:40:39:9C:D7:49:EA:72:04:4D:26:3F:71:1F:5C:EB
            a=setup:actpass
            a=mid:1
            a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
            a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
            a=extmap:13 urn:3gpp:video-orientation
            a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
            a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
            a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
            a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
            a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
            a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
            a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
            a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
            a=recvonly
            a=rtcp-mux
            a=rtcp-rsize
            a=rtcp-xr:rcvr-rtt=all
            a=rtpmap:96 VP8/90000
            a=rtcp-fb:96 goog-remb
            a=rtcp-fb:96 transport-cc
            a=rtcp-fb:96 ccm fir
            a=rtcp-fb:96 nack
            a=rtcp-fb:96 nack pli
            a=rtpmap:97 rtx/90000
            a=fmtp:97 apt=96
            a=rtpmap:118 red/90000
            a=rtpmap:119 rtx/90000
            a=fmtp:119 apt=118
            a=rtpmap:120 ulpfec/90000
            a=rtpmap:49 flexfec-03/90000
            a=rtcp-fb:49 goog-remb
            a=rtcp-fb:49 transport-cc
            a=fmtp:49 repair-window=10000000
            """);

    private ChromiumOffers() {
    }

    private static String crlf(String lf) {
        return lf.replace("\n", "\r\n");
    }
}
