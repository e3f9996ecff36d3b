-- latch-jdbc schema, version 1, for PostgreSQL 14+. ${prefix} is the table prefix (Flyway and
-- Liquibase placeholder syntax; JdbcLatchStore.migrate substitutes it). Times are epoch
-- milliseconds from the caller's clock, never the server's. Every security decision is one
-- function call that locks the rows it reads (SELECT ... FOR UPDATE), so it is atomic at READ
-- COMMITTED; digests are compared by their SHA-256, so the comparison's time says nothing about
-- how much of a digest matched.

CREATE TABLE ${prefix}schema (version int NOT NULL);
INSERT INTO ${prefix}schema (version) VALUES (1);

-- One row per latch and subject: the pending code, the failure count, the lock, the OTP counter.
CREATE TABLE ${prefix}slots (
    latch_id      text    NOT NULL,
    subject       text    NOT NULL,
    code_id       text,
    policy        text,
    kind          text,
    digests       bytea[],
    used_slots    bigint  NOT NULL DEFAULT 0,
    state         text,
    issued_at     bigint,
    not_before    bigint,
    expires_at    bigint,
    attempts_left int,
    uses_left     int,
    renewals_left int,
    review        boolean,
    conditions    text,
    request       bytea,
    failures      int     NOT NULL DEFAULT 0,
    locked_until  bigint,
    forget_at     bigint,
    next_counter  numeric(20, 0),
    keep_until    bigint  NOT NULL,
    PRIMARY KEY (latch_id, subject)
);
CREATE UNIQUE INDEX ${prefix}slots_code ON ${prefix}slots (code_id);
CREATE INDEX ${prefix}slots_subject ON ${prefix}slots (subject);
CREATE INDEX ${prefix}slots_keep ON ${prefix}slots (keep_until);

-- Per subject: the issue-rate window and the sources seen.
CREATE TABLE ${prefix}subjects (
    subject    text     NOT NULL PRIMARY KEY,
    issues     bigint[] NOT NULL DEFAULT '{}',
    sources    text[]   NOT NULL DEFAULT '{}',
    keep_until bigint   NOT NULL
);
CREATE INDEX ${prefix}subjects_keep ON ${prefix}subjects (keep_until);

CREATE TABLE ${prefix}keys (
    key_id         text   NOT NULL PRIMARY KEY,
    prefix         text   NOT NULL,
    subject        text   NOT NULL,
    scopes         text[] NOT NULL,
    digest         bytea  NOT NULL,
    created_at     bigint NOT NULL,
    expires_at     bigint,
    state          text   NOT NULL,
    valid_until    bigint,
    successor_id   text,
    last_used_at   bigint,
    last_used_from text,
    conditions     text   NOT NULL,
    pepper_id      text   NOT NULL,
    layout         int    NOT NULL DEFAULT 1
);

-- Marker, event and record keys and values, and work ids and payloads, may hold any text
-- (NUL included, which PostgreSQL's text cannot): they are stored as their UTF-16 code units.
CREATE TABLE ${prefix}markers (
    key        bytea  NOT NULL PRIMARY KEY,
    value      bytea  NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX ${prefix}markers_expiry ON ${prefix}markers (expires_at);

CREATE TABLE ${prefix}events (
    key            bytea    NOT NULL PRIMARY KEY,
    threshold      int      NOT NULL,
    times          bigint[] NOT NULL,
    cooldown_until bigint,
    keep_until     bigint   NOT NULL
);
CREATE INDEX ${prefix}events_keep ON ${prefix}events (keep_until);

CREATE TABLE ${prefix}records (
    key        bytea  NOT NULL PRIMARY KEY,
    value      bytea  NOT NULL,
    version    bigint NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX ${prefix}records_expiry ON ${prefix}records (expires_at);

CREATE TABLE ${prefix}work (
    id           bytea  NOT NULL PRIMARY KEY,
    kind         text   NOT NULL,
    payload      bytea  NOT NULL,
    due_at       bigint NOT NULL,
    available_at bigint NOT NULL,
    token        bigint NOT NULL DEFAULT 0,
    attempts     int    NOT NULL DEFAULT 0,
    layout       int    NOT NULL DEFAULT 1
);
CREATE INDEX ${prefix}work_available ON ${prefix}work (available_at, id);

-- The failures a slot still counts at now (they are forgotten at forget_at).
CREATE FUNCTION ${prefix}failures_now(f int, forget bigint, now_ms bigint) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN f > 0 AND forget IS NOT NULL AND now_ms >= forget THEN 0 ELSE f END
$$;

-- When a lock ends after the n-th failure, or NULL: LockoutPolicy.lockUntil.
CREATE FUNCTION ${prefix}lock_until(n int, threshold int, base_ms bigint, max_ms bigint, now_ms bigint) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    d int;
    ms bigint := base_ms;
BEGIN
    IF n < threshold THEN
        RETURN NULL;
    END IF;
    d := LEAST(n - threshold, 40);
    FOR i IN 1..d LOOP
        EXIT WHEN ms >= max_ms;
        ms := ms * 2;
    END LOOP;
    RETURN now_ms + LEAST(ms, max_ms);
END
$$;

-- Issues a code: the rate window first (when limit_count > 0), then the slot, keeping its
-- failures, lock and counter. Returns whether it was issued and the pending code it replaced.
CREATE FUNCTION ${prefix}issue(p_latch text, p_subject text, p_code_id text, p_policy text, p_kind text,
                               p_digests bytea[], p_used bigint, p_state text, p_issued bigint, p_nbf bigint,
                               p_exp bigint, p_attempts int, p_uses int, p_renewals int, p_review boolean,
                               p_conditions text, p_request bytea, p_limit int, p_window bigint, p_now bigint,
                               p_keep bigint, OUT issued boolean, OUT replaced text)
LANGUAGE plpgsql AS $$
DECLARE
    held bigint[];
    s ${prefix}slots%ROWTYPE;
BEGIN
    IF p_limit > 0 THEN
        INSERT INTO ${prefix}subjects (subject, keep_until) VALUES (p_subject, p_now)
            ON CONFLICT (subject) DO NOTHING;
        SELECT ARRAY(SELECT t FROM unnest(issues) t WHERE t > p_now - p_window AND t <= p_now)
            INTO held FROM ${prefix}subjects WHERE subject = p_subject FOR UPDATE;
        IF coalesce(array_length(held, 1), 0) >= p_limit THEN
            issued := false;
            RETURN;
        END IF;
        UPDATE ${prefix}subjects SET issues = held || p_now,
            keep_until = GREATEST(keep_until, p_now + p_window) WHERE subject = p_subject;
    END IF;
    INSERT INTO ${prefix}slots (latch_id, subject, keep_until) VALUES (p_latch, p_subject, p_now)
        ON CONFLICT (latch_id, subject) DO NOTHING;
    SELECT * INTO s FROM ${prefix}slots WHERE latch_id = p_latch AND subject = p_subject FOR UPDATE;
    IF s.code_id IS NOT NULL AND s.state = 'PENDING' THEN
        replaced := s.code_id;
    END IF;
    UPDATE ${prefix}slots SET code_id = p_code_id, policy = p_policy, kind = p_kind, digests = p_digests,
        used_slots = p_used, state = p_state, issued_at = p_issued, not_before = p_nbf, expires_at = p_exp,
        attempts_left = p_attempts, uses_left = p_uses, renewals_left = p_renewals, review = p_review,
        conditions = p_conditions, request = p_request, keep_until = GREATEST(keep_until, p_keep)
        WHERE latch_id = p_latch AND subject = p_subject;
    issued := true;
END
$$;

-- Decides one presentation (LatchStore.open): the lock, the match (against the presented digest,
-- and while peppers rotate the previous pepper's), attempts and burning, lockout, refusals, the
-- consumed use, and the source sighting, in one call.
CREATE FUNCTION ${prefix}open(p_latch text, p_subject text, p_folded bytea, p_exact bytea, p_kinds text,
                              p_request bytea, p_cleared boolean, p_source text, p_now bigint, p_threshold int,
                              p_base bigint, p_max bigint, p_memory bigint, p_prev_folded bytea,
                              p_prev_exact bytea, OUT outcome text, OUT code_id text, OUT policy text,
                              OUT uses_left int, OUT review boolean, OUT conditions text, OUT failures int,
                              OUT locked_until bigint, OUT locked_now boolean, OUT burned_now boolean,
                              OUT sighting text)
LANGUAGE plpgsql AS $$
DECLARE
    s ${prefix}slots%ROWTYPE;
    presented bytea;
    previous bytea;
    hp bytea;
    hv bytea;
    m int := -1;
    i int;
    hd bytea;
    f int;
    lu bigint;
    seen text[];
BEGIN
    locked_now := false;
    burned_now := false;
    SELECT * INTO s FROM ${prefix}slots WHERE latch_id = p_latch AND subject = p_subject FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'NO_CODE';
        failures := 0;
        RETURN;
    END IF;
    f := ${prefix}failures_now(s.failures, s.forget_at, p_now);
    IF s.code_id IS NOT NULL THEN
        code_id := s.code_id;
        policy := s.policy;
        uses_left := s.uses_left;
        review := s.review;
        conditions := s.conditions;
    END IF;
    IF s.locked_until IS NOT NULL AND p_now < s.locked_until THEN
        outcome := 'LOCKED';
        failures := f;
        locked_until := s.locked_until;
        RETURN;
    END IF;
    IF s.code_id IS NULL THEN
        outcome := 'NO_CODE';
        failures := f;
        RETURN;
    END IF;
    IF position(s.kind IN p_kinds) > 0 THEN
        IF s.kind = 'OPAQUE' THEN
            presented := p_exact;
            previous := p_prev_exact;
        ELSE
            presented := p_folded;
            previous := p_prev_folded;
        END IF;
    END IF;
    IF presented IS NOT NULL THEN
        hp := sha256(presented);
        hv := CASE WHEN previous IS NULL THEN NULL ELSE sha256(previous) END;
        FOR i IN 1..coalesce(array_length(s.digests, 1), 0) LOOP
            hd := sha256(s.digests[i]);
            IF (hd = hp OR hd = hv) AND m < 0 THEN
                m := i - 1;
            END IF;
        END LOOP;
    END IF;
    IF m < 0 THEN
        outcome := CASE WHEN presented IS NULL THEN 'MALFORMED' ELSE 'WRONG_CODE' END;
        IF s.state = 'PENDING' AND s.attempts_left < 2147483647 THEN
            s.attempts_left := s.attempts_left - 1;
            IF s.attempts_left <= 0 THEN
                s.state := 'BURNED';
                burned_now := true;
            END IF;
        END IF;
        f := f + 1;
        lu := ${prefix}lock_until(f, p_threshold, p_base, p_max, p_now);
        UPDATE ${prefix}slots SET attempts_left = s.attempts_left, state = s.state, failures = f, locked_until = lu,
            forget_at = p_now + p_memory,
            keep_until = GREATEST(keep_until, p_now + p_memory, coalesce(lu, 0))
            WHERE latch_id = p_latch AND subject = p_subject;
        failures := f;
        locked_until := lu;
        locked_now := lu IS NOT NULL;
        RETURN;
    END IF;
    failures := f;
    IF s.state = 'BURNED' THEN
        outcome := 'BURNED';
    ELSIF s.state = 'REVOKED' THEN
        outcome := 'REVOKED';
    ELSIF s.state = 'CONSUMED' OR s.uses_left <= 0
            OR (array_length(s.digests, 1) > 1 AND (s.used_slots & (1::bigint << m)) <> 0) THEN
        outcome := 'USED';
    ELSIF p_now < s.not_before THEN
        outcome := 'NOT_YET_VALID';
    ELSIF p_now >= s.expires_at THEN
        outcome := 'EXPIRED';
    ELSIF s.request IS NOT NULL AND (p_request IS NULL OR sha256(s.request) <> sha256(p_request)) THEN
        outcome := 'REQUEST_MISMATCH';
    ELSIF s.conditions <> '' AND NOT p_cleared THEN
        outcome := 'CONDITIONS_PENDING';
    END IF;
    IF outcome IS NOT NULL THEN
        RETURN;
    END IF;
    s.uses_left := s.uses_left - 1;
    IF array_length(s.digests, 1) > 1 THEN
        s.used_slots := s.used_slots | (1::bigint << m);
    END IF;
    IF s.uses_left <= 0 THEN
        s.state := 'CONSUMED';
    END IF;
    UPDATE ${prefix}slots SET uses_left = s.uses_left, used_slots = s.used_slots, state = s.state, failures = 0,
        locked_until = NULL, forget_at = NULL WHERE latch_id = p_latch AND subject = p_subject;
    outcome := 'OPENED';
    uses_left := s.uses_left;
    failures := 0;
    IF p_source IS NOT NULL THEN
        INSERT INTO ${prefix}subjects (subject, keep_until) VALUES (p_subject, p_now)
            ON CONFLICT (subject) DO NOTHING;
        SELECT sources INTO seen FROM ${prefix}subjects WHERE subject = p_subject FOR UPDATE;
        IF coalesce(array_length(seen, 1), 0) = 0 THEN
            sighting := 'FIRST';
            seen := ARRAY[p_source];
        ELSIF p_source = ANY (seen) THEN
            sighting := 'KNOWN';
        ELSE
            sighting := 'NEW';
            seen := seen || p_source;
            IF array_length(seen, 1) > 32 THEN
                seen := seen[2:];
            END IF;
        END IF;
        UPDATE ${prefix}subjects SET sources = seen, keep_until = GREATEST(keep_until, p_now + 7776000000)
            WHERE subject = p_subject;
    END IF;
END
$$;

-- Renews a pending, unexpired code with renewals left (LatchStore.renew); returns the outcome
-- and the slot as it is after it.
CREATE FUNCTION ${prefix}renew(p_code_id text, p_new_expiry bigint, p_now bigint, p_keep bigint,
                               OUT outcome text, OUT r ${prefix}slots)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT * INTO r FROM ${prefix}slots WHERE code_id = p_code_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'NOT_FOUND';
        r := NULL;
        RETURN;
    END IF;
    IF r.state <> 'PENDING' THEN
        outcome := 'NOT_PENDING';
    ELSIF p_now >= r.expires_at THEN
        outcome := 'EXPIRED';
    ELSIF r.renewals_left <= 0 THEN
        outcome := 'NO_RENEWALS_LEFT';
    ELSE
        UPDATE ${prefix}slots SET issued_at = p_now, expires_at = p_new_expiry, renewals_left = renewals_left - 1,
            keep_until = GREATEST(keep_until, p_keep) WHERE code_id = p_code_id;
        r.issued_at := p_now;
        r.expires_at := p_new_expiry;
        r.renewals_left := r.renewals_left - 1;
        outcome := 'RENEWED';
    END IF;
END
$$;

-- One presentation of a counter-based one-time password (LatchStore.acceptCounter). The next
-- counter is numeric: 2^63 once 2^63 - 1 was accepted, after which every counter is a replay.
CREATE FUNCTION ${prefix}accept_counter(p_latch text, p_subject text, p_matches bigint[], p_well_formed boolean,
                                        p_now bigint, p_threshold int, p_base bigint, p_max bigint,
                                        p_memory bigint, OUT outcome text, OUT counter bigint, OUT failures int,
                                        OUT locked_until bigint, OUT locked_now boolean)
LANGUAGE plpgsql AS $$
DECLARE
    s ${prefix}slots%ROWTYPE;
    f int;
    lu bigint;
    nxt numeric;
    mm bigint;
BEGIN
    counter := -1;
    locked_now := false;
    INSERT INTO ${prefix}slots (latch_id, subject, keep_until) VALUES (p_latch, p_subject, p_now)
        ON CONFLICT (latch_id, subject) DO NOTHING;
    SELECT * INTO s FROM ${prefix}slots WHERE latch_id = p_latch AND subject = p_subject FOR UPDATE;
    f := ${prefix}failures_now(s.failures, s.forget_at, p_now);
    failures := f;
    IF s.locked_until IS NOT NULL AND p_now < s.locked_until THEN
        outcome := 'LOCKED';
        locked_until := s.locked_until;
        RETURN;
    END IF;
    IF NOT p_well_formed OR coalesce(array_length(p_matches, 1), 0) = 0 THEN
        f := f + 1;
        lu := ${prefix}lock_until(f, p_threshold, p_base, p_max, p_now);
        UPDATE ${prefix}slots SET failures = f, locked_until = lu, forget_at = p_now + p_memory,
            keep_until = GREATEST(keep_until, p_now + p_memory, coalesce(lu, 0))
            WHERE latch_id = p_latch AND subject = p_subject;
        outcome := CASE WHEN p_well_formed THEN 'WRONG_CODE' ELSE 'MALFORMED' END;
        failures := f;
        locked_until := lu;
        locked_now := lu IS NOT NULL;
        RETURN;
    END IF;
    nxt := coalesce(s.next_counter, 0);
    FOREACH mm IN ARRAY p_matches LOOP
        IF mm >= nxt THEN
            UPDATE ${prefix}slots SET next_counter = mm::numeric + 1, failures = 0, locked_until = NULL,
                forget_at = NULL, keep_until = 253402300799000 WHERE latch_id = p_latch AND subject = p_subject;
            outcome := 'ACCEPTED';
            counter := mm;
            failures := 0;
            RETURN;
        END IF;
    END LOOP;
    outcome := 'REPLAYED';
END
$$;

-- Counts one event towards a sliding-window threshold (LatchStore.countEvent).
CREATE FUNCTION ${prefix}count_event(p_key bytea, p_threshold int, p_window bigint, p_cooldown bigint, p_now bigint,
                                     OUT in_window int, OUT fired boolean, OUT cooling boolean)
LANGUAGE plpgsql AS $$
DECLARE
    e ${prefix}events%ROWTYPE;
    ts bigint[];
    cd bigint;
BEGIN
    INSERT INTO ${prefix}events (key, threshold, times, keep_until) VALUES (p_key, p_threshold, '{}', p_now)
        ON CONFLICT (key) DO NOTHING;
    SELECT * INTO e FROM ${prefix}events WHERE key = p_key FOR UPDATE;
    cd := e.cooldown_until;
    IF e.keep_until <= p_now - 60000 THEN
        ts := '{}';
        cd := NULL;
    ELSIF e.threshold <> p_threshold THEN
        ts := '{}';
    ELSE
        ts := e.times;
    END IF;
    ts := ts || p_now;
    IF array_length(ts, 1) > p_threshold THEN
        ts := ts[array_length(ts, 1) - p_threshold + 1:];
    END IF;
    SELECT count(*) INTO in_window FROM unnest(ts) t WHERE t > p_now - p_window AND t <= p_now;
    cooling := in_window >= p_threshold AND cd IS NOT NULL AND p_now < cd;
    fired := in_window >= p_threshold AND NOT cooling;
    IF fired THEN
        ts := '{}';
        cd := p_now + p_cooldown;
    END IF;
    UPDATE ${prefix}events SET threshold = p_threshold, times = ts, cooldown_until = cd,
        keep_until = GREATEST(p_now + p_window, coalesce(cd, p_now)) WHERE key = p_key;
END
$$;

-- Uses a static key (LatchStore.useKey): compares digests by their SHA-256, checks state and
-- lifetime, records the use. Returns the outcome; the caller reads the row in the same call.
CREATE FUNCTION ${prefix}use_key(p_key_id text, p_digest bytea, p_now bigint, p_source text,
                                 OUT outcome text, OUT k ${prefix}keys)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT * INTO k FROM ${prefix}keys WHERE key_id = p_key_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'NO_KEY';
        k := NULL;
        RETURN;
    END IF;
    IF k.layout <> 1 THEN
        outcome := 'LAYOUT';
        RETURN;
    END IF;
    IF sha256(k.digest) <> sha256(p_digest) THEN
        outcome := 'WRONG_SECRET';
        RETURN;
    END IF;
    IF k.state = 'REVOKED' THEN
        outcome := 'REVOKED';
        RETURN;
    END IF;
    IF (k.expires_at IS NOT NULL AND p_now >= k.expires_at) OR (k.valid_until IS NOT NULL AND p_now >= k.valid_until) THEN
        outcome := 'EXPIRED';
        RETURN;
    END IF;
    UPDATE ${prefix}keys SET last_used_at = p_now, last_used_from = p_source WHERE key_id = p_key_id;
    k.last_used_at := p_now;
    k.last_used_from := p_source;
    outcome := 'OK';
END
$$;
