package dev.latch.spi;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {
    @ParameterizedTest
    @ValueSource(chars = {'\u2028', '\u2029', '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067',
            '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'})
    void lineSeparatorsAndBidirectionalControls_areNoNames(char c) {
        String name = "alice" + c + "admin";
        assertFalse(Names.isName(name));
        assertEquals("must not contain line separators or bidirectional controls", Names.problem(name));
        assertFalse(Names.problem(name).contains("alice"), "the reason never repeats the text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "zoë-\u4e2d-\uD83D\uDE00", "\u05E9\u05DC\u05D5\u05DD", "\u0645\u0631\u062D\u0628\u0627",
            "a b", "a\u200Bb"})
    void anyScript_rightToLeftLettersIncluded_isAName(String name) {
        assertTrue(Names.isName(name), name);
    }
}
