package dev.latch.jwt;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strict JSON reader: member names compared after unescaping, in every escape form RFC 8259 §7
 * has; everything outside strict JSON refused; values typed as the verifier reads them.
 */
class StrictJsonTest {
    private static final String BS = "\\";

    /** @return whether the text is one strict JSON object without duplicate member names */
    static boolean none(String json) {
        try {
            StrictJson.object(json);
            return true;
        } catch (StrictJson.Malformed e) {
            return false;
        }
    }

    static boolean duplicate(String json) {
        try {
            StrictJson.object(json);
            return false;
        } catch (StrictJson.Malformed e) {
            return e.duplicate;
        }
    }

    /** A name as written plainly, and the same name spelled with an escape. */
    static Stream<Arguments> sameNames() {
        return Stream.of(
                Arguments.of("a/b", "a" + BS + "/b"),
                Arguments.of("a/b", BS + "u0061/b"),
                Arguments.of("a/b", BS + "u0061" + BS + "u002F" + BS + "u0062"),
                Arguments.of("a/b", BS + "u0061" + BS + "u002f" + BS + "u0062"),
                Arguments.of("sub", "s" + BS + "u0075b"),
                Arguments.of("sub", BS + "u0073" + BS + "u0075" + BS + "u0062"),
                Arguments.of(BS + "\"x", BS + "u0022x"),
                Arguments.of(BS + BS + "x", BS + "u005cx"),
                Arguments.of(BS + BS + "x", BS + "u005Cx"),
                Arguments.of(BS + "b", BS + "u0008"),
                Arguments.of(BS + "f", BS + "u000c"),
                Arguments.of(BS + "n", BS + "u000A"),
                Arguments.of(BS + "r", BS + "u000d"),
                Arguments.of(BS + "t", BS + "u0009"),
                Arguments.of("é", BS + "u00e9"),
                Arguments.of("\uD83D\uDD12", BS + "uD83D" + BS + "uDD12"));
    }

    @ParameterizedTest
    @MethodSource("sameNames")
    void escapedSpelling_isTheSameMember(String plain, String escaped) {
        assertFalse(none("{\"" + plain + "\":1,\"" + escaped + "\":2}"), plain + " / " + escaped);
        assertTrue(duplicate("{\"" + plain + "\":1,\"" + escaped + "\":2}"), "refused as a duplicate");
        assertFalse(none("{\"" + escaped + "\":1,\"" + plain + "\":2}"), escaped + " / " + plain);
        assertFalse(none("{\"x\":{\"" + escaped + "\":1,\"" + plain + "\":2}}"), "nested");
        assertTrue(none("{\"" + plain + "\":1,\"other\":{\"" + escaped + "\":2}}"),
                "the same name in different objects is fine");
        assertTrue(none("{\"" + plain + "\":\"" + escaped + "\"}"), "as a value it is no member");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\\x\":1}", "{\"a\\u00g1\":1}", "{\"a\\u+001\":1}", "{\"a\\u-001\":1}", "{\"a\\u00\":1}",
            "{\"a\\\":1}", "{\"a\u0001\":1}", "{\"a\nb\":1}", "{\"a\\u\uFF10\uFF10\uFF10\uFF10\":1}"})
    void notJsonEscapes_areRefused(String json) {
        assertFalse(none(json), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"b\":[1,{\"a\":2}],\"c\":{\"a\":3}}", "{\"a\\\\/b\":1,\"a/b\":2}",
            "{\"a\\u0062\":1,\"aa\":2}", "{}"})
    void distinctNames_pass(String json) {
        assertTrue(none(json), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[]", "1", "\"x\"", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
            "{\"a\":1}x", "{\"a\":1}{}", "{'a':1}", "{a:1}", "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":.5}",
            "{\"a\":1e}", "{\"a\":+1}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":1e999}", "{\"a\":tru}",
            "{\"a\":nul}", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":\"\\uD800\"}", "{\"a\":\"\\uDC00\"}",
            "{\"a\":\"\\uD800\\u0041\"}", "{\"a\":\"x}", "{\"a\"\u00a0:1}", "\uFEFF{}"})
    void notStrictJson_isRefused(String json) {
        assertFalse(none(json), json);
    }

    @Test
    void nestingIsBounded() {
        String ok = "{\"a\":" + "[".repeat(StrictJson.MAX_DEPTH - 1) + "]".repeat(StrictJson.MAX_DEPTH - 1) + "}";
        assertTrue(none(ok));
        String deep = "{\"a\":" + "[".repeat(StrictJson.MAX_DEPTH) + "]".repeat(StrictJson.MAX_DEPTH) + "}";
        assertFalse(none(deep));
        assertFalse(none("{\"a\":" + "[".repeat(100_000)));
    }

    @Test
    void valuesAreTyped() throws Exception {
        Map<String, Object> m = StrictJson.object(" {\"s\":\"x\\ty\",\"i\":-42,\"big\":12345678901234567890,\"f\":1.5e3,"
                + "\"t\":true,\"n\":null,\"a\":[\"a\",{\"b\":false}],\"o\":{}} \n");
        assertEquals("x\ty", m.get("s"));
        assertEquals(-42L, m.get("i"));
        assertEquals(1.2345678901234567e19, m.get("big"));
        assertEquals(1500.0, m.get("f"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertTrue(m.containsKey("n") && m.get("n") == null);
        assertEquals(List.of("a", Map.of("b", false)), m.get("a"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of("s", "i", "big", "f", "t", "n", "a", "o"), List.copyOf(m.keySet()), "in order");
    }
}
