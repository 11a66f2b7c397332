-- Appending to the Merkle log in the database itself: lock the head, fold the new leaves into the frontier
-- (RFC 6962: node = SHA-256(0x01 || left || right)), write the head, return where the leaves went. One call, so a
-- record write is one statement (with the leaves' insert) instead of a lock-and-read round trip followed by a
-- write. The same algorithm as src/transparency/merkle-frontier.ts (appendToFrontier); tests compare the two.
CREATE OR REPLACE FUNCTION candor_log_append(leaves bytea[]) RETURNS TABLE (first_index bigint, new_size bigint)
LANGUAGE plpgsql AS $$
DECLARE
  old_size bigint;
  grown bigint;
  nodes bytea[];
  leaf bytea;
  node bytea;
  carry bigint;
BEGIN
  SELECT s.size, array(SELECT decode(e.n, 'base64') FROM jsonb_array_elements_text(s.frontier) WITH ORDINALITY AS e(n, i) ORDER BY e.i)
    INTO old_size, nodes
    FROM log_state s WHERE s.id = 'head' FOR UPDATE;
  IF old_size IS NULL THEN
    RAISE EXCEPTION 'the log''s head row is missing (migration 0002 not applied)';
  END IF;
  grown := old_size;
  FOREACH leaf IN ARRAY leaves LOOP
    node := leaf;
    carry := grown;
    WHILE carry % 2 = 1 LOOP
      IF coalesce(array_length(nodes, 1), 0) = 0 THEN
        RAISE EXCEPTION 'corrupt frontier: fewer nodes than set bits of size';
      END IF;
      node := sha256('\x01'::bytea || nodes[array_length(nodes, 1)] || node);
      nodes := nodes[1:array_length(nodes, 1) - 1];
      carry := carry / 2;
    END LOOP;
    nodes := nodes || node;
    grown := grown + 1;
  END LOOP;
  UPDATE log_state SET
    size = grown,
    frontier = coalesce((SELECT jsonb_agg(encode(n, 'base64') ORDER BY i) FROM unnest(nodes) WITH ORDINALITY AS t(n, i)), '[]'::jsonb),
    updated_at = now()
  WHERE id = 'head';
  first_index := old_size;
  new_size := grown;
  RETURN NEXT;
END
$$;
