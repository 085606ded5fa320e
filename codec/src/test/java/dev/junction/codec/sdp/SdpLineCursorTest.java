package dev.junction.codec.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SdpLineCursorTest {

    @Test
    void shouldReadCrlfLfAndAMissingFinalLineEndAlike() {
        assertEquals(List.of("1:v=0", "2:s=-", "3:", "4:t=0 0"), lines("v=0\r\ns=-\n\r\nt=0 0"));
        assertEquals(List.of("1:v=0", "2:s=-"), lines("v=0\r\ns=-\r\n"));
    }

    @Test
    void shouldKeepACarriageReturnThatDoesNotEndTheLine() {
        assertEquals(List.of("1:a=x\ry", "2:\r"), lines("a=x\ry\n\r\r\n"));
        assertEquals(List.of("1:a=x"), lines("a=x\r")); // a CR that ends the text ends the line too
    }

    @Test
    void shouldStopAtTheEndAndKeepTheLastLineNumber() {
        SdpLineCursor empty = new SdpLineCursor("");
        assertFalse(empty.advance());
        assertEquals(0, empty.lineNumber());

        SdpLineCursor cursor = new SdpLineCursor("v=0\r\n\r\n");
        assertTrue(cursor.advance());
        assertTrue(cursor.advance());
        assertTrue(cursor.isEmpty());
        assertFalse(cursor.advance());
        assertEquals(2, cursor.lineNumber());
    }

    @Test
    void shouldNameTheLimitALinePasses() {
        SdpLineCursor cursor = new SdpLineCursor("v=0\r\ns=four\r\n");
        assertTrue(cursor.advance());
        assertEquals("", cursor.limitProblem(1, 3));
        assertEquals("line is 3 characters, more than the limit of 2", cursor.limitProblem(1, 2));
        assertTrue(cursor.advance());
        assertEquals("more than 1 lines", cursor.limitProblem(1, 6));
        assertEquals("line is 6 characters, more than the limit of 5", cursor.limitProblem(2, 5));
    }

    /** Every line as {@code <number>:<content>}. */
    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        SdpLineCursor cursor = new SdpLineCursor(text);
        while (cursor.advance()) {
            out.add(cursor.lineNumber() + ":" + text.substring(cursor.start(), cursor.end()));
        }
        return out;
    }
}
