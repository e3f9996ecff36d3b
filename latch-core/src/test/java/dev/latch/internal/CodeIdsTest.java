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
}
