-- The log's head row exists from the start, so appends can lock it with SELECT … FOR UPDATE (one round trip for
-- "lock, then read the freshest head") instead of an advisory lock followed by a read.
INSERT INTO "log_state" ("id", "size", "frontier") VALUES ('head', 0, '[]'::jsonb) ON CONFLICT ("id") DO NOTHING;
