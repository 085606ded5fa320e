package dev.junction.gateway.session;

import dev.junction.codec.sdp.jsep.AnswerParameters;
import dev.junction.codec.sdp.jsep.AnswerResult;
import dev.junction.codec.sdp.jsep.IceCredentials;
import dev.junction.codec.sdp.jsep.IceRestartAnswer;
import dev.junction.codec.sdp.jsep.NegotiatedSession;
import dev.junction.codec.sdp.jsep.SdpNegotiator;
import dev.junction.codec.sdp.jsep.TrickleFragment;
import dev.junction.gateway.http.Created;
import dev.junction.gateway.http.Patched;
import dev.junction.gateway.http.SessionException;
import dev.junction.gateway.http.SessionKind;
import dev.junction.gateway.http.SessionService;
import dev.junction.gateway.http.LayerRequest;
import dev.junction.gateway.http.ViewerEvents;
import dev.junction.gateway.room.Subscriber;
import dev.junction.gateway.room.ViewerPreference;
import dev.junction.gateway.loop.LoopProxy;
import dev.junction.gateway.room.SlotSsrcAllocator;
import dev.junction.transport.MediaDemux;
import dev.junction.transport.WebRtcTransport;
import dev.junction.transport.dtls.DtlsCertificate;
import dev.junction.transport.dtls.DtlsRole;
import dev.junction.transport.dtls.Fingerprint;
import dev.junction.transport.socket.IceTcpListener;
import dev.junction.transport.socket.MediaSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * WHIP and WHEP (RFC 9725) over the media loops: answers offers with the {@link SdpNegotiator}, makes each
 * session's server-role {@link WebRtcTransport} on the loop the {@link RoomDirectory} picks (a publisher on its
 * room's home loop, a subscriber round-robin over the loops) and joins it to its room there through the loop's
 * proxy; PATCH tells trickle from ICE restart (RFC 8840, RFC 9725 §4.3); DELETE ends a session.
 *
 * <p>PATCH: the body must be an {@code application/trickle-ice-sdpfrag}, or the answer is 400 with the parser's
 * reason. A fragment with no credentials, or with the session's current ones (as standard trickle fragments,
 * RFC 9725's own example among them, carry), is a trickle: 204 (an ICE-lite server needs no remote candidates).
 * New credentials restart ICE when If-Match is {@code *} (RFC 9725 §4.3.2): 200, a new ETag and our new
 * credentials and candidates. New credentials with an entity-tag are 409 Conflict: the fragment belongs to
 * another ICE session than the one the client says it is trickling to. The same ufrag with another pwd is 400.
 *
 * <p>Threading: every method runs on a Vert.x loop and only answers there; everything touching a room or a
 * transport goes to the session's loop through its {@link LoopProxy}, and the returned stage completes from it.
 */
final class WhipWhepService implements SessionService {

    private final SdpNegotiator publisherNegotiator;
    private final SdpNegotiator subscriberNegotiator;
    private final DtlsCertificate certificate;
    private final WebRtcTransport.Options options;
    private final List<String> announce;
    private final List<MediaSocket> sockets;
    /** One per loop, or empty when ICE-TCP is off. */
    private final List<IceTcpListener> tcp;
    /** The one public port, 0 when one-port mode is off: every session's last TCP candidate. */
    private final int publicPort;
    private final MediaDemux[] demuxes;
    private final LoopProxy[] loops;
    private final RoomDirectory directory;
    private final SessionTable table;
    private final ViewerFeed viewers;
    private final SecureRandom random = new SecureRandom();

    WhipWhepService(SdpNegotiator publisherNegotiator, SdpNegotiator subscriberNegotiator, DtlsCertificate certificate, WebRtcTransport.Options options, List<String> announce,
            List<MediaSocket> sockets, List<IceTcpListener> tcp, int publicPort, MediaDemux[] demuxes, LoopProxy[] loops, RoomDirectory directory,
            SessionTable table, ViewerFeed viewers) {
        this.publisherNegotiator = publisherNegotiator;
        this.subscriberNegotiator = subscriberNegotiator;
        this.certificate = certificate;
        this.options = options;
        this.announce = List.copyOf(announce);
        this.sockets = sockets;
        this.tcp = List.copyOf(tcp);
        this.publicPort = publicPort;
        this.demuxes = demuxes;
        this.loops = loops;
        this.directory = directory;
        this.table = table;
        this.viewers = viewers;
    }

    @Override
    public CompletionStage<Created> publish(String room, byte[] offer) {
        return open(SessionKind.WHIP, room, offer, System.nanoTime());
    }

    @Override
    public CompletionStage<Created> subscribe(String room, byte[] offer) {
        return open(SessionKind.WHEP, room, offer, System.nanoTime());
    }

    @Override
    public CompletionStage<Patched> patch(SessionKind kind, String room, String id, String ifMatch, byte[] sdpFrag) {
        Session session = table.find(kind, room, id);
        if (!ifMatch.equals("*") && !ifMatch.equals(session.etag)) {
            throw SessionException.preconditionFailed("If-Match does not match the session's current ETag");
        }
        TrickleFragment fragment = switch (TrickleFragment.parse(sdpFrag)) {
            case TrickleFragment.Parsed p -> p.fragment();
            case TrickleFragment.Rejected r -> throw SessionException.badRequest("not a trickle-ice-sdpfrag: " + r.reason());
        };
        IceCredentials current = session.remoteIce;
        if (fragment.credentials().isEmpty() || !fragment.isIceRestart(current)) {
            if (fragment.credentials().isPresent() && !fragment.credentials().get().pwd().equals(current.pwd())) {
                throw SessionException.badRequest("a=ice-pwd changed without a new a=ice-ufrag (RFC 8839 §5.4)");
            }
            return CompletableFuture.completedFuture(Patched.trickled()); // ICE-lite: remote candidates are not needed
        }
        if (!ifMatch.equals("*")) {
            throw new SessionException(409, "new ICE credentials with If-Match " + ifMatch + ": an ICE restart needs If-Match: * (RFC 9725 §4.3.2)");
        }
        IceCredentials local = IceCredentials.generate(random);
        IceCredentials remote = fragment.credentials().get();
        session.remoteIce = remote;
        session.loop.restartIce(session.transport, local, remote);
        session.etag = newToken(8);
        byte[] answer = IceRestartAnswer.forHostAddresses(local, hostAddresses(session.loop.index()),
                tcpHostAddresses(session.loop.index())).getBytes(StandardCharsets.UTF_8);
        return CompletableFuture.completedFuture(Patched.restarted(session.etag, answer));
    }

    @Override
    public CompletionStage<Void> delete(SessionKind kind, String room, String id) {
        Session session = table.find(kind, room, id);
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.closed.whenComplete((reason, error) -> done.complete(null));
        // Refused only while shutting down, when every session is being closed anyway: answer at once.
        if (!session.loop.close(session.transport, "deleted by the client (DELETE)")) done.complete(null);
        return done;
    }

    /**
     * The viewer's preference goes to its subscriber on the session's loop, which checks it against the slots' tracks
     * (400 with the reason) and chooses again; the answer is the resulting choice ({@link ViewerJson#selection}).
     */
    @Override
    public CompletionStage<String> selectLayer(String room, String id, LayerRequest request) {
        Session session = table.find(SessionKind.WHEP, room, id);
        ViewerPreference preference = request.isAuto() ? ViewerPreference.AUTO
                : new ViewerPreference(request.spatialLayer(), request.rid(), request.temporalLayer(), request.maxBitrateBps());
        return session.loop.query(() -> {
            Subscriber subscriber = session.subscriberOnLoop();
            if (subscriber == null) throw SessionException.notFound("whep session " + id + " has ended");
            long nowNs = System.nanoTime();
            String refused = subscriber.applyPreference(request.mediaId(), preference, nowNs);
            if (refused != null) throw SessionException.badRequest(refused);
            Session.LOG.info("viewer preference kind=whep room={} session={} mediaId={} preference={}", room, id,
                    request.mediaId() == null ? "all" : request.mediaId(), preference.isAuto() ? "auto" : preference);
            return ViewerJson.selection(subscriber.figures(nowNs), null);
        });
    }

    @Override
    public ViewerEvents.Subscription watch(String room, String id, ViewerEvents sink) {
        return viewers.watch(table.find(SessionKind.WHEP, room, id), sink);
    }

    /** Opens a session; {@code setupStartNs} is when its offer reached this service (the setup time's start). */
    private CompletionStage<Created> open(SessionKind kind, String roomName, byte[] offer, long setupStartNs) {
        table.checkCapacity();
        RoomDirectory.Seat seat = directory.enter(roomName, kind == SessionKind.WHEP);
        RoomDirectory.Entry room = seat.room();
        Session session;
        AnswerResult.Answered answered;
        try {
            int loopIndex = seat.loop();
            List<InetSocketAddress> addresses = hostAddresses(loopIndex);
            AnswerParameters parameters = (kind == SessionKind.WHIP
                    ? AnswerParameters.publisher(certificate.fingerprint().toSdpAttribute(), addresses, random)
                    : AnswerParameters.subscriber(certificate.fingerprint().toSdpAttribute(), addresses, random,
                            new SlotSsrcAllocator(new SplittableRandom(random.nextLong()), newToken(8), roomName)))
                    .withTcpHostAddresses(tcpHostAddresses(loopIndex));
            AnswerResult result = (kind == SessionKind.WHIP ? publisherNegotiator : subscriberNegotiator).answer(offer, parameters);
            if (result instanceof AnswerResult.Rejected rejected) throw SessionException.badRequest(rejected.error().message());
            answered = (AnswerResult.Answered) result;
            NegotiatedSession negotiated = answered.negotiated();
            List<Fingerprint> remoteFingerprints = negotiated.remoteFingerprints().stream()
                    .flatMap(f -> Fingerprint.fromSdp(f).stream()).toList();
            if (remoteFingerprints.isEmpty()) throw SessionException.badRequest("the offer has no fingerprint Junction can verify");
            session = new Session(kind, roomName, newToken(16), newToken(8), seat, loops[loopIndex], negotiated.remoteIce(),
                    setupStartNs, table, directory);
            session.transport = WebRtcTransport.server(sockets.get(loopIndex), demuxes[loopIndex], negotiated.localIce(),
                    negotiated.remoteIce(), negotiated.dtlsServer() ? DtlsRole.SERVER : DtlsRole.CLIENT, certificate,
                    remoteFingerprints, options, session);
        } catch (RuntimeException e) {
            directory.leave(seat);
            throw e;
        }
        // From here the session's transport owns the directory count: its close gives it back.
        table.add(session);
        Session.LOG.info("session created kind={} room={} session={} loop={}", kind.pathSegment(), roomName, session.id, session.loop.index());
        Session joining = session;
        byte[] answer = answered.sdp().getBytes(StandardCharsets.UTF_8);
        return session.loop.join(room.key(), kind == SessionKind.WHIP, answered.negotiated(), session.transport, session::onJoined)
                .handle((member, failure) -> {
                    if (failure == null) return new Created(joining.id, joining.etag, answer);
                    if (member == null && joining.transport.state() == WebRtcTransport.State.NEW) {
                        // Never reached its loop (shutting down): nothing else will give its counts back.
                        table.remove(joining);
                        directory.leave(seat);
                    }
                    throw new SessionException(500, "could not join room " + roomName + ": " + failure.getMessage());
                });
    }

    private List<InetSocketAddress> hostAddresses(int loopIndex) {
        return announced(sockets.get(loopIndex).localAddress().getPort());
    }

    /**
     * The loop's ICE-TCP candidates: every announced address with the loop's TCP port (none when ICE-TCP is off),
     * then with the public port (one-port mode): ranked last, as the path of last resort through a firewall that
     * lets only that port through, while UDP and the loop's own port stay preferred.
     */
    private List<InetSocketAddress> tcpHostAddresses(int loopIndex) {
        List<InetSocketAddress> out = new ArrayList<>(tcp.isEmpty() ? List.of() : announced(tcp.get(loopIndex).localAddress().getPort()));
        if (publicPort != 0) out.addAll(announced(publicPort));
        return out;
    }

    private List<InetSocketAddress> announced(int port) {
        List<InetSocketAddress> out = new ArrayList<>(announce.size());
        for (String ip : announce) out.add(new InetSocketAddress(ip, port));
        return out;
    }

    private String newToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
