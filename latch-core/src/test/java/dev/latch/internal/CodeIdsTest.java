package dev.latch.internal;

import dev.latch.IssuedCode;
import dev.latch.LatchPolicy;
import dev.latch.Latches;
import dev.latch.Pepper;
import dev.latch.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodeIdsTest {
    private static final Pepper PEPPER = Pepper.of("code-ids-test-pepper-0123456789abcdef".getBytes());

    private static Latches latches() {
        return Latches.builder().pepper(PEPPER).issueRateLimit(RateLimit.of(1000, Duration.ofSeconds(1))).auditSink(e -> { }).build();
    }

    @Test
    void idsOfOneLatchAndSubjectShareTheirTag_andDifferInTheirRandomPart() {
        Latches latches = latches();
        Set<String> tags = new HashSet<>();
        Set<String> randomParts = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            IssuedCode c = latches.issue(LatchPolicy.HIGH, "deploy:prod", "bob");
            assertTrue(c.codeId().matches("c_[A-Za-z0-9_-]{20}"), c.codeId());
            tags.add(c.codeId().substring(2, 10));
            randomParts.add(c.codeId().substring(10));
        }
        assertEquals(1, tags.size(), "one tag for one latch and subject");
        assertEquals(200, randomParts.size(), "72 random bits each");
    }

    @Test
    void tagsDifferBetweenSubjects_latches_andLatchesInstances() {
        Latches latches = latches();
        Set<String> tags = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            tags.add(latches.issue(LatchPolicy.HIGH, "deploy:prod", "subject-" + i).codeId().substring(2, 10));
            tags.add(latches.issue(LatchPolicy.HIGH, "deploy:test", "subject-" + i).codeId().substring(2, 10));
        }
        assertEquals(4_000, tags.size(), "48-bit keyed tags: a collision among 4,000 has odds of about 3 in 10^8");
        String other = latches().issue(LatchPolicy.HIGH, "deploy:prod", "subject-0").codeId().substring(2, 10);
        assertTrue(!tags.contains(other), "another Latches draws its own key");
    }

    @Test
    void tableHash_filesByTheTagAlone_andOtherIdsByTheirText() {
        long tag = CodeIds.tag(1, 2, "latch", "alice");
        byte[] a = new byte[15];
        byte[] b = new byte[15];
        java.util.Arrays.fill(b, (byte) 0x5a);
        String idA = CodeIds.id(tag, a);
        String idB = CodeIds.id(tag, b);
        assertNotEquals(idA, idB);
        assertEquals(idA.substring(0, 10), idB.substring(0, 10));
        assertEquals(CodeIds.tableHash(idA), CodeIds.tableHash(idB));
        assertNotEquals(CodeIds.tableHash(idA), CodeIds.tableHash(CodeIds.id(CodeIds.tag(1, 2, "latch", "bob"), a)));
        assertEquals("id-7".hashCode(), CodeIds.tableHash("id-7"));
        assertEquals("x_AAAAAAAAAAAAAAAAAAAA".hashCode(), CodeIds.tableHash("x_AAAAAAAAAAAAAAAAAAAA"), "another prefix");
        assertEquals("c_AAAAAAAAAAAAAAAAAAA".hashCode(), CodeIds.tableHash("c_AAAAAAAAAAAAAAAAAAA"), "another length");
    }

    @Test
    void idsOfTheirForm_packIntoTwoLongsAndBack_andNoOtherTextDoes() {
        java.util.Random random = new java.util.Random(7);
        Set<Long> lows = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            byte[] draw = new byte[15];
            random.nextBytes(draw);
            String id = CodeIds.id(random.nextLong(), draw);
            assertTrue(CodeIds.packable(id), id);
            long high = CodeIds.high(id);
            long low = CodeIds.low(id);
            assertNotEquals(0L, low, "a packed id is never two zero words");
            assertEquals(id, CodeIds.unpack(high, low));
            assertEquals(CodeIds.tableHash(id), CodeIds.tableHash(high), "filed the same from text or packed");
            lows.add(low);
        }
        assertEquals(10_000, lows.size());
        assertEquals("c_AAAAAAAAAAAAAAAAAAAA", CodeIds.unpack(CodeIds.high("c_AAAAAAAAAAAAAAAAAAAA"),
                CodeIds.low("c_AAAAAAAAAAAAAAAAAAAA")));
        assertEquals("c_____________________", CodeIds.unpack(CodeIds.high("c_____________________"),
                CodeIds.low("c_____________________")));
        for (String other : new String[]{"c_AAAAAAAAAAAAAAAAAAA", "c_AAAAAAAAAAAAAAAAAAAAA", "x_AAAAAAAAAAAAAAAAAAAA",
                "c_AAAAAAAAAAAAAAAAAAA=", "c_AAAAAAAAAA.AAAAAAAAA", "c_AAAAAAAAAAAAAAAAAAA\u00e9",
                "c_AAAAAAAAAAAAAAAAAAA\u0100", "c_AAAAAAAAAAAAAAAAAAA\u0000", "C_AAAAAAAAAAAAAAAAAAAA", "id-7", ""}) {
            assertTrue(!CodeIds.packable(other), other);
        }
    }

    @Test
    void theStoreFindsRevokesAndRenewsCodesByIdOfEitherForm() {
        InMemoryLatchStore store = new InMemoryLatchStore(100);
        java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00.123456789Z");
        for (String id : new String[]{"c_Abc-_0123456789xyzQ", "legacy-id-1", "c_Abc-_0123456789xyz"}) {
            dev.latch.spi.LatchStore.CodeRecord code = new dev.latch.spi.LatchStore.CodeRecord(id, "latch-" + id, "alice",
                    "HIGH", dev.latch.CodeFormat.Kind.NUMERIC, java.util.List.of(new byte[32]), 0,
                    dev.latch.CodeInfo.State.PENDING, now, now, now.plusSeconds(600), 3, 1, 1, false, "", null);
            store.issue(code, null, now);
            assertEquals(id, store.find(id).orElseThrow().codeId());
            assertEquals(now, store.find(id).orElseThrow().issuedAt(), "times kept to the nanosecond");
            assertTrue(store.find(id + "x").isEmpty());
            assertTrue(store.find(id.substring(0, id.length() - 1) + (id.endsWith("Q") ? "R" : "2")).isEmpty());
            assertEquals(dev.latch.spi.LatchStore.RenewResult.Outcome.RENEWED,
                    store.renew(id, now.plusSeconds(900), now).outcome());
            assertTrue(store.revoke(id, now));
            assertEquals(dev.latch.CodeInfo.State.REVOKED, store.find(id).orElseThrow().state());
        }
    }
}
