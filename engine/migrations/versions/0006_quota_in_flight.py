"""Shared quotas count a call from its grant until its answer, as ``connectors/quota.py`` does
in one process: two PostgreSQL functions, ``mw_quota_reserve3`` (a grant) and
``mw_quota_finish`` (an answer and its rate report). No table changes.

A grant's rows in ``mw_quota_calls`` are written ``p_hold`` seconds ahead (``at`` later than
now means "in flight": counted, never dropped); the answer moves them to its own time, from
where they count for one window. So a server that counts arrivals in windows of its own never
sees more than the limit, whatever the latencies. A call never answered (a crashed process)
counts until ``p_hold`` plus one window. A report keeps the fewest remaining of one server
window (answers come back in any order) and counts the calls that may still reach the server
after it: those in flight when it is written, and every grant after.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: a grant: like mw_quota_reserve2, but the rows are held ahead until the answer, a call in
#: flight frees its room one window after its answer at the earliest, a grant counts against
#: the reports of every key it counts with, and the new rows' ids and the grant time come back
RESERVE = """
CREATE OR REPLACE FUNCTION mw_quota_reserve3(
    p_lock text, p_key text, p_counted text[], p_like text,
    p_names text[], p_limits int[], p_spans float8[], p_hold float8
) RETURNS TABLE(wait float8, binding text, ids bigint[], granted float8) LANGUAGE plpgsql AS $fn$
DECLARE
  v_now float8 := extract(epoch from clock_timestamp());
  v_wait float8 := 0;
  v_binding text := '';
  v_count int;
  v_at float8;
  v_step float8;
  v_ids bigint[];
  i int;
  r record;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM pg_advisory_xact_lock(hashtextextended(p_lock, 7));
  SELECT s.reset_at INTO v_at FROM mw_quota_state s WHERE s.key = p_key AND s.quota = '*pause*';
  IF v_at IS NOT NULL AND v_at > v_now THEN
    v_wait := v_at - v_now;
    v_binding := 'retry-after pause';
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_names, 1), 0) LOOP
    DELETE FROM mw_quota_calls c
      WHERE (c.key = ANY(p_counted) OR c.key LIKE p_like) AND c.quota = p_names[i]
        AND c.at <= v_now - p_spans[i];
    SELECT count(*) INTO v_count FROM mw_quota_calls c
      WHERE (c.key = ANY(p_counted) OR c.key LIKE p_like) AND c.quota = p_names[i];
    IF v_count >= p_limits[i] THEN
      SELECT c.at INTO v_at FROM mw_quota_calls c
        WHERE (c.key = ANY(p_counted) OR c.key LIKE p_like) AND c.quota = p_names[i]
        ORDER BY c.at OFFSET v_count - p_limits[i] LIMIT 1;
      -- a call in flight holds its room until one window after its answer
      v_step := CASE WHEN v_at > v_now THEN p_spans[i] ELSE v_at + p_spans[i] - v_now END;
      IF v_step > v_wait THEN
        v_wait := v_step;
        v_binding := p_names[i];
      END IF;
    END IF;
    SELECT * INTO r FROM mw_quota_state s WHERE s.key = p_key AND s.quota = p_names[i];
    IF FOUND AND r.reset_at > v_now AND r.remaining - r.used_since <= 0
       AND r.reset_at - v_now > v_wait THEN
      v_wait := r.reset_at - v_now;
      v_binding := p_names[i];
    END IF;
  END LOOP;
  IF v_wait <= 0 THEN
    WITH added AS (
      INSERT INTO mw_quota_calls (key, quota, at)
        SELECT p_key, n, v_now + p_hold FROM unnest(p_names) n RETURNING id
    ) SELECT array_agg(id) INTO v_ids FROM added;
    UPDATE mw_quota_state s SET used_since = s.used_since + 1
      WHERE (s.key = ANY(p_counted) OR s.key LIKE p_like) AND s.quota <> '*pause*';
  END IF;
  RETURN QUERY SELECT v_wait, v_binding, coalesce(v_ids, '{}'::bigint[]), v_now;
END
$fn$
"""

#: an answer: move the call's rows (``p_ids``) to now, then take its rate reports, one per
#: quota in ``p_names`` (``p_reset``: seconds to the server's reset, NULL when not named)
FINISH = """
CREATE OR REPLACE FUNCTION mw_quota_finish(
    p_lock text, p_key text, p_counted text[], p_like text, p_ids bigint[], p_granted float8,
    p_names text[], p_remaining int[], p_reset float8[], p_spans float8[], p_write_below int[]
) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_now float8 := extract(epoch from clock_timestamp());
  v_moved int := 0;
  v_reset float8;
  v_used int;
  v_kept boolean;
  i int;
  r record;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  IF coalesce(array_length(p_names, 1), 0) > 0 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_lock, 7));
  END IF;
  IF coalesce(array_length(p_ids, 1), 0) > 0 THEN
    UPDATE mw_quota_calls c SET at = v_now WHERE c.id = ANY(p_ids);
    GET DIAGNOSTICS v_moved = ROW_COUNT;
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_names, 1), 0) LOOP
    SELECT * INTO r FROM mw_quota_state s WHERE s.key = p_key AND s.quota = p_names[i];
    v_kept := FOUND AND r.reset_at > v_now;
    v_reset := v_now + coalesce(p_reset[i], p_spans[i]);
    IF v_kept AND p_reset[i] IS NOT NULL AND (
         p_reset[i] <= 0 OR v_reset < r.reset_at - p_spans[i] / 2
         OR (v_reset <= r.reset_at + p_spans[i] / 2 AND p_remaining[i] >= r.remaining)) THEN
      -- reached the server before the kept report, or in an older window: it stops counting
      -- against the report (it counted while in flight or since its grant)
      IF v_moved > 0 THEN
        UPDATE mw_quota_state s SET used_since = greatest(s.used_since - 1, 0)
          WHERE s.key = p_key AND s.quota = p_names[i];
      END IF;
      CONTINUE;
    END IF;
    IF (p_reset[i] IS NOT NULL AND p_reset[i] <= 0) OR p_remaining[i] > p_write_below[i] THEN
      CONTINUE;  -- over, or plenty left: a kept report (if any) stays until its reset
    END IF;
    SELECT count(*) INTO v_used FROM mw_quota_calls c
      WHERE (c.key = ANY(p_counted) OR c.key LIKE p_like) AND c.quota = p_names[i]
        AND c.at > v_now;
    IF p_reset[i] IS NULL AND p_granted IS NOT NULL THEN
      -- no window to compare reports by: every call answered since this one was granted
      -- may have reached the server after it
      SELECT v_used + count(*) - least(v_moved, 1) INTO v_used FROM mw_quota_calls c
        WHERE (c.key = ANY(p_counted) OR c.key LIKE p_like) AND c.quota = p_names[i]
          AND c.at >= p_granted AND c.at <= v_now;
    END IF;
    INSERT INTO mw_quota_state AS s (key, quota, remaining, reset_at, used_since)
      VALUES (p_key, p_names[i], greatest(p_remaining[i], 0), v_reset, greatest(v_used, 0))
      ON CONFLICT (key, quota) DO UPDATE SET remaining = excluded.remaining,
        reset_at = excluded.reset_at, used_since = excluded.used_since;
  END LOOP;
END
$fn$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text(RESERVE))
        op.execute(sa.text(FINISH))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS mw_quota_finish(text, text, text[], text, bigint[], float8, "
            "text[], int[], float8[], float8[], int[])"
        )
        op.execute(
            "DROP FUNCTION IF EXISTS mw_quota_reserve3(text, text, text[], text, text[], int[], "
            "float8[], float8)"
        )
