-- FerretDB 1.24 turns an equality on a top-level field into `_jsonb -> 'field' @> value` (a value
-- inside an array field matches too), but the indexes it creates are btree indexes on
-- `(_jsonb -> 'field')`, which PostgreSQL cannot use for `@>`. So each of its indexes gets, beside
-- it, a GIN index on the fields it is searched by: every column of a one-column index, every
-- column but the last (the sort or range key) of a compound one. The indexes declared in
-- storage/models.py for MongoDB then serve the same equality filters here. Idempotent: run at
-- every start.

CREATE OR REPLACE FUNCTION strata_gin_beside(btree_index oid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  columns int;
  position int;
  field text;
  tbl regclass;
BEGIN
  IF (SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = btree_index) <> 'btree' THEN
    RETURN;
  END IF;
  SELECT indrelid::regclass, indnkeyatts INTO tbl, columns FROM pg_index WHERE indexrelid = btree_index;
  FOR position IN 1 .. CASE WHEN columns > 1 THEN columns - 1 ELSE 1 END LOOP
    -- top-level fields only: FerretDB does not hand a nested path ("a -> b") to its store
    field := substring(pg_get_indexdef(btree_index, position, true) FROM '^\(?_jsonb -> ''([^'']+)''::text\)?$');
    IF field IS NOT NULL THEN
      EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L) jsonb_path_ops)',
                     'gin_' || md5(tbl::text || '/' || field), tbl, field);
    END IF;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION strata_gin_on_create_index() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
    PERFORM strata_gin_beside(cmd.objid);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS strata_gin;
CREATE EVENT TRIGGER strata_gin ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
  EXECUTE FUNCTION strata_gin_on_create_index();

-- Indexes made before the trigger existed (a store from an older version) get theirs now.
SELECT strata_gin_beside(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
WHERE a.amname = 'btree' AND pg_get_indexdef(i.indexrelid) LIKE '%_jsonb -> %';

-- What each statement returned: the store-cost test counts rows with it (tests/test_store_cost.py).
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
