package dev.latch;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AuditEventTest {
    static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void describe_leavesOutAbsentFieldsAndNamesTheCodeIdAsAnId() {
        AuditEvent e = new AuditEvent(AuditEvent.Type.DENIED, T, null, null, null, "10.0.0.1",
                AuditEvent.Outcome.FAILURE, "MALFORMED_KEY");
        assertEquals("DENIED FAILURE source=10.0.0.1 reason=MALFORMED_KEY", e.describe());
        AuditEvent d = new AuditEvent(AuditEvent.Type.DELIVERED, T, "deploy:prod", "c_1", "alice", null,
                AuditEvent.Outcome.SUCCESS, "CODE", Map.of("CHANNEL", "chat"));
        assertEquals("DELIVERED SUCCESS latch=deploy:prod codeId=c_1 subject=alice reason=CODE channel=chat", d.describe());
    }

    @Test
    void details_keepTheirOrderAndValuesWithSpacesAreQuoted() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("GATE", "g_1");
        details.put("REASON", "INC-7: primary \"down\"");
        details.put("APPROVALS", "1/2");
        AuditEvent e = new AuditEvent(AuditEvent.Type.APPROVAL, T, "x", null, "bob", null,
                AuditEvent.Outcome.SUCCESS, "REQUESTED", details);
        assertEquals(List.of("GATE", "REASON", "APPROVALS"), List.copyOf(e.details().keySet()));
        assertEquals("APPROVAL SUCCESS latch=x subject=bob reason=REQUESTED gate=g_1 reason=\"INC-7: primary \\\"down\\\"\""
                + " approvals=1/2", e.describe());
        details.put("LATER", "changes nothing");
        assertEquals(3, e.details().size(), "the event keeps its own copy");
        assertThrows(UnsupportedOperationException.class, () -> e.details().put("X", "y"));
    }

    @Test
    void reasonIsOneToken_andDetailNamesAreUpperCaseTokens() {
        for (String bad : new String[]{"", "TWO WORDS", "CHANNEL=chat", "A\nB", "x".repeat(81)}) {
            assertThrows(IllegalArgumentException.class, () -> new AuditEvent(AuditEvent.Type.DENIED, T, null, null,
                    null, null, AuditEvent.Outcome.FAILURE, bad), bad);
        }
        for (String name : new String[]{"", "lower", "WITH SPACE", "A=B"}) {
            assertThrows(IllegalArgumentException.class, () -> new AuditEvent(AuditEvent.Type.DENIED, T, null, null,
                    null, null, AuditEvent.Outcome.FAILURE, "X", Map.of(name, "v")), name);
        }
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("A", null);
        nullValue.put("B", "b");
        assertThrows(IllegalArgumentException.class, () -> new AuditEvent(AuditEvent.Type.DENIED, T, null, null,
                null, null, AuditEvent.Outcome.FAILURE, "X", nullValue));
        assertEquals(Map.of(), new AuditEvent(AuditEvent.Type.DENIED, T, null, null, null, null,
                AuditEvent.Outcome.FAILURE, "open:RedisCommandTimeoutException", null).details());
    }

    @Test
    void aBadReasonIsRefusedEveryTime_howeverManyGoodOnesWereSeen() {
        for (int i = 0; i < 1000; i++) { // distinct good strings, more than the checked-reason slots
            new AuditEvent(AuditEvent.Type.DENIED, T, null, null, null, null, AuditEvent.Outcome.FAILURE, "R_" + i);
        }
        String bad = "TWO WORDS";
        for (int i = 0; i < 3; i++) { // the very same instance, again and again
            assertThrows(IllegalArgumentException.class, () -> new AuditEvent(AuditEvent.Type.DENIED, T, null, null,
                    null, null, AuditEvent.Outcome.FAILURE, bad));
        }
        String good = "SIGNED_TOKEN";
        for (int i = 0; i < 3; i++) {
            assertEquals(good, new AuditEvent(AuditEvent.Type.OPENED, T, null, null, null, null,
                    AuditEvent.Outcome.SUCCESS, good).reason());
        }
    }
}
