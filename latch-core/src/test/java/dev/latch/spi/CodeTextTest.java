package dev.latch.spi;

import dev.latch.spi.Names.CodeText;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class CodeTextTest {
    @ParameterizedTest
    @CsvSource({"012345,012345", "'012 345',012345", "012-345,012345", "'0 1 2 3 4 5',012345",
            "0-1 2-3 4-5,012345", "PBN9R-7HKMF,PBN9R7HKMF", "'12 34 56 78',12345678"})
    void separatorsBetweenCharacters_areGroupings(String typed, String code) {
        assertEquals(code, CodeText.ungroup(typed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "-", " 012345", "012345 ", "-012345", "012345-", "012  345", "012--345",
            "012 -345", " 012 345 "})
    void separatorsThatGroupNothing_areRefused(String typed) {
        assertNull(CodeText.ungroup(typed), "'" + typed + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"012\t345", "012345\n", "012 345"})
    void otherWhitespace_isNoSeparator_andIsLeftForTheAlphabetToRefuse(String typed) {
        String input = typed.replace("\\t", "\t").replace("\\n", "\n");
        assertEquals(input, CodeText.ungroup(input));
    }

    @ParameterizedTest
    @ValueSource(strings = {"012345", "ABCDEFGH"})
    void noSeparators_returnsTheSameString(String typed) {
        assertSame(typed, CodeText.ungroup(typed));
    }
}
