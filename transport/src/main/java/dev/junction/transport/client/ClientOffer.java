package dev.junction.transport.client;

import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.transport.dtls.Fingerprint;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * An SDP offer as Chromium makes it for WHIP (publish: sendonly Opus + VP8 with RTX) or WHEP (subscribe:
 * recvonly Opus + VP8), with this peer's ICE credentials, DTLS fingerprint and SSRCs: what the load tool
 * and the integration tests POST to any WHIP/WHEP server. Its shape follows the captured Chromium 156
 * offers in codec's test fixtures (BUNDLE, rtcp-mux, rtcp-rsize, transport-cc, mid).
 *
 * @param sdp       the offer text (CRLF line ends)
 * @param ice       the credentials in it; the server signs its check responses with {@code ice.pwd()}
 * @param audioSsrc the publisher's audio SSRC (0 for a subscriber)
 * @param videoSsrc the publisher's video SSRC (0 for a subscriber)
 * @param videoRtxSsrc the publisher's video RTX SSRC (0 for a subscriber)
 */
public record ClientOffer(String sdp, IceCredentials ice, long audioSsrc, long videoSsrc, long videoRtxSsrc) {

    /** Opus payload type in these offers. */
    public static final int OPUS_PT = 111;
    /** VP8 payload type in these offers. */
    public static final int VP8_PT = 96;
    /** RTX for VP8. */
    public static final int VP8_RTX_PT = 97;
    /** Header extension ids in these offers. */
    public static final int EXT_ABS_SEND_TIME = 2;
    public static final int EXT_TRANSPORT_CC = 3;
    public static final int EXT_MID = 4;
    /** The RID header extension's id in a {@link #simulcast} offer (RFC 8852). */
    public static final int EXT_RID = 10;
    /** Most audio/video pairs in a subscriber offer. */
    public static final int MAX_PAIRS = 16;

    public ClientOffer {
        Objects.requireNonNull(sdp, "sdp");
        Objects.requireNonNull(ice, "ice");
    }

    /** A WHIP publisher's offer: audio and video, sendonly, with fresh SSRCs. */
    public static ClientOffer publisher(Fingerprint fingerprint, InetSocketAddress local, SecureRandom random) {
        return publisher(fingerprint, local, random, true);
    }

    /** A WHIP publisher's offer, sendonly, audio and (when {@code withVideo}) video, with fresh SSRCs. */
    public static ClientOffer publisher(Fingerprint fingerprint, InetSocketAddress local, SecureRandom random, boolean withVideo) {
        IceCredentials ice = IceCredentials.generate(random);
        long audio = ssrc(random);
        long video = ssrc(random);
        long rtx = ssrc(random);
        String cname = Long.toHexString(random.nextLong());
        String stream = "junction-" + Long.toHexString(random.nextLong() & 0xFFFFFFFFL);
        StringBuilder sdp = header(random, withVideo ? 2 : 1);
        audio(sdp, ice, fingerprint, local, "sendonly", 0);
        sdp.append("a=msid:").append(stream).append(" audio0\r\n");
        ssrc(sdp, audio, cname, stream);
        if (!withVideo) return new ClientOffer(sdp.toString(), ice, audio, 0, 0);
        video(sdp, ice, fingerprint, "sendonly", 1);
        sdp.append("a=msid:").append(stream).append(" video0\r\n");
        sdp.append("a=ssrc-group:FID ").append(video).append(' ').append(rtx).append("\r\n");
        ssrc(sdp, video, cname, stream);
        ssrc(sdp, rtx, cname, stream);
        return new ClientOffer(sdp.toString(), ice, audio, video, rtx);
    }

    /**
     * A publisher offer's video m-section as rid simulcast, as Chromium offers it: the SSRC lines go (layers are
     * told apart by RID, RFC 8852), the RID extension ({@link #EXT_RID}) and the {@code a=rid}/{@code a=simulcast}
     * lines come in (RFC 8851, RFC 8853). {@code rids} lowest layer first.
     */
    public static String simulcast(String sdp, java.util.List<String> rids) {
        int video = sdp.indexOf("m=video");
        if (video < 0) throw new IllegalArgumentException("no video m-section to make simulcast");
        StringBuilder out = new StringBuilder(sdp.length() + 64 * rids.size()).append(sdp, 0, video);
        for (String line : sdp.substring(video).split("\r\n")) {
            if (line.startsWith("a=ssrc")) continue;
            out.append(line).append("\r\n");
            if (line.contains("urn:ietf:params:rtp-hdrext:sdes:mid")) {
                out.append("a=extmap:").append(EXT_RID).append(" urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n");
            }
        }
        for (String rid : rids) out.append("a=rid:").append(rid).append(" send\r\n");
        out.append("a=simulcast:send ").append(String.join(";", rids)).append("\r\n");
        return out.toString();
    }

    /** A WHEP subscriber's offer: audio and video, recvonly. */
    public static ClientOffer subscriber(Fingerprint fingerprint, InetSocketAddress local, SecureRandom random) {
        return subscriber(fingerprint, local, random, 1);
    }

    /**
     * A WHEP subscriber's offer with {@code pairs} recvonly audio and video m-sections (mids 0, 1, ..., in
     * audio/video pairs, all bundled): a conference view that receives up to {@code pairs} publishers.
     */
    public static ClientOffer subscriber(Fingerprint fingerprint, InetSocketAddress local, SecureRandom random, int pairs) {
        if (pairs < 1 || pairs > MAX_PAIRS) throw new IllegalArgumentException("pairs must be 1.." + MAX_PAIRS + ", got " + pairs);
        IceCredentials ice = IceCredentials.generate(random);
        StringBuilder sdp = header(random, 2 * pairs);
        for (int i = 0; i < pairs; i++) {
            audio(sdp, ice, fingerprint, local, "recvonly", 2 * i);
            video(sdp, ice, fingerprint, "recvonly", 2 * i + 1);
        }
        return new ClientOffer(sdp.toString(), ice, 0, 0, 0);
    }

    /** Header with a BUNDLE group of mids 0 .. sections - 1. */
    private static StringBuilder header(SecureRandom random, int sections) {
        StringBuilder sdp = new StringBuilder(2048 * sections);
        sdp.append("v=0\r\n")
                .append("o=- ").append(random.nextLong() & Long.MAX_VALUE).append(" 2 IN IP4 127.0.0.1\r\n")
                .append("s=-\r\nt=0 0\r\n")
                .append("a=group:BUNDLE");
        for (int mid = 0; mid < sections; mid++) sdp.append(' ').append(mid);
        sdp.append("\r\n")
                .append("a=extmap-allow-mixed\r\n")
                .append("a=msid-semantic: WMS\r\n");
        return sdp;
    }

    private static void audio(StringBuilder sdp, IceCredentials ice, Fingerprint fingerprint, InetSocketAddress local,
            String direction, int mid) {
        String ip = local.getAddress().getHostAddress();
        boolean v6 = ip.indexOf(':') >= 0;
        sdp.append("m=audio ").append(local.getPort()).append(" UDP/TLS/RTP/SAVPF ").append(OPUS_PT).append("\r\n")
                .append("c=IN ").append(v6 ? "IP6 " : "IP4 ").append(ip).append("\r\n")
                .append("a=rtcp:9 IN IP4 0.0.0.0\r\n")
                .append("a=candidate:1 1 udp 2122260223 ").append(ip).append(' ').append(local.getPort())
                .append(" typ host generation 0\r\n");
        transportLines(sdp, ice, fingerprint);
        sdp.append("a=mid:").append(mid).append("\r\n")
                .append("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n")
                .append("a=extmap:").append(EXT_ABS_SEND_TIME).append(" http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n")
                .append("a=extmap:").append(EXT_TRANSPORT_CC).append(" http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n")
                .append("a=extmap:").append(EXT_MID).append(" urn:ietf:params:rtp-hdrext:sdes:mid\r\n")
                .append("a=").append(direction).append("\r\n")
                .append("a=rtcp-mux\r\na=rtcp-rsize\r\n")
                .append("a=rtpmap:").append(OPUS_PT).append(" opus/48000/2\r\n")
                .append("a=rtcp-fb:").append(OPUS_PT).append(" transport-cc\r\n")
                .append("a=fmtp:").append(OPUS_PT).append(" minptime=10;useinbandfec=1\r\n");
    }

    private static void video(StringBuilder sdp, IceCredentials ice, Fingerprint fingerprint, String direction, int mid) {
        sdp.append("m=video 9 UDP/TLS/RTP/SAVPF ").append(VP8_PT).append(' ').append(VP8_RTX_PT).append("\r\n")
                .append("c=IN IP4 0.0.0.0\r\n")
                .append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
        transportLines(sdp, ice, fingerprint);
        sdp.append("a=mid:").append(mid).append("\r\n")
                .append("a=extmap:").append(EXT_ABS_SEND_TIME).append(" http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n")
                .append("a=extmap:").append(EXT_TRANSPORT_CC).append(" http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n")
                .append("a=extmap:").append(EXT_MID).append(" urn:ietf:params:rtp-hdrext:sdes:mid\r\n")
                .append("a=").append(direction).append("\r\n")
                .append("a=rtcp-mux\r\na=rtcp-rsize\r\n")
                .append("a=rtpmap:").append(VP8_PT).append(" VP8/90000\r\n")
                .append("a=rtcp-fb:").append(VP8_PT).append(" goog-remb\r\n")
                .append("a=rtcp-fb:").append(VP8_PT).append(" transport-cc\r\n")
                .append("a=rtcp-fb:").append(VP8_PT).append(" ccm fir\r\n")
                .append("a=rtcp-fb:").append(VP8_PT).append(" nack\r\n")
                .append("a=rtcp-fb:").append(VP8_PT).append(" nack pli\r\n")
                .append("a=rtpmap:").append(VP8_RTX_PT).append(" rtx/90000\r\n")
                .append("a=fmtp:").append(VP8_RTX_PT).append(" apt=").append(VP8_PT).append("\r\n");
    }

    private static void transportLines(StringBuilder sdp, IceCredentials ice, Fingerprint fingerprint) {
        sdp.append("a=ice-ufrag:").append(ice.ufrag()).append("\r\n")
                .append("a=ice-pwd:").append(ice.pwd()).append("\r\n")
                .append("a=fingerprint:").append(fingerprint.toSdp()).append("\r\n")
                .append("a=setup:actpass\r\n");
    }

    private static void ssrc(StringBuilder sdp, long ssrc, String cname, String stream) {
        sdp.append("a=ssrc:").append(ssrc).append(" cname:").append(cname).append("\r\n")
                .append("a=ssrc:").append(ssrc).append(" msid:").append(stream).append("\r\n");
    }

    private static long ssrc(SecureRandom random) {
        long s;
        do {
            s = random.nextInt() & 0xFFFFFFFFL;
        } while (s == 0);
        return s;
    }
}
