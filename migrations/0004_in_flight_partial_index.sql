-- The in-flight index covers only turns in flight (crash recovery's lookup), instead of every turn under both of
-- its statuses: it stays as small as the work in progress, and ending a turn writes no entry to it.
-- Building it scans `turns` while holding off writes to that table. On a very large table, run by hand before
-- upgrading:
--   DROP INDEX CONCURRENTLY turns_in_flight_idx;
--   CREATE INDEX CONCURRENTLY turns_in_flight_idx ON turns (instance_id) WHERE status = 'in_flight';
-- and this migration leaves the index as it finds it.
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_indexes
    WHERE schemaname = current_schema() AND indexname = 'turns_in_flight_idx' AND indexdef LIKE '%WHERE%'
  ) THEN
    DROP INDEX IF EXISTS "turns_in_flight_idx";
    CREATE INDEX "turns_in_flight_idx" ON "turns" USING btree ("instance_id") WHERE "turns"."status" = 'in_flight';
  END IF;
END
$$;
