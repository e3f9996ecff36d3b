package dev.latch.redis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each script carries the common.lua helpers it uses, and only those. */
class ScriptPreludeTest {
    static String resource(String name) throws IOException {
        try (InputStream in = RedisLatchStore.class.getResourceAsStream(name + ".lua")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static List<String> names(List<String[]> helpers) {
        return helpers.stream().map(h -> h[0]).toList();
    }

    @Test
    void helpers_areEveryTopLevelDefinitionWithItsComment() throws IOException {
        String common = resource("common");
        List<String[]> helpers = RedisLatchStore.helpers(common);
        assertEquals(List.of("NEVER", "TOMBSTONE", "SLOT", "OPEN", "HEAD", "STATE", "KIND", "hgetall", "num", "ms", "empty_slot",
                "slot_of", "load", "save", "fields", "cteq", "retain", "lock_until", "failures_now", "fail", "succeed", "keep_with"),
                names(helpers));
        assertEquals(common, String.join("", helpers.stream().map(h -> h[1]).toList()), "nothing lost or repeated");
        String cteq = helpers.get(names(helpers).indexOf("cteq"))[1];
        assertTrue(cteq.startsWith("-- Compares two hex digests"), cteq);
    }

    @Test
    void prelude_holdsWhatTheBodyUses_transitively_inCommonOrder() throws IOException {
        List<String[]> helpers = RedisLatchStore.helpers(resource("common"));
        String prelude = RedisLatchStore.prelude(helpers, "local f = fail(m, 1, 2, 3, 4, 5)\nreturn f");
        assertTrue(prelude.contains("local function fail("));
        assertTrue(prelude.contains("local function failures_now("), "used by fail");
        assertTrue(prelude.contains("local function lock_until("), "used by fail");
        assertTrue(prelude.indexOf("local function lock_until(") < prelude.indexOf("local function fail("),
                "defined before use");
        assertFalse(prelude.contains("local function cteq("));
        assertFalse(prelude.contains("local function failures_nowx"));
        assertEquals("", RedisLatchStore.prelude(helpers, "return 1"));
        assertEquals("", RedisLatchStore.prelude(helpers, "return unfailing"), "whole words only");
    }

    @Test
    void openScript_leavesOutTheHelpersItNeverCalls() throws IOException {
        String prelude = RedisLatchStore.prelude(RedisLatchStore.helpers(resource("common")), resource("open"));
        for (String needed : new String[]{"local SLOT", "local OPEN", "local HEAD", "local function slot_of(", "local function cteq(",
                "local function fail(", "local function retain("}) {
            assertTrue(prelude.contains(needed), needed);
        }
        for (String unused : new String[]{"local function hgetall(", "local function fields(", "local function keep_with(",
                "local STATE", "local function empty_slot(", "local function load("}) {
            assertFalse(prelude.contains(unused), unused);
        }
    }
}
