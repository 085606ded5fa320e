package dev.junction.codec.sdp.jsep;

import dev.junction.codec.sdp.MediaDescription;
import dev.junction.codec.sdp.SdpAttribute;
import dev.junction.codec.sdp.SdpAttribute.Candidate;
import dev.junction.codec.sdp.SdpAttribute.Direction;
import dev.junction.codec.sdp.SdpAttribute.Extmap;
import dev.junction.codec.sdp.SdpAttribute.Fingerprint;
import dev.junction.codec.sdp.SdpAttribute.Rid;
import dev.junction.codec.sdp.SdpAttribute.RidDirection;
import dev.junction.codec.sdp.SdpAttribute.RtcpFb;
import dev.junction.codec.sdp.SdpAttribute.Rtpmap;
import dev.junction.codec.sdp.SdpAttribute.SetupRole;
import dev.junction.codec.sdp.SdpAttribute.SimulcastFormat;
import dev.junction.codec.sdp.SdpAttribute.Ssrc;
import dev.junction.codec.sdp.SdpAttribute.SsrcGroup;
import dev.junction.codec.sdp.SdpLine;
import dev.junction.codec.sdp.SessionDescription;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a browser checks when it applies Junction's answer as its remote description, written from the offerer's
 * side (RFC 3264 §6-7, RFC 8829 §5.10, RFC 8843, RFC 8285, RFC 8853): the answer matches the offer m-section by
 * m-section and promises nothing the offer did not allow. Returns every problem found, empty when the answer is
 * acceptable. Used on every generated answer after parsing it back from text.
 */
public final class OfferAnswerCheck {

    private OfferAnswerCheck() {
    }

    public static List<String> problems(SessionDescription offer, SessionDescription answer) {
        List<String> p = new ArrayList<>();
        if (!answer.iceLite()) {
            p.add("answer lacks session-level a=ice-lite");
        }
        if (answer.origin().isEmpty()) {
            p.add("answer lacks o=");
        }
        if (offer.media().size() != answer.media().size()) {
            p.add("answer has " + answer.media().size() + " m-sections, offer " + offer.media().size());
            return p;
        }
        List<String> answerGroup = answer.bundleGroup().map(SdpAttribute.Group::mids).orElse(List.of());
        List<String> offerGroup = offer.bundleGroup().map(SdpAttribute.Group::mids).orElse(List.of());
        if (answerGroup.isEmpty()) {
            p.add("answer has no BUNDLE group");
        }
        if (!isSubsequence(answerGroup, offerGroup)) {
            p.add("answer BUNDLE " + answerGroup + " is not an ordered subset of the offer's " + offerGroup);
        }
        String tagged = answerGroup.isEmpty() ? null : answerGroup.get(0);
        for (int i = 0; i < offer.media().size(); i++) {
            MediaDescription om = offer.media().get(i);
            MediaDescription am = answer.media().get(i);
            String where = "m-section " + i + " (mid " + am.mid().orElse("?") + "): ";
            if (!om.mediaLine().media().equals(am.mediaLine().media()) || !om.protocol().equals(am.protocol())) {
                p.add(where + "kind or protocol differs from the offer");
            }
            if (!om.mid().equals(am.mid())) {
                p.add(where + "mid differs from the offer's " + om.mid());
            }
            String mid = am.mid().orElse("");
            if (am.port() == 0) {
                checkRejected(p, where, am, answerGroup.contains(mid));
                continue;
            }
            if (!answerGroup.contains(mid)) {
                p.add(where + "accepted but not in the answer's BUNDLE group");
            }
            checkTransport(p, where, offer.effectiveSetup(om).orElse(SetupRole.ACTIVE), answer, am);
            checkDirection(p, where, offer.effectiveDirection(om), answer.effectiveDirection(am));
            checkCodecs(p, where, om, am);
            checkExtensions(p, where, offer.effectiveExtmaps(om), am.extmaps());
            checkSimulcast(p, where, om, am);
            checkSsrcs(p, where, answer.effectiveDirection(am), am);
            checkCandidates(p, where, am, mid.equals(tagged));
        }
        return p;
    }

    private static void checkRejected(List<String> p, String where, MediaDescription am, boolean inGroup) {
        if (inGroup) {
            p.add(where + "rejected but listed in the BUNDLE group");
        }
        for (SdpLine line : am.lines()) {
            boolean allowed = line.type() == 'm' || line.type() == 'c' || line.field() instanceof SdpAttribute.Mid;
            if (!allowed) {
                p.add(where + "rejected m-section carries " + line.text());
            }
        }
    }

    private static void checkTransport(List<String> p, String where, SetupRole offered, SessionDescription answer,
            MediaDescription am) {
        if (!am.rtcpMux()) {
            p.add(where + "no a=rtcp-mux");
        }
        String ufrag = answer.effectiveIceUfrag(am).orElse("");
        String pwd = answer.effectiveIcePwd(am).orElse("");
        if (!IceCredentials.ufragProblem(ufrag).isEmpty() || !IceCredentials.pwdProblem(pwd).isEmpty()) {
            p.add(where + "bad ICE credentials " + ufrag);
        }
        List<Fingerprint> prints = answer.effectiveFingerprints(am);
        if (prints.size() != 1 || !"sha-256".equals(prints.get(0).algorithm()) || prints.get(0).bytes().length != 32) {
            p.add(where + "needs exactly one sha-256 fingerprint, has " + prints);
        }
        // RFC 5763 §5 / RFC 8842 §5.3: an answer is active or passive, the opposite of a non-actpass offer.
        SetupRole answered = answer.effectiveSetup(am).orElse(null);
        boolean fits = offered == SetupRole.ACTPASS ? answered == SetupRole.ACTIVE || answered == SetupRole.PASSIVE
                : offered == SetupRole.ACTIVE ? answered == SetupRole.PASSIVE
                : offered == SetupRole.PASSIVE && answered == SetupRole.ACTIVE;
        if (!fits) {
            p.add(where + "setup " + (answered == null ? "missing" : answered.token()) + " does not answer the offer's " + offered.token());
        }
    }

    private static void checkDirection(List<String> p, String where, Direction offered, Direction answered) {
        if (answered.sends() && !offered.receives()) {
            p.add(where + "answer sends but the offer (" + offered.token() + ") does not receive");
        }
        if (answered.receives() && !offered.sends()) {
            p.add(where + "answer receives but the offer (" + offered.token() + ") does not send");
        }
    }

    private static void checkCodecs(List<String> p, String where, MediaDescription om, MediaDescription am) {
        List<Integer> pts = am.payloadTypes();
        if (pts.isEmpty()) {
            p.add(where + "accepted without a payload type");
        }
        for (int pt : pts) {
            Optional<Rtpmap> offered = om.rtpmap(pt);
            Optional<Rtpmap> answered = am.rtpmap(pt);
            if (!om.payloadTypes().contains(pt)) {
                p.add(where + "payload type " + pt + " was not offered");
            } else if (answered.isEmpty() || !answered.equals(offered)) {
                p.add(where + "payload type " + pt + " maps to " + answered + ", the offer to " + offered);
            }
            if (answered.isPresent() && answered.get().is("rtx")) {
                int apt = am.fmtp(pt).flatMap(f -> f.parameter("apt")).map(Integer::parseInt).orElse(-1);
                if (!pts.contains(apt) || am.rtpmap(apt).map(r -> r.is("rtx")).orElse(true)) {
                    p.add(where + "rtx " + pt + " points at apt " + apt + ", which is not an answered codec");
                }
            }
            if (!am.fmtp(pt).equals(om.fmtp(pt))) {
                p.add(where + "fmtp of " + pt + " differs from the offer's");
            }
        }
        if (pts.stream().allMatch(pt -> am.rtpmap(pt).map(r -> r.is("rtx")).orElse(false))) {
            p.add(where + "only RTX was answered");
        }
        for (RtcpFb fb : am.rtcpFeedback()) {
            if (fb.isWildcard() || !pts.contains(fb.payloadType())) {
                p.add(where + "rtcp-fb for " + fb.format() + ", which is not an answered payload type");
            } else if (om.rtcpFeedback(fb.payloadType()).stream()
                    .noneMatch(o -> o.feedback().equalsIgnoreCase(fb.feedback()))) { // RFC 5234 §2.3: ABNF ignores case
                p.add(where + "rtcp-fb " + fb.payloadType() + " " + fb.feedback() + " was not offered");
            }
        }
    }

    private static void checkExtensions(List<String> p, String where, List<Extmap> offered, List<Extmap> answered) {
        Set<Integer> ids = new HashSet<>();
        for (Extmap a : answered) {
            if (!ids.add(a.id())) {
                p.add(where + "extmap id " + a.id() + " twice");
            }
            Optional<Extmap> o = offered.stream().filter(e -> e.id() == a.id() && e.uri().equals(a.uri())).findFirst();
            if (o.isEmpty()) {
                p.add(where + "extmap " + a.id() + " " + a.uri() + " was not offered with that id");
                continue;
            }
            // RFC 8285 §6: a direction in the answer must be the offered one reversed, or narrower.
            Direction offeredDirection = o.get().direction().orElse(Direction.SENDRECV);
            Direction answeredDirection = a.direction().orElse(Direction.SENDRECV);
            if ((answeredDirection.sends() && !offeredDirection.receives())
                    || (answeredDirection.receives() && !offeredDirection.sends())) {
                p.add(where + "extmap " + a.id() + " direction " + answeredDirection.token() + " does not fit the offered "
                        + offeredDirection.token());
            }
        }
    }

    private static void checkSimulcast(List<String> p, String where, MediaDescription om, MediaDescription am) {
        Set<String> offeredSend = new HashSet<>();
        for (Rid r : om.rids()) {
            if (r.direction() == RidDirection.SEND) {
                offeredSend.add(r.id());
            }
        }
        Set<String> answeredRids = new HashSet<>();
        for (Rid r : am.rids()) {
            answeredRids.add(r.id());
            if (r.direction() != RidDirection.RECV || !offeredSend.contains(r.id())) {
                p.add(where + "a=rid:" + r.id() + " " + r.direction().token() + " does not answer an offered send rid");
            }
        }
        am.simulcast().ifPresent(s -> {
            if (!s.send().isEmpty()) {
                p.add(where + "answer offers to send simulcast");
            }
            Set<String> offeredSimulcast = new HashSet<>();
            om.simulcast().ifPresent(o -> o.send().forEach(stream -> stream.forEach(f -> offeredSimulcast.add(f.rid()))));
            for (List<SimulcastFormat> stream : s.recv()) {
                for (SimulcastFormat f : stream) {
                    if (!offeredSimulcast.contains(f.rid()) || !answeredRids.contains(f.rid())) {
                        p.add(where + "simulcast recv rid " + f.rid() + " has no offered send stream or no a=rid");
                    }
                }
            }
        });
        if (!am.rids().isEmpty() && am.simulcast().isEmpty()) {
            p.add(where + "a=rid without a=simulcast");
        }
    }

    private static void checkSsrcs(List<String> p, String where, Direction answered, MediaDescription am) {
        if (!answered.sends()) {
            if (!am.ssrcs().isEmpty() || !am.msids().isEmpty()) {
                p.add(where + "announces SSRCs or msid without sending");
            }
            return;
        }
        if (am.msids().size() != 1) {
            p.add(where + "sends without exactly one a=msid");
        }
        Set<Long> withCname = new HashSet<>();
        for (Ssrc s : am.ssrcs()) {
            if ("cname".equals(s.attribute()) && !s.value().isEmpty()) {
                withCname.add(s.ssrc());
            }
        }
        if (withCname.isEmpty()) {
            p.add(where + "sends without an a=ssrc cname");
        }
        for (SsrcGroup g : am.ssrcGroups()) {
            if (!"FID".equals(g.semantics()) || g.ssrcs().size() != 2 || !withCname.containsAll(g.ssrcs())) {
                p.add(where + "bad ssrc-group " + g.formatValue());
            }
        }
    }

    private static void checkCandidates(List<String> p, String where, MediaDescription am, boolean tagged) {
        if (!tagged) {
            if (!am.candidates().isEmpty()) {
                p.add(where + "candidates outside the BUNDLE-tagged m-section");
            }
            return;
        }
        if (am.candidates().isEmpty() || !am.endOfCandidates()) {
            p.add(where + "tagged m-section needs candidates and a=end-of-candidates");
            return;
        }
        for (Candidate c : am.candidates()) {
            if (c.component() != 1 || !"udp".equals(c.transport()) || !"host".equals(c.type())) {
                p.add(where + "not a UDP host candidate for component 1: " + c.formatValue());
            }
        }
        Candidate first = am.candidates().get(0);
        if (am.port() != first.port() || !am.connection().map(c -> c.address().equals(first.address())).orElse(false)) {
            p.add(where + "m= port and c= address are not the first candidate's");
        }
    }

    private static boolean isSubsequence(List<String> sub, List<String> of) {
        int j = 0;
        for (String s : sub) {
            while (j < of.size() && !of.get(j).equals(s)) {
                j++;
            }
            if (j == of.size()) {
                return false;
            }
            j++;
        }
        return new HashSet<>(sub).size() == sub.size();
    }
}
