-- The workflow read model (issue #5): a queryable copy of workflows and their runs for search,
-- listings and statistics. The grains are the source of truth; they write these rows after their
-- own state is stored. Every write carries the grain's sequence number and an upsert only wins
-- when its sequence is higher, so a retried or late write never goes backwards. The tables can be
-- emptied and rebuilt from the grains at any time (see docs/operations.md).
--
-- Enum values are stored as the API spells them (snake_case lower text: `active`, `production`).
-- Ids use the "C" collation so ordering and keyset comparisons are byte order, the same as the
-- ordinal comparison of the in-memory read model, whatever the database's default collation.

CREATE TABLE agents_workflows
(
    id         text COLLATE "C" NOT NULL,
    name       text             NOT NULL,
    goal       text             NOT NULL,
    status     text             NOT NULL,
    version    integer          NOT NULL,
    created_by text             NOT NULL,
    created_at timestamptz      NOT NULL,
    updated_by text             NOT NULL,
    updated_at timestamptz      NOT NULL,
    definition jsonb            NOT NULL,
    seq        bigint           NOT NULL,
    -- Full-text search over name (weight A) and goal (weight B). The 'english' configuration
    -- stems words ("deploying" finds "deploy") and drops stop words, which suits names and goals
    -- people write in English; words in other languages still match when spelled the same.
    -- Generated, so it can never disagree with name and goal.
    search     tsvector GENERATED ALWAYS AS (
                   setweight(to_tsvector('english'::regconfig, name), 'A') ||
                   setweight(to_tsvector('english'::regconfig, goal), 'B')) STORED,
    CONSTRAINT pk_agents_workflows PRIMARY KEY (id),
    CONSTRAINT ck_agents_workflows_status CHECK (status IN ('created', 'validated', 'staged', 'active', 'archived', 'failed'))
);

CREATE INDEX ix_agents_workflows_search ON agents_workflows USING gin (search);
-- Listings without a query: most recently updated first, then id (keyset), optionally filtered.
CREATE INDEX ix_agents_workflows_updated ON agents_workflows (updated_at DESC, id);
CREATE INDEX ix_agents_workflows_status ON agents_workflows (status, updated_at DESC, id);
CREATE INDEX ix_agents_workflows_created_by ON agents_workflows (created_by, updated_at DESC, id);

CREATE TABLE agents_workflow_runs
(
    run_id           text COLLATE "C" NOT NULL,
    workflow_id      text COLLATE "C" NOT NULL,
    workflow_version integer          NOT NULL,
    mode             text             NOT NULL,
    status           text             NOT NULL,
    started_by       text             NOT NULL,
    started_at       timestamptz      NOT NULL,
    finished_at      timestamptz,
    -- Seconds from start to finish, null while the run is not finished.
    duration_seconds double precision GENERATED ALWAYS AS (
                         EXTRACT(EPOCH FROM (finished_at - started_at))::double precision) STORED,
    error_code       text,
    seq              bigint           NOT NULL,
    CONSTRAINT pk_agents_workflow_runs PRIMARY KEY (run_id),
    CONSTRAINT ck_agents_workflow_runs_mode CHECK (mode IN ('test', 'staging', 'production')),
    CONSTRAINT ck_agents_workflow_runs_status CHECK (status IN ('running', 'waiting', 'succeeded', 'failed', 'cancelled'))
);

-- A workflow's runs newest started first (keyset), optionally of one status; also counts the
-- unfinished runs of a workflow. Statistics scan the whole table.
CREATE INDEX ix_agents_workflow_runs_workflow ON agents_workflow_runs (workflow_id, started_at DESC, run_id);
CREATE INDEX ix_agents_workflow_runs_workflow_status ON agents_workflow_runs (workflow_id, status, started_at DESC, run_id);
