-- Reminders for the Orleans ADO.NET reminder service (Microsoft.Orleans.Reminders.AdoNet 10.4).
--
-- Query keys and what the provider relies on:
--   UpsertReminderRowKey   params ServiceId, GrainId, ReminderName, StartTime, Period (ms,
--                          int or bigint), GrainHash -> one column Version (the new ETag)
--   ReadReminderRowsKey    params ServiceId, GrainId -> rows of
--                          GrainId, ReminderName, StartTime, Period, Version
--   ReadReminderRowKey     + ReminderName -> at most one such row
--   ReadRangeRows1Key      params ServiceId, BeginHash, EndHash: BeginHash < GrainHash <= EndHash
--   ReadRangeRows2Key      the wrapping range: GrainHash > BeginHash OR GrainHash <= EndHash
--   DeleteReminderRowKey   params ServiceId, GrainId, ReminderName, Version -> rows deleted (>0 = ok)
--   DeleteReminderRowsKey  param ServiceId: delete every reminder of the service

CREATE TABLE orleans_reminders
(
    service_id    varchar(150) NOT NULL,
    grain_id      varchar(150) NOT NULL,
    reminder_name varchar(150) NOT NULL,
    start_time    timestamptz  NOT NULL,
    period_ms     bigint       NOT NULL,
    grain_hash    integer      NOT NULL,
    version       integer      NOT NULL,
    CONSTRAINT pk_orleans_reminders PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey', '
INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, CAST(@Period AS bigint), @GrainHash, 0)
ON CONFLICT ON CONSTRAINT pk_orleans_reminders DO UPDATE
SET start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash,
    version = orleans_reminders.version + 1
RETURNING version AS Version
'),
('ReadReminderRowsKey', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId
'),
('ReadReminderRowKey', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
'),
('ReadRangeRows1Key', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
'),
('ReadRangeRows2Key', '
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
FROM orleans_reminders
WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
'),
('DeleteReminderRowKey', '
WITH deleted AS (
    DELETE FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
      AND version = @Version
    RETURNING 1
)
SELECT count(*)::integer AS row_count FROM deleted
'),
('DeleteReminderRowsKey', '
DELETE FROM orleans_reminders WHERE service_id = @ServiceId
');
