package dev.latch.examples;

import dev.latch.AccessContext;
import dev.latch.Condition;
import dev.latch.IssuedStaticKey;
import dev.latch.Latches;
import dev.latch.RecoveryCodes;
import dev.latch.StaticKeySpec;
import dev.latch.Verdict;

import java.time.Duration;
import java.time.Instant;

import static dev.latch.examples.Scenario.result;
import static dev.latch.examples.Scenario.step;
import static dev.latch.examples.Scenario.title;

/**
 * API key lifecycle: issue a scannable static key (shown once), authenticate with it, rotate it
 * with an overlap so deployments can switch without downtime, revoke it after a simulated leak,
 * and issue single-use recovery codes.
 */
public final class ApiKeyLifecycleExample {
    private ApiKeyLifecycleExample() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        title("API key lifecycle");
        Scenario.StoryClock clock = new Scenario.StoryClock(Instant.parse("2026-03-02T10:00:00Z"));
        Latches latches = Scenario.latches(clock, Scenario.printAudit());

        step("Issue a live key for the billing service (shown once; only its id and a keyed hash are stored)");
        IssuedStaticKey key = latches.issueStaticKey(StaticKeySpec.builder("billing-service")
                .prefix("lk_live").scopes("invoices:read", "invoices:write").expiresAfter(Duration.ofDays(90)).build());
        result("give this to the service once: " + key.key());
        result("what logs see: " + key);

        step("The service authenticates from 10.20.0.5");
        Verdict ok = latches.authenticate(key.key(), AccessContext.builder("billing-service").source("10.20.0.5").build());
        result(ok.toString());
        latches.keyInfo(key.keyId()).ifPresent(i -> result("last used " + i.lastUsedAt().orElseThrow()
                + " from " + i.lastUsedFrom().orElseThrow()));

        step("A key with one wrong character is rejected offline by its checksum, without a store lookup");
        String typo = key.key().substring(0, key.key().length() - 1) + (key.key().endsWith("A") ? "B" : "A");
        result(latches.authenticate(typo, AccessContext.of("billing-service")).toString());

        step("A second key works only from the billing network (10.20.0.0/16), stored with the key");
        IssuedStaticKey fenced = latches.issueStaticKey(StaticKeySpec.builder("billing-service").prefix("lk_live")
                .scopes("invoices:read").conditions(Condition.sourceIn("10.20.0.0/16")).build());
        result("from 10.20.0.5: " + latches.authenticate(fenced.key(),
                AccessContext.builder("billing-service").source("10.20.0.5").build()));
        result("from 203.0.113.9: " + latches.authenticate(fenced.key(),
                AccessContext.builder("billing-service").source("203.0.113.9").build()));

        step("Rotate the key with a 24-hour overlap");
        IssuedStaticKey next = latches.rotate(key.keyId(), Duration.ofHours(24));
        result("new key: " + next);
        clock.advance(Duration.ofHours(1));
        result("old key during overlap: " + latches.authenticate(key.key(), AccessContext.of("billing-service")));
        result("new key: " + latches.authenticate(next.key(), AccessContext.of("billing-service")));
        clock.advance(Duration.ofHours(23));
        result("old key after overlap: " + latches.authenticate(key.key(), AccessContext.of("billing-service")));

        step("The new key shows up in a public repository: revoke it at once");
        latches.revokeKey(next.keyId());
        result("leaked key now: " + latches.authenticate(next.key(), AccessContext.of("billing-service")));

        step("An operator gets recovery codes for the admin console");
        RecoveryCodes codes = latches.issueRecoveryCodes("operator-jane", 8);
        result("print these once: " + String.join(" ", codes.codes()));
        result("redeem one (typed in lower case): "
                + latches.redeemRecoveryCode(codes.codes().get(0).toLowerCase(), AccessContext.of("operator-jane")));
        result("redeem it again: " + latches.redeemRecoveryCode(codes.codes().get(0), AccessContext.of("operator-jane")));
        RecoveryCodes fresh = latches.issueRecoveryCodes("operator-jane", 8);
        result("after a new set, an old code: "
                + latches.redeemRecoveryCode(codes.codes().get(1), AccessContext.of("operator-jane")));
        result("and a new one: " + latches.redeemRecoveryCode(fresh.codes().get(1), AccessContext.of("operator-jane")));
    }
}
