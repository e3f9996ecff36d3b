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
        assertEquals(List.of("NEVER", "TOMBSTONE", "SLOT", "FAST", "REST", "uses_of", "head", "fast", "STATE", "KIND", "hgetall", "num", "ms", "empty_slot",
                "slot_of", "load", "save", "fields", "cteq", "retain", "lock_until", "failures_now", "fail", "succeed", "keep_with"),
                names(helpers));
        assertEquals(common, String.join("", helpers.stream().map(h -> h[1]).toList()), "nothing lost or repeated");
        String cteq = helpers.get(names(helpers).indexOf("cteq"))[1];
        assertTrue(cteq.startsWith("-- Compares two hex digests"), cteq);
    }

    /**
     * The common open reads FAST of a slot packed with SLOT, and save packs the head (gate and six
     * uses digits, written as text) and then REST: FAST must be a prefix of SLOT, and REST SLOT
     * without its head.
     */
    @Test
    void fastAndRestFormats_fitTheSlotFormat() throws IOException {
        List<String[]> helpers = RedisLatchStore.helpers(resource("common"));
        String slot = format(helpers, "SLOT");
        String fast = format(helpers, "FAST");
        String rest = format(helpers, "REST");
        assertTrue(slot.startsWith(fast) && fast.length() < slot.length(), fast + " / " + slot);
        String head = ">c1BBBBBB";
        assertTrue(slot.startsWith(head), "the head an open rewrites: gate, then six uses digits (7 bytes)");
        assertEquals(slot, head + rest.substring(1), "REST is SLOT after the head");
    }

    static String format(List<String[]> helpers, String name) {
        String text = helpers.get(names(helpers).indexOf(name))[1];
        int q = text.indexOf("= '") + 3;
        return text.substring(q, text.indexOf('\'', q));
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
    void assemble_definesTheHelpersOnlyARarePathUses_inItsBlock() throws IOException {
        List<String[]> helpers = RedisLatchStore.helpers(resource("common"));
        String body = "local x = ms(1)\nif y then\n  --@helpers\n  local m = slot_of(s)\n  local f = fail(m, 1, 2, 3, 4, 5)\n"
                + "  --@end\nend\nreturn failures_now(1, 2, 3)\n";
        String script = RedisLatchStore.assemble(helpers, body);
        int block = script.indexOf("if y then\n");
        assertTrue(block > 0, script);
        assertFalse(script.contains("--@"), "the marker lines are not sent");
        for (String above : new String[]{"local function ms(", "local function failures_now("}) {
            assertTrue(script.indexOf(above) >= 0 && script.indexOf(above) < block, above);
        }
        for (String inBlock : new String[]{"local SLOT", "local function slot_of(", "local function fail(",
                "local function lock_until("}) {
            assertTrue(script.indexOf(inBlock) > block && script.indexOf(inBlock) < script.indexOf("local m = slot_of(s)"),
                    inBlock);
        }
        assertEquals(1, script.split("local function failures_now\\(", -1).length - 1,
                "used above and by fail inside: defined once, above");
        assertTrue(script.endsWith("  local f = fail(m, 1, 2, 3, 4, 5)\nend\nreturn failures_now(1, 2, 3)\n"), script);
        assertEquals(RedisLatchStore.prelude(helpers, "return ms(1)") + "return ms(1)",
                RedisLatchStore.assemble(helpers, "return ms(1)"), "no markers: every helper on top");
    }

    @Test
    void openScript_makesNoClosureOnItsCommonPath() throws IOException {
        String script = RedisLatchStore.assemble(RedisLatchStore.helpers(resource("common")), resource("open"));
        int common = script.indexOf("\nif gate == 'F' and presented == dh");
        int general = script.indexOf("\n-- Every other case");
        assertTrue(common > 0 && general > common, "the common case, then the general path");
        assertTrue(script.indexOf("local FAST") < common);
        assertFalse(script.substring(0, general).contains("function"), "no closure made before the general path");
        for (String inGeneral : new String[]{"local SLOT", "local REST", "local function slot_of(", "local function save(",
                "local function fail(", "local function retain(", "local function succeed(", "local function lock_until(",
                "local function cteq(", "local function failures_now(", "local function ms(", "local function reply(",
                "local function uses_of(", "local function head(", "local function fast("}) {
            assertTrue(script.indexOf(inGeneral) > common, inGeneral);
        }
        for (String unused : new String[]{"local function hgetall(", "local function fields(", "local function keep_with(",
                "local STATE", "local function empty_slot(", "local function load("}) {
            assertFalse(script.contains(unused), unused);
        }
    }

    @Test
    void helpersNamedOnlyInComments_areNotDefined() throws IOException {
        List<String[]> helpers = RedisLatchStore.helpers(resource("common"));
        assertEquals("", RedisLatchStore.prelude(helpers, "-- ms, fail and retain are not called here\nreturn 1"));
    }
}
