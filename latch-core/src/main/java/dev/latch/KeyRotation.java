package dev.latch;

import dev.latch.DeliveryChain.DeliveryReceipt;
import dev.latch.StaticKeySpec.Rotation;
import dev.latch.spi.Delivery;
import dev.latch.spi.LatchStore;
import dev.latch.spi.LatchStore.KeyRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduled rotation of static keys ({@link StaticKeySpec.Rotation}), as work items in the store
 * so that any instance runs them, once, also after a restart. A warning item at
 * {@code maxAge - warnBefore} tells the owner; a rotation item at {@code maxAge} issues the
 * successor, delivers it, and only then retires the old key with the overlap, and schedules the
 * successor's own rotation. A key that is no longer active when its item runs (rotated by hand,
 * revoked) is left alone. The rotation of a key is also kept as a marker, so that a rotation on
 * request ({@link Latches#rotate}) carries the schedule over to the successor. Thread-safe.
 */
final class KeyRotation extends Part {
    static final String WARNING = "KEY_ROTATION_WARNING";
    static final String ROTATION = "KEY_ROTATION";
    private static final String MARKER = "~rotation:";

    private final StaticKeyring keyring;
    private final DueWork dueWork;
    private final Deliveries deliveries;

    KeyRotation(Part base, StaticKeyring keyring, DueWork dueWork, Deliveries deliveries) {
        super(base);
        this.keyring = keyring;
        this.dueWork = dueWork;
        this.deliveries = deliveries;
    }

    /** Issues a key with a rotation schedule: a delivery chain is required before anything is stored. */
    IssuedStaticKey issue(StaticKeySpec spec) {
        deliveries.requireDelivery();
        IssuedStaticKey key = keyring.issueStaticKey(spec);
        try {
            schedule(key.keyId(), spec.rotation(), clock.instant(), key.expiresAt().orElse(null));
        } catch (RuntimeException e) {
            // the caller gets an exception, not the key: no live key may be left behind that nobody holds
            try {
                store.revokeKey(key.keyId(), clock.instant());
            } catch (RuntimeException ignored) {
                // the store is failing; the key's secret was never handed out
            }
            throw e;
        }
        return key;
    }

    /**
     * A rotation on request: the successor inherits the old key's schedule, if it had one. A store
     * failure here is audited and does not fail the rotation: the caller must get the new key.
     */
    void rotatedOnRequest(String oldKeyId, IssuedStaticKey fresh) {
        try {
            inherit(oldKeyId, fresh);
        } catch (RuntimeException e) {
            audit(AuditEvent.Type.ALERT, clock.instant(), null, fresh.keyId(), fresh.subject(), null,
                    AuditEvent.Outcome.ALERT, "ROTATION_SCHEDULE_NOT_CARRIED");
        }
    }

    private void inherit(String oldKeyId, IssuedStaticKey fresh) {
        Instant now = clock.instant();
        Optional<String> marker = call("getMarker", null, oldKeyId, null, () -> store.getMarker(MARKER + oldKeyId, now));
        if (marker.isEmpty()) {
            return;
        }
        Rotation r = decode(marker.get());
        if (r == null) {
            return;
        }
        dueWork.cancel(warningId(oldKeyId));
        dueWork.cancel(rotationId(oldKeyId));
        schedule(fresh.keyId(), r, now, fresh.expiresAt().orElse(null));
    }

    private void schedule(String keyId, Rotation r, Instant createdAt, Instant keyExpiresAt) {
        Instant due = createdAt.plus(r.maxAge());
        Instant keep = keyExpiresAt != null ? keyExpiresAt : due.plus(Rotation.MAX_AGE);
        String encoded = encode(r);
        call("putMarker", null, keyId, null, () -> {
            store.putMarker(MARKER + keyId, encoded, keep, createdAt);
            return null;
        });
        String payload = keyId + "\n" + encoded;
        if (!r.warnBefore().isZero()) {
            dueWork.add(new LatchStore.Work(warningId(keyId), WARNING, payload, due.minus(r.warnBefore())));
        }
        if (r.automatic()) {
            dueWork.add(new LatchStore.Work(rotationId(keyId), ROTATION, payload, due));
        }
    }

    /** Runs a due warning: tells the owner, through the delivery chain, that the key is due for rotation. */
    void warn(String payload, Duration late) {
        Item item = Item.parse(payload);
        KeyRecord k = item == null ? null : activeKey(item);
        if (k == null) {
            return;
        }
        Instant now = clock.instant();
        Instant due = k.createdAt().plus(item.rotation.maxAge());
        Delivery message = new Delivery(Delivery.Kind.KEY_ROTATION_DUE, item.rotation.owner(), k.prefix(), k.keyId(), null,
                due, "rotation");
        DeliveryReceipt receipt = deliveries.remindOf(message, k.subject(), late);
        audit(AuditEvent.Type.ALERT, now, k.prefix(), k.keyId(), k.subject(), null, AuditEvent.Outcome.ALERT,
                "KEY_ROTATION_DUE", details(late, "DUE", due.toString(), "NOTIFIED", Boolean.toString(receipt.delivered())));
    }

    /**
     * Runs a due automatic rotation: successor issued, delivered to the owner, and only then the
     * old key retired with the overlap. When no channel delivers it, the successor is revoked and the
     * old key stays active (audited {@code KEY_ROTATION_FAILED}): no key is ever replaced by one
     * nobody received.
     */
    void rotate(String payload, Duration late) {
        Item item = Item.parse(payload);
        KeyRecord old = item == null ? null : activeKey(item);
        if (old == null) {
            return;
        }
        Instant now = clock.instant();
        IssuedStaticKey fresh = keyring.newKey(old.prefix(), old.subject(), old.scopes(), old.expiresAt(), old.conditions(),
                now);
        Instant oldEnds = now.plus(item.rotation.overlap());
        Delivery message = new Delivery(Delivery.Kind.KEY, item.rotation.owner(), old.prefix(), fresh.keyId(), fresh.key(),
                oldEnds, "rotation-of:" + old.keyId());
        DeliveryReceipt receipt = deliveries.remindOf(message, old.subject(), late);
        if (!receipt.delivered()) {
            call("revokeKey", old.prefix(), fresh.keyId(), old.subject(), () -> store.revokeKey(fresh.keyId(), now));
            audit(AuditEvent.Type.ALERT, now, old.prefix(), old.keyId(), old.subject(), null, AuditEvent.Outcome.ALERT,
                    "KEY_ROTATION_FAILED", details(late, "SUCCESSOR", fresh.keyId(), "FAILURES",
                            String.join(",", receipt.failures())));
            return;
        }
        Optional<KeyRecord> retired = call("retireKey", old.prefix(), old.keyId(), old.subject(),
                () -> store.retireKey(old.keyId(), oldEnds, fresh.keyId(), now));
        if (retired.isEmpty()) {
            // rotated or revoked by someone else meanwhile: the delivered successor must not stay live
            call("revokeKey", old.prefix(), fresh.keyId(), old.subject(), () -> store.revokeKey(fresh.keyId(), now));
            audit(AuditEvent.Type.REVOKED, now, old.prefix(), fresh.keyId(), old.subject(), null,
                    AuditEvent.Outcome.SUCCESS, "ROTATION_RACE");
            return;
        }
        audit(AuditEvent.Type.ROTATED, now, old.prefix(), old.keyId(), old.subject(), null, AuditEvent.Outcome.SUCCESS,
                "ROTATED", details(late, "SUCCESSOR", fresh.keyId(), "OVERLAP", item.rotation.overlap().toString(),
                        "AUTOMATIC", "true"));
        schedule(fresh.keyId(), item.rotation, now, fresh.expiresAt().orElse(null));
    }

    /** The key an item is for, when it is still active (rotated by hand or revoked: null, left alone). */
    private KeyRecord activeKey(Item item) {
        Optional<KeyRecord> key = call("findKey", null, item.keyId, null, () -> store.findKey(item.keyId));
        return key.filter(k -> k.state() == StaticKeyInfo.State.ACTIVE).orElse(null);
    }

    /** The pairs, then {@code LATE} when the item ran late. */
    private static Map<String, String> details(Duration late, String... pairs) {
        Map<String, String> m = new LinkedHashMap<>(Part.details(pairs));
        if (late != null) {
            m.put("LATE", late.toString());
        }
        return m;
    }

    static String warningId(String keyId) {
        return "rotation-warn:" + keyId;
    }

    static String rotationId(String keyId) {
        return "rotation:" + keyId;
    }

    /** {@code r1} then max age, warning and overlap in seconds, automatic, owner: one line each. */
    private static String encode(Rotation r) {
        return "r1\n" + r.maxAge().toSeconds() + "\n" + r.warnBefore().toSeconds() + "\n" + r.overlap().toSeconds() + "\n"
                + (r.automatic() ? 1 : 0) + "\n" + r.owner();
    }

    /** @return the rotation, or null for text this version does not read */
    private static Rotation decode(String text) {
        String[] f = text.split("\n", 6);
        if (f.length != 6 || !"r1".equals(f[0])) {
            return null;
        }
        try {
            return new Rotation(Duration.ofSeconds(Long.parseLong(f[1])), Duration.ofSeconds(Long.parseLong(f[2])),
                    Duration.ofSeconds(Long.parseLong(f[3])), "1".equals(f[4]), f[5]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A work item's payload: the key id, then the encoded rotation. */
    private static final class Item {
        final String keyId;
        final Rotation rotation;

        private Item(String keyId, Rotation rotation) {
            this.keyId = keyId;
            this.rotation = rotation;
        }

        static Item parse(String payload) {
            int nl = payload.indexOf('\n');
            if (nl <= 0) {
                return null;
            }
            Rotation r = decode(payload.substring(nl + 1));
            return r == null ? null : new Item(payload.substring(0, nl), r);
        }
    }
}
