-- The audit log (issue #7): who did what to which target, from where, and how it ended.
--
-- Append-only: a row, once written, is never changed or removed by the application. Triggers
-- refuse UPDATE, DELETE and TRUNCATE, so even a bug (or an injected statement) in the
-- application cannot rewrite history. Only a superuser or the table owner can get around them
-- (ALTER TABLE ... DISABLE TRIGGER), which is itself a deliberate, visible act; see
-- docs/operations.md for archiving.
--
-- `detail` is free text for people; it must never carry secrets (passwords, tokens, keys).

CREATE TABLE agents_audit_log
(
    id      bigserial   NOT NULL,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text        NOT NULL,
    action  text        NOT NULL,
    target  text,
    outcome text        NOT NULL,
    source  text,
    detail  text,
    CONSTRAINT pk_agents_audit_log PRIMARY KEY (id)
);

-- Queries page newest first by id (keyset), optionally filtered by actor, action or a time range.
CREATE INDEX ix_agents_audit_log_actor ON agents_audit_log (actor, id DESC);
CREATE INDEX ix_agents_audit_log_action ON agents_audit_log (action, id DESC);
CREATE INDEX ix_agents_audit_log_at ON agents_audit_log (at);

CREATE FUNCTION agents_audit_log_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'agents_audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER trg_agents_audit_log_no_update_delete
    BEFORE UPDATE OR DELETE ON agents_audit_log
    FOR EACH ROW EXECUTE FUNCTION agents_audit_log_refuse_change();

CREATE TRIGGER trg_agents_audit_log_no_truncate
    BEFORE TRUNCATE ON agents_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION agents_audit_log_refuse_change();
