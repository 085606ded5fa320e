package dev.junction.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class EntityTagsTest {

    @Test
    void shouldReadAStrongTagOrTheRestartWildcard() {
        assertEquals("xyzzy", EntityTags.parseIfMatch("\"xyzzy\""));
        assertEquals("xyzzy", EntityTags.parseIfMatch("  \"xyzzy\" "));
        assertEquals("*", EntityTags.parseIfMatch("*"));
    }

    @Test
    void shouldRequireIfMatchWith428() {
        assertEquals(428, assertThrows(SessionException.class, () -> EntityTags.parseIfMatch(null)).status());
    }

    @Test
    void shouldFailWeakTagsWith412() {
        assertEquals(412, assertThrows(SessionException.class, () -> EntityTags.parseIfMatch("W/\"xyzzy\"")).status());
    }

    @Test
    void shouldRejectMalformedIfMatchWith400() {
        for (String header : new String[] {"", "xyzzy", "\"", "\"\"", "\"a\", \"b\"", "\"a b\"", "\"unterminated"}) {
            assertEquals(400, assertThrows(SessionException.class, () -> EntityTags.parseIfMatch(header)).status(), header);
        }
    }

    @Test
    void shouldRefuseTagsThatCannotBeQuoted() {
        assertThrows(IllegalArgumentException.class, () -> EntityTags.requireOpaque("a\"b"));
        assertThrows(IllegalArgumentException.class, () -> EntityTags.requireOpaque(""));
        assertThrows(IllegalArgumentException.class, () -> EntityTags.requireOpaque("a b"));
        assertEquals("\"abc\"", EntityTags.quote("abc"));
    }
}
