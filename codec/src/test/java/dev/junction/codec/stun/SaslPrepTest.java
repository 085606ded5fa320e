package dev.junction.codec.stun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SASLprep (RFC 4013): the examples of its §3, each step of the profile, and the Unicode 3.2 tables. */
class SaslPrepTest {

    @Test
    void shouldPassRfc4013Section3Examples() {
        assertEquals("IX", SaslPrep.prepareStored("I\u00ADX"), "#1 SOFT HYPHEN mapped to nothing");
        assertEquals("user", SaslPrep.prepareStored("user"), "#2 no transformation");
        assertEquals("USER", SaslPrep.prepareStored("USER"), "#3 case preserved");
        assertEquals("a", SaslPrep.prepareStored("\u00AA"), "#4 output is NFKC");
        assertEquals("IX", SaslPrep.prepareStored("\u2168"), "#5 output is NFKC, matches #1");
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareStored("\u0007"), "#6 prohibited character");
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareStored("\u0627\u0031"), "#7 bidirectional check");
    }

    @Test
    void shouldPrepareTheRfc5769LongTermPassword() {
        assertEquals("TheMatrIX", SaslPrep.prepareStored(StunFixtures.LONG_TERM_PASSWORD));
        assertEquals(StunFixtures.LONG_TERM_USERNAME, SaslPrep.prepareStored(StunFixtures.LONG_TERM_USERNAME));
    }

    @Test
    void shouldMapEveryCommonlyMappedToNothingCharacterToNothing() {
        int[] b1 = {0x00AD, 0x034F, 0x1806, 0x180B, 0x180C, 0x180D, 0x200B, 0x200C, 0x200D, 0x2060, 0xFE00, 0xFE0F, 0xFEFF};
        for (int cp : b1) {
            assertEquals("ab", SaslPrep.prepareStored("a" + Character.toString(cp) + "b"), Integer.toHexString(cp));
        }
    }

    @Test
    void shouldMapNonAsciiSpacesToSpace() {
        for (int cp : new int[] {0x00A0, 0x1680, 0x2000, 0x2005, 0x200A, 0x202F, 0x205F, 0x3000}) {
            assertEquals("a b", SaslPrep.prepareStored("a" + Character.toString(cp) + "b"), Integer.toHexString(cp));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {
        0x0000, 0x001F, 0x007F,      // C.2.1 ASCII control
        0x0080, 0x009F, 0x06DD, 0x070F, 0x180E, 0x2028, 0x2029, 0x2061, 0x206A, 0xFFF9, 0x1D173, // C.2.2
        0xE000, 0xF8FF, 0xF0000, 0x10FFFD,  // C.3 private use
        0xFDD0, 0xFDEF, 0xFFFE, 0x1FFFF, 0x10FFFF, // C.4 non-character
        0xFFFA, 0xFFFD,              // C.6 inappropriate for plain text
        0x2FF0, 0x2FFB,              // C.7 inappropriate for canonical representation
        0x200E, 0x200F, 0x202A, 0x202E, 0x206F, // C.8 display properties / deprecated
        0xE0001, 0xE0020, 0xE007F,   // C.9 tagging
    })
    void shouldRejectProhibitedOutput(int codePoint) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SaslPrep.prepareQuery("a" + Character.toString(codePoint) + "b"));
        assertTrue(e.getMessage().contains(String.format("U+%04X", codePoint)), e.getMessage());
    }

    @Test
    void shouldCheckProhibitionAfterNormalization() {
        // U+0340/U+0341 are in C.8, but NFKC maps them to U+0300/U+0301 first (RFC 3454 §3 order), and a
        // grave accent after "a" composes to U+00E0.
        assertEquals("\u00E0", SaslPrep.prepareStored("a\u0340"));
        assertEquals("\u00E1", SaslPrep.prepareStored("a\u0341"));
    }

    @Test
    void shouldRejectLoneSurrogates() {
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareQuery("a\uD800b"));
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareQuery("a\uDFFF"));
        assertEquals("a\uD83D\uDE00", SaslPrep.prepareQuery("a\uD83D\uDE00"),
                "a surrogate pair is one supplementary character, not C.5");
    }

    @Test
    void shouldNormalizeCompatibilityFormsAndMapSpacesFirst() {
        assertEquals("(1)", SaslPrep.prepareStored("\u2474"));
        // U+3000 IDEOGRAPHIC SPACE is mapped to SPACE before NFKC, so it never reaches the prohibition step.
        assertEquals("a b", SaslPrep.prepareStored("a\u3000b"));
    }

    @Test
    void shouldApplyBidiRules() {
        assertEquals("\u0627\u0031\u0628", SaslPrep.prepareStored("\u0627\u0031\u0628"), "RandALCat first and last");
        assertEquals("\u05D0", SaslPrep.prepareStored("\u05D0"), "a single RandALCat character");
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareStored("\u0627a\u0628"), "mixes L and R");
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareStored("1\u0627"), "does not start with R");
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareStored("\u05D0\u0031"), "does not end with R");
        // Braille is bidi "L" in today's Unicode but was "ON" in Unicode 3.2, so RFC 3454's D.2 omits it.
        assertEquals("\u0627\u2800\u0628", SaslPrep.prepareStored("\u0627\u2800\u0628"));
    }

    @Test
    void shouldRejectUnassignedCodePointsOnlyInStoredStrings() {
        // U+0221 was unassigned in Unicode 3.2 (RFC 3454 A.1) and assigned in 4.0.
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareStored("a\u0221"));
        assertEquals("a\u0221", SaslPrep.prepareQuery("a\u0221"));
        assertThrows(IllegalArgumentException.class, () -> SaslPrep.prepareStored("\uD83D\uDE00"), "U+1F600 is in A.1");
        assertEquals("", SaslPrep.prepareStored(""));
    }

    @Test
    void shouldHoldSortedDisjointUnicode32Tables() {
        assertEquals(396, StringprepTables.A_1.rangeCount());
        assertEquals(34, StringprepTables.D_1.rangeCount());
        assertEquals(360, StringprepTables.D_2.rangeCount());
        assertTrue(StringprepTables.A_1.contains(0xFDFE));
        assertTrue(StringprepTables.A_1.contains(0xEFFFD));
        assertFalse(StringprepTables.A_1.contains(0xEFFFE));
        assertTrue(StringprepTables.PROHIBITED.contains(0xD800));
        assertFalse(StringprepTables.PROHIBITED.contains(' '));
        assertTrue(StringprepTables.D_2.contains('a'));
        assertFalse(StringprepTables.D_2.contains(0x2800));
        assertTrue(StringprepTables.D_1.contains(0x05D0));
        assertThrows(IllegalStateException.class, () -> StringprepTables.CodePointSet.parse("0010 0005"));
        assertThrows(IllegalStateException.class, () -> StringprepTables.CodePointSet.parse("0010-0020 0015"));
    }
}
