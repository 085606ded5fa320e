package dev.junction.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.jsep.AnswerParameters;
import dev.junction.codec.sdp.jsep.AnswerResult;
import dev.junction.codec.sdp.jsep.MediaCapabilities;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import dev.junction.codec.sdp.jsep.SendStream;
import dev.junction.codec.sdp.jsep.SendStreamSource;
import dev.junction.transport.WebRtcTransportLoopbackTest.Recorder;
import dev.junction.transport.client.ClientOffer;
import dev.junction.transport.client.ServerAnswer;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.dtls.DtlsRole;
import dev.junction.transport.dtls.Fingerprint;
import dev.junction.transport.socket.MediaPlane;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client role driven by SDP, as the load tool and the gateway tests use it: our browser-shaped offer,
 * the real answerer's answer, both transports built from the SDP alone, then ICE, DTLS and SRTP.
 */
class ClientRoleSdpTest {

    private static final SdpNegotiator NEGOTIATOR = new SdpNegotiator(MediaCapabilities.defaults());
    private final SecureRandom random = new SecureRandom();
    private MediaPlane serverPlane;
    private MediaPlane clientPlane;

    @AfterEach
    void stop() {
        if (clientPlane != null) clientPlane.close();
        if (serverPlane != null) serverPlane.close();
        clientPlane = null;
        serverPlane = null;
    }

    @Test
    void shouldPublishThroughAnAnswerFromTheRealNegotiator() throws Exception {
        run(true);
    }

    @Test
    void shouldSubscribeThroughAnAnswerFromTheRealNegotiator() throws Exception {
        run(false);
    }

    /**
     * Issue 15: a server that answers {@code a=setup:active} (Janus does) is the DTLS client, so the client role
     * must be the DTLS server; before, it sent its ClientHello too and both timed out.
     */
    @Test
    void shouldBeTheDtlsServerWhenTheAnswerSaysActive() throws Exception {
        run(true, SetupRole.ACTIVE);
        run(false, SetupRole.ACTIVE);
    }

    @Test
    void shouldTakeItsDtlsRoleFromTheAnswersSetup() {
        String answer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=mid:0\r\na=ice-ufrag:abcd\r\n"
                + "a=ice-pwd:abcdefghijklmnopqrstuv\r\na=fingerprint:" + DtlsCertificate.generate().fingerprint().toSdp()
                + "\r\nSETUPa=rtcp-mux\r\na=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\na=rtpmap:111 opus/48000/2\r\n";
        assertEquals(DtlsRole.CLIENT, ServerAnswer.parse(answer.replace("SETUP", "a=setup:passive\r\n")).dtlsRole());
        assertEquals(DtlsRole.SERVER, ServerAnswer.parse(answer.replace("SETUP", "a=setup:active\r\n")).dtlsRole());
        // RFC 4145 §4: an answer without a=setup is active.
        assertEquals(DtlsRole.SERVER, ServerAnswer.parse(answer.replace("SETUP", "")).dtlsRole());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerAnswer.parse(answer.replace("SETUP", "a=setup:actpass\r\n")));
        assertEquals("answer has a=setup:actpass; an answer must say active or passive (RFC 8842 §5.3)", e.getMessage());
    }

    @Test
    void shouldRefuseAnAnswerItCannotUse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerAnswer.parse("v=0\r\nnonsense\r\n"));
        assertTrue(e.getMessage().startsWith("answer is not valid SDP"), e.getMessage());
        String noCandidates = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:abcd\r\n"
                + "a=ice-pwd:abcdefghijklmnopqrstuv\r\na=fingerprint:" + DtlsCertificate.generate().fingerprint().toSdp()
                + "\r\na=setup:passive\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
        e = assertThrows(IllegalArgumentException.class, () -> ServerAnswer.parse(noCandidates));
        assertEquals("answer has no UDP or passive TCP candidate with an IP address", e.getMessage());
    }

    private void run(boolean publish) throws Exception {
        run(publish, SetupRole.PASSIVE);
    }

    private void run(boolean publish, SetupRole serverSetup) throws Exception {
        stop();
        MediaDemux serverDemux = new MediaDemux();
        MediaDemux clientDemux = new MediaDemux();
        serverPlane = MediaPlane.start(WebRtcTransportLoopbackTest.ONE_LOOP, i -> serverDemux);
        clientPlane = MediaPlane.start(WebRtcTransportLoopbackTest.ONE_LOOP, i -> clientDemux);
        InetSocketAddress serverAddress = serverPlane.sockets().get(0).localAddress();
        InetSocketAddress clientAddress = clientPlane.sockets().get(0).localAddress();
        DtlsCertificate serverCert = WebRtcTransportLoopbackTest.SERVER_CERT;
        DtlsCertificate clientCert = WebRtcTransportLoopbackTest.CLIENT_CERT;

        // The client's offer, answered by the gateway's negotiator.
        ClientOffer offer = publish
                ? ClientOffer.publisher(clientCert.fingerprint(), clientAddress, random)
                : ClientOffer.subscriber(clientCert.fingerprint(), clientAddress, random);
        AtomicLong nextSsrc = new AtomicLong(0x5000);
        SendStreamSource slots = slot -> Optional.of(new SendStream(nextSsrc.getAndIncrement(),
                slot.rtx() ? OptionalLong.of(nextSsrc.getAndIncrement()) : OptionalLong.empty(), "junction", "room", "slot" + slot.slotIndex()));
        AnswerParameters parameters = publish
                ? AnswerParameters.publisher(serverCert.fingerprint().toSdpAttribute(), List.of(serverAddress), random)
                : AnswerParameters.subscriber(serverCert.fingerprint().toSdpAttribute(), List.of(serverAddress), random, slots);
        AnswerResult result = NEGOTIATOR.withDtlsSetup(serverSetup).answer(offer.sdp(), parameters);
        AnswerResult.Answered answered = assertInstanceOf(AnswerResult.Answered.class, result, () -> "rejected: " + result);
        NegotiatedSession negotiated = answered.negotiated();
        assertEquals(2, negotiated.media().stream().filter(m -> m.accepted()).count(), "audio and video accepted");

        // The server side from the negotiated description, the client side from the answer text alone.
        Recorder server = new Recorder();
        Recorder client = new Recorder();
        List<Fingerprint> offered = negotiated.remoteFingerprints().stream().flatMap(f -> Fingerprint.fromSdp(f).stream()).toList();
        assertEquals(serverSetup, negotiated.localSetup());
        WebRtcTransport serverSide = WebRtcTransport.server(serverPlane.sockets().get(0), serverDemux, negotiated.localIce(),
                negotiated.remoteIce(), negotiated.dtlsServer() ? DtlsRole.SERVER : DtlsRole.CLIENT, serverCert, offered,
                WebRtcTransport.Options.DEFAULT, server);
        serverSide.start();
        ServerAnswer answer = ServerAnswer.parse(answered.sdp());
        assertEquals(List.of(serverAddress), answer.candidates());
        assertEquals(negotiated.localIce(), answer.ice());
        assertEquals(serverSetup == SetupRole.ACTIVE ? DtlsRole.SERVER : DtlsRole.CLIENT, answer.dtlsRole());
        WebRtcTransport clientSide = WebRtcTransport.client(clientPlane.sockets().get(0), clientDemux, offer.ice(), answer.ice(),
                answer.candidates(), answer.dtlsRole(), clientCert, answer.fingerprints(), WebRtcTransport.Options.DEFAULT,
                new Random(5), client);
        clientSide.start();
        client.connected.get(20, TimeUnit.SECONDS);
        server.connected.get(20, TimeUnit.SECONDS);

        long ssrc = publish ? offer.videoSsrc() : 0x5000;
        byte[] media = WebRtcTransportLoopbackTest.rtp((int) ssrc, 7, "media");
        WebRtcTransport sender = publish ? clientSide : serverSide;
        Recorder receiver = publish ? server : client;
        WebRtcTransportLoopbackTest.send(sender, media, false);
        assertArrayEquals(media, receiver.rtp.poll(5, TimeUnit.SECONDS));
    }
}
