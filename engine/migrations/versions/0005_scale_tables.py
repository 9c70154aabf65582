"""The scale-out tables join the one alembic history: shared quota counts
(``mw_quota_calls``, ``mw_quota_state``, ``mw_quota_limits``), shared Exact tokens
(``mw_tokens``), claims (``mw_claims``); on PostgreSQL also the quota grant function
``mw_quota_reserve2``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

Before this revision ``engine/shared_quota.py``, ``engine/token_store.py`` and
``engine/claims.py`` created these tables on first use (``create_all`` under an advisory lock),
with exactly these columns, so a database of an older version may already hold some of them:
a table that exists is kept as it is (its rows too), a missing one is created. procrastinate's
own tables are not part of this history (procrastinate applies and migrates its schema).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
TABLES = ("mw_quota_calls", "mw_quota_state", "mw_quota_limits", "mw_tokens", "mw_claims")

#: a quota grant in one round trip (``SharedQuotas.reserve``): lock the key, drop calls that
#: left the window, count, insert
RESERVE = """
CREATE OR REPLACE FUNCTION mw_quota_reserve2(
    p_lock text, p_key text, p_counted text[], p_like text,
    p_names text[], p_limits int[], p_spans float8[], p_observed boolean
) RETURNS TABLE(wait float8, binding text) LANGUAGE plpgsql AS $fn$
DECLARE
  v_now float8 := extract(epoch from clock_timestamp());
  v_wait float8 := 0;
  v_binding text := '';
  v_count int;
  v_at float8;
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
      IF v_at + p_spans[i] - v_now > v_wait THEN
        v_wait := v_at + p_spans[i] - v_now;
        v_binding := p_names[i];
      END IF;
    END IF;
    IF p_observed THEN
      SELECT * INTO r FROM mw_quota_state s WHERE s.key = p_key AND s.quota = p_names[i];
      IF FOUND AND r.reset_at > v_now AND r.remaining - r.used_since <= 0
         AND r.reset_at - v_now > v_wait THEN
        v_wait := r.reset_at - v_now;
        v_binding := p_names[i];
      END IF;
    END IF;
  END LOOP;
  IF v_wait <= 0 THEN
    INSERT INTO mw_quota_calls (key, quota, at) SELECT p_key, n, v_now FROM unnest(p_names) n;
    UPDATE mw_quota_state s SET used_since = s.used_since + 1
      WHERE s.key = p_key AND s.quota <> '*pause*';
  END IF;
  RETURN QUERY SELECT v_wait, v_binding;
END
$fn$
"""


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    if "mw_quota_calls" not in existing:
        op.create_table(
            "mw_quota_calls",
            sa.Column(
                "id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                sa.Identity(),
                nullable=False,
            ),
            sa.Column("key", sa.Text, nullable=False),
            sa.Column("quota", sa.Text, nullable=False),
            sa.Column("at", sa.Float, nullable=False),
            sa.PrimaryKeyConstraint("id", name="pk_mw_quota_calls"),
        )
        op.create_index("mw_quota_calls_key", "mw_quota_calls", ["key", "quota", "at"])
    if "mw_quota_state" not in existing:
        op.create_table(
            "mw_quota_state",
            sa.Column("key", sa.Text, nullable=False),
            sa.Column("quota", sa.Text, nullable=False),
            sa.Column("remaining", sa.Integer, nullable=False),
            sa.Column("reset_at", sa.Float, nullable=False),
            sa.Column("used_since", sa.Integer, nullable=False),
            sa.PrimaryKeyConstraint("key", "quota", name="pk_mw_quota_state"),
        )
    if "mw_quota_limits" not in existing:
        op.create_table(
            "mw_quota_limits",
            sa.Column("scope", sa.Text, nullable=False),
            sa.Column("quota", sa.Text, nullable=False),
            sa.Column("lim", sa.Integer, nullable=False),
            sa.Column("span", sa.Float, nullable=False),
            sa.PrimaryKeyConstraint("scope", "quota", name="pk_mw_quota_limits"),
        )
    if "mw_tokens" not in existing:
        op.create_table(
            "mw_tokens",
            sa.Column("connection", sa.Text, nullable=False),
            sa.Column("seed", sa.Text, nullable=False),
            sa.Column("data", sa.JSON, nullable=False),
            sa.Column("updated_at", TS, nullable=False),
            sa.PrimaryKeyConstraint("connection", name="pk_mw_tokens"),
        )
    if "mw_claims" not in existing:
        op.create_table(
            "mw_claims",
            sa.Column("kind", sa.String(40), nullable=False),
            sa.Column("key", sa.String(400), nullable=False),
            sa.Column("at", TS, nullable=False),
            sa.PrimaryKeyConstraint("kind", "key", name="pk_mw_claims"),
        )
    if bind.dialect.name == "postgresql":
        op.execute(sa.text(RESERVE))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS mw_quota_reserve2(text, text, text[], text, text[], int[], "
            "float8[], boolean)"
        )
    for table in reversed(TABLES):
        op.drop_table(table)
