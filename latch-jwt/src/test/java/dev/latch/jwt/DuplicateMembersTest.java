package dev.latch.jwt;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Member names are compared after JSON unescaping, in every escape form RFC 8259 §7 has. */
class DuplicateMembersTest {
    private static final String BS = "\\";

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
        assertFalse(DuplicateMembers.none("{\"" + plain + "\":1,\"" + escaped + "\":2}"), plain + " / " + escaped);
        assertFalse(DuplicateMembers.none("{\"" + escaped + "\":1,\"" + plain + "\":2}"), escaped + " / " + plain);
        assertFalse(DuplicateMembers.none("{\"x\":{\"" + escaped + "\":1,\"" + plain + "\":2}}"), "nested");
        assertTrue(DuplicateMembers.none("{\"" + plain + "\":1,\"other\":{\"" + escaped + "\":2}}"),
                "the same name in different objects is fine");
        assertTrue(DuplicateMembers.none("{\"" + plain + "\":\"" + escaped + "\"}"), "as a value it is no member");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\\x\":1}", "{\"a\\u00g1\":1}", "{\"a\\u+001\":1}", "{\"a\\u-001\":1}", "{\"a\\u00\":1}",
            "{\"a\\\":1}", "{\"a\u0001\":1}", "{\"a\nb\":1}", "{\"a\\u\uFF10\uFF10\uFF10\uFF10\":1}"})
    void notJsonEscapes_areRefused(String json) {
        assertFalse(DuplicateMembers.none(json), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"b\":[1,{\"a\":2}],\"c\":{\"a\":3}}", "{\"a\\\\/b\":1,\"a/b\":2}",
            "{\"a\\u0062\":1,\"aa\":2}", "{}"})
    void distinctNames_pass(String json) {
        assertTrue(DuplicateMembers.none(json), json);
    }
}
