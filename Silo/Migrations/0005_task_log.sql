-- The agents' task logs as rows (issue #18): until now each agent's log was one grain-state blob
-- of up to Tasks:LogRetention summaries, rewritten whole on every change (~50-60 KiB of WAL per
-- task under load). Task grains write their latest summary here, batched across a silo's tasks;
-- an upsert only wins with a higher version, so a retried or late write never goes backwards.
-- Finished rows beyond the retention are trimmed per agent in the background. The listing of
-- `GET /api/agents/{id}/tasks` reads this table; the tasks' own records stay the source of truth.
--
-- state and priority hold the enum numbers of TaskState (0 queued, 1 running, 2 succeeded,
-- 3 failed, 4 cancelled, 5 dead-lettered) and TaskPriority (0 high, 1 default, 2 low). Ids use the
-- "C" collation so keyset comparisons are byte order, as in the in-memory log.

CREATE TABLE agents_task_log
(
    id              text COLLATE "C" NOT NULL,
    agent_id        text COLLATE "C" NOT NULL,
    skill           text             NOT NULL,
    priority        smallint         NOT NULL,
    state           smallint         NOT NULL,
    attempts        integer          NOT NULL,
    created_at      timestamptz      NOT NULL,
    updated_at      timestamptz      NOT NULL,
    error_code      text,
    error_message   text,
    error_transient boolean          NOT NULL,
    version         bigint           NOT NULL,
    submitted_by    text,
    CONSTRAINT pk_agents_task_log PRIMARY KEY (id),
    CONSTRAINT ck_agents_task_log_state CHECK (state BETWEEN 0 AND 5),
    CONSTRAINT ck_agents_task_log_priority CHECK (priority BETWEEN 0 AND 2)
)
-- A task's row changes a few times; room on its page lets PostgreSQL update it in place (HOT),
-- which it can because no indexed column changes after the first write.
WITH (fillfactor = 80);

-- An agent's tasks newest created first, then id (keyset pages; the state filter reads the same
-- index, bounded by the retention). Not indexed on state or updated_at on purpose: see above.
CREATE INDEX ix_agents_task_log_agent ON agents_task_log (agent_id, created_at DESC, id);
