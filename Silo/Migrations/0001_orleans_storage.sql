-- Grain state for the Orleans ADO.NET storage provider (Microsoft.Orleans.Persistence.AdoNet).
--
-- The provider issues no SQL of its own: at start-up it reads the text of four queries from
-- OrleansQuery (WriteToStorageKey, ReadFromStorageKey, ClearStorageKey, DeleteStorageKey) and
-- binds parameters by name. What it relies on:
--   parameters  GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
--               GrainIdExtensionString (NULL for keys without one), ServiceId,
--               GrainStateVersion (NULL when the grain never read a stored row), PayloadBinary
--   read        columns PayloadBinary and Version of the one matching row, or no row
--   write/clear one column NewGrainStateVersion: the new version on success; the old version
--               or NULL when the ETag check failed (Orleans then raises InconsistentStateException)
-- We store only the binary payload: grain state goes through the Orleans serializer (see
-- docs/operations.md, "Grain state format").

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

CREATE TABLE orleans_storage
(
    service_id             varchar(150) NOT NULL,
    grain_type_hash        integer      NOT NULL,
    grain_id_hash          integer      NOT NULL,
    grain_id_n0            bigint       NOT NULL,
    grain_id_n1            bigint       NOT NULL,
    grain_type             varchar(512) NOT NULL,
    -- '' stands for "no key extension", so the key can be a primary key.
    grain_id_extension     varchar(512) NOT NULL,
    payload_binary         bytea,
    version                integer      NOT NULL,
    modified_at            timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_orleans_storage PRIMARY KEY
        (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1, grain_type, grain_id_extension)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', '
SELECT payload_binary AS PayloadBinary, version AS Version
FROM orleans_storage
WHERE service_id = @ServiceId
  AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString
  AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS varchar), '''')
'),
-- One statement does both cases: with a version, update only if it still matches (optimistic
-- concurrency); without one, insert only if no row exists. Either way a failed check returns
-- NULL, which Orleans reports as a version conflict.
('WriteToStorageKey', '
WITH updated AS (
    UPDATE orleans_storage
    SET payload_binary = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE CAST(@GrainStateVersion AS integer) IS NOT NULL
      AND service_id = @ServiceId
      AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_type = @GrainTypeString
      AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS varchar), '''')
      AND version = CAST(@GrainStateVersion AS integer)
    RETURNING version
), inserted AS (
    INSERT INTO orleans_storage (service_id, grain_type_hash, grain_id_hash, grain_id_n0, grain_id_n1,
                                 grain_type, grain_id_extension, payload_binary, version)
    SELECT @ServiceId, @GrainTypeHash, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           @GrainTypeString, COALESCE(CAST(@GrainIdExtensionString AS varchar), ''''), @PayloadBinary, 1
    WHERE CAST(@GrainStateVersion AS integer) IS NULL
    ON CONFLICT ON CONSTRAINT pk_orleans_storage DO NOTHING
    RETURNING version
)
SELECT (SELECT version FROM updated UNION ALL SELECT version FROM inserted LIMIT 1) AS NewGrainStateVersion
'),
('ClearStorageKey', '
UPDATE orleans_storage
SET payload_binary = NULL, version = version + 1, modified_at = now()
WHERE service_id = @ServiceId
  AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString
  AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS varchar), '''')
  AND version = CAST(@GrainStateVersion AS integer)
RETURNING version AS NewGrainStateVersion
'),
('DeleteStorageKey', '
DELETE FROM orleans_storage
WHERE service_id = @ServiceId
  AND grain_type_hash = @GrainTypeHash AND grain_id_hash = @GrainIdHash
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_type = @GrainTypeString
  AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS varchar), '''')
  AND version = CAST(@GrainStateVersion AS integer)
RETURNING version + 1 AS NewGrainStateVersion
');
