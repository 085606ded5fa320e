package dev.junction.codec.sdp.jsep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.junction.codec.sdp.SdpParseResult;
import dev.junction.codec.sdp.SdpParser;
import dev.junction.codec.sdp.SessionDescription;

/**
 * What must hold for any input, shared by the mutation test and the fuzz targets:
 * <ul>
 *   <li>the parser and the answerer never throw;</li>
 *   <li>a refusal is one non-empty line, with a line number inside the input;</li>
 *   <li>a parsed description writes out to text that parses to the same lines;</li>
 *   <li>an answer, for a publisher and for a subscriber, parses back and passes the offerer's checks.</li>
 * </ul>
 */
final class SdpInvariants {

    /** Outcome counts, so callers can tell that inputs actually reached the answerer. */
    int parsed;
    int answered;

    void check(byte[] input) {
        check(input, true);
    }

    /** @param answer whether parsed descriptions also go through the answerer */
    void check(byte[] input, boolean answer) {
        SdpParseResult result = SdpParser.DEFAULT.parse(input);
        switch (result) {
            case SdpParseResult.Failed f -> {
                Refusals.assertOneLine(f.error().message());
                assertTrue(f.error().lineNumber() >= 0 && f.error().lineNumber() <= Refusals.countLines(input) + 1, f.error()::message);
            }
            case SdpParseResult.Parsed p -> {
                parsed++;
                checkParsed(p.description(), answer);
            }
        }
    }

    private void checkParsed(SessionDescription offer, boolean answer) {
        String written = offer.write();
        SdpParseResult again = SdpParser.DEFAULT.parse(written);
        if (!(again instanceof SdpParseResult.Parsed p)) {
            throw new AssertionError("written SDP does not parse again: " + again + "\n" + written);
        }
        assertEquals(offer.allLines(), p.description().allLines());
        if (!answer) {
            return;
        }
        checkAnswer(offer, NegotiatorFixtures.publisher());
        checkAnswer(offer, NegotiatorFixtures.subscriber());
    }

    private void checkAnswer(SessionDescription offer, AnswerParameters parameters) {
        AnswerResult result = NegotiatorFixtures.DEFAULT.answer(offer, parameters);
        switch (result) {
            case AnswerResult.Rejected r -> Refusals.assertOneLine(r.error().message());
            case AnswerResult.Answered a -> {
                answered++;
                SdpParseResult reparsed = SdpParser.DEFAULT.parse(a.sdp());
                if (!(reparsed instanceof SdpParseResult.Parsed p)) {
                    throw new AssertionError("answer does not parse: " + reparsed + "\n" + a.sdp());
                }
                assertEquals(java.util.List.of(), OfferAnswerCheck.problems(offer, p.description()),
                        () -> "offer:\n" + offer.write() + "\nanswer:\n" + a.sdp());
                assertEquals(offer.media().size(), a.negotiated().media().size());
            }
        }
    }
}
