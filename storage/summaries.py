"""Database-maintained summaries for the dashboard: daily counts and a full-text index of evidence.

`claim_daily`, `signal_daily` and `article_daily` (models in storage.models) hold row counts per
day and the columns the dashboard filters and groups by; `claim_monthly` and `signal_monthly` the
same counts per month, for long periods. Triggers keep them exact in the same
transaction as every INSERT, DELETE (cascades included) and key-changing UPDATE of the base
table, whoever writes it: the extractor, the crawler, retention, bulk loads. SQLite uses row
triggers; PostgreSQL statement triggers with transition tables (one grouped upsert per
statement, keys in a fixed order so concurrent writers lock summary rows in the same order).

`signal.claim_stances` holds the stances (STANCE_BITS) of the claims about the signal's subject in
its article, `article.claim_stances` those of all the article's claims, kept by triggers on both
tables (STANCE_MASKS): a stance filter on signals reads the signal rows' own index instead of
probing the claims once per signal, and articles with a claim of a stance are counted from
`article_daily`, which is keyed by the mask.

Evidence search: SQLite gets an FTS5 trigram index kept by triggers, of which rows hold which
trigrams (detail=none: no positions, a third of the size; storage.queries checks the substring
on the candidates it finds); PostgreSQL a pg_trgm GIN index, when the extension may be created.

The 0001 migration runs `ddl(dialect)`; 0002 rebuilds the SQLite index of databases made before
it dropped positions.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    table: str        # summary table
    base: str         # counted table
    keys: tuple[str, ...]
    watched: tuple[str, ...]  # base columns the keys are computed from
    monthly: bool = False  # `day` holds the first day of the row's month

    def exprs(self, row: str, dialect: str) -> list[str]:
        """The key values of base row `row` (NEW/OLD or a transition table alias)."""
        out = []
        for key in self.keys:
            if key == "day" and self.monthly:
                out.append(f"date({row}.day, 'start of month')" if dialect == "sqlite"
                           else f"date_trunc('month', {row}.day::timestamp)::date")
            elif key == "day" and self.base == "article":
                stamp = f"coalesce({row}.published_at, {row}.fetched_at)"
                utc_day = f"date({stamp})" if dialect == "sqlite" else f"({stamp} AT TIME ZONE 'UTC')::date"
                out.append(f"coalesce({row}.published_on, {utc_day})")
            elif key == "language":
                out.append(f"coalesce({row}.language, '')")
            elif key == "source_id":
                out.append(f"coalesce({row}.source_id, 0)")
            else:
                out.append(f"{row}.{key}")
        return out


CLAIM_KEYS = ("day", "entity_id", "stance", "language")
SIGNAL_KEYS = ("day", "entity_id", "signal", "language")
SUMMARIES = (
    Summary("claim_daily", "claim", CLAIM_KEYS, CLAIM_KEYS),
    Summary("claim_monthly", "claim", CLAIM_KEYS, CLAIM_KEYS, monthly=True),
    Summary("signal_daily", "signal", SIGNAL_KEYS, SIGNAL_KEYS),
    Summary("signal_monthly", "signal", SIGNAL_KEYS, SIGNAL_KEYS, monthly=True),
    Summary("article_daily", "article", ("day", "source_id", "claim_stances", "language"),
            ("published_on", "published_at", "fetched_at", "source_id", "language", "claim_stances")),
)
SEARCHED = ("claim", "signal")  # tables whose `evidence` gets a substring index


def _sqlite_summary(s: Summary) -> list[str]:
    keys = ", ".join(s.keys)

    def add(row: str, n: int) -> str:
        values = s.exprs(row, "sqlite")
        return (f"INSERT INTO {s.table} ({keys}, n) SELECT {', '.join(values)}, {n} WHERE {values[0]} IS NOT NULL "
                f"ON CONFLICT ({keys}) DO UPDATE SET n = n + excluded.n;")

    def drop_empty(row: str) -> str:
        match = " AND ".join(f"{k} = {v}" for k, v in zip(s.keys, s.exprs(row, "sqlite")))
        return f"DELETE FROM {s.table} WHERE {match} AND n <= 0;"

    name = f"{s.table}_"
    return [
        f"CREATE TRIGGER {name}ins AFTER INSERT ON {s.base} BEGIN {add('NEW', 1)} END",
        f"CREATE TRIGGER {name}del AFTER DELETE ON {s.base} BEGIN {add('OLD', -1)} {drop_empty('OLD')} END",
        f"CREATE TRIGGER {name}upd AFTER UPDATE OF {', '.join(s.watched)} ON {s.base} "
        f"BEGIN {add('OLD', -1)} {drop_empty('OLD')} {add('NEW', 1)} END",
    ]


def _postgresql_summary(s: Summary) -> list[str]:
    keys = ", ".join(s.keys)
    positions = ", ".join(str(i + 1) for i in range(len(s.keys)))

    def delta(*parts: tuple[str, int]) -> str:
        rows = " UNION ALL ".join(
            f"SELECT {', '.join(f'{e} AS {k}' for e, k in zip(s.exprs('r', 'postgresql'), s.keys))}, {n} AS n "
            f"FROM {table} r" for table, n in parts)
        return (f"INSERT INTO {s.table} ({keys}, n) SELECT {keys}, sum(n) FROM ({rows}) d WHERE day IS NOT NULL "
                f"GROUP BY {positions} HAVING sum(n) <> 0 ORDER BY {positions} "
                f"ON CONFLICT ({keys}) DO UPDATE SET n = {s.table}.n + excluded.n;")

    drop_empty = f"DELETE FROM {s.table} WHERE n <= 0;"
    function = (f"CREATE OR REPLACE FUNCTION {s.table}_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP = 'INSERT' THEN {delta(('new_rows', 1))} "
                f"ELSIF TG_OP = 'DELETE' THEN {delta(('old_rows', -1))} {drop_empty} "
                f"ELSE {delta(('old_rows', -1), ('new_rows', 1))} {drop_empty} END IF; RETURN NULL; END $$")
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION {s.table}_apply()"
    return [
        function,
        f"CREATE TRIGGER {s.table}_ins AFTER INSERT ON {s.base} REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER {s.table}_del AFTER DELETE ON {s.base} REFERENCING OLD TABLE AS old_rows {run}",
        f"CREATE TRIGGER {s.table}_upd AFTER UPDATE ON {s.base} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
    ]


def _stance_bits(stance: str) -> str:
    return f"CASE {stance} WHEN 'open' THEN 1 WHEN 'closed' THEN 2 WHEN 'disputed' THEN 4 ELSE 0 END"


@dataclass(frozen=True)
class StanceMask:
    """`table`.claim_stances: the stances of the claims whose `claim_keys` equal the row's `keys`."""
    table: str
    keys: tuple[str, ...]
    claim_keys: tuple[str, ...]

    def match(self, row: str, row_keys: tuple[str, ...], on: str = "") -> str:
        """Claim columns (of alias `on`) equal to `row_keys` of `row`."""
        return " AND ".join(f"{on}{c} = {row}.{k}" for c, k in zip(self.claim_keys, row_keys))


STANCE_MASKS = (
    StanceMask("signal", ("article_id", "entity_id"), ("article_id", "entity_id")),
    StanceMask("article", ("id",), ("article_id",)),
)


def _sqlite_stance_mask(m: StanceMask) -> list[str]:
    def recompute(row: str, row_keys: tuple[str, ...]) -> str:
        bits = f"(SELECT coalesce(sum(DISTINCT {_stance_bits('stance')}), 0) FROM claim WHERE {m.match(row, row_keys)})"
        target = " AND ".join(f"{k} = {row}.{rk}" for k, rk in zip(m.keys, row_keys))
        return f"UPDATE {m.table} SET claim_stances = {bits} WHERE {target} AND claim_stances <> {bits};"

    new_bit = _stance_bits("NEW.stance")
    target = " AND ".join(f"{k} = NEW.{c}" for k, c in zip(m.keys, m.claim_keys))
    name = f"{m.table}_stances"
    return [
        f"CREATE TRIGGER {name}_claim_ins AFTER INSERT ON claim BEGIN UPDATE {m.table} SET claim_stances = "
        f"claim_stances | {new_bit} WHERE {target} AND claim_stances & {new_bit} = 0; END",
        f"CREATE TRIGGER {name}_claim_del AFTER DELETE ON claim BEGIN {recompute('OLD', m.claim_keys)} END",
        f"CREATE TRIGGER {name}_claim_upd AFTER UPDATE OF {', '.join(m.claim_keys)}, stance ON claim "
        f"BEGIN {recompute('OLD', m.claim_keys)} {recompute('NEW', m.claim_keys)} END",
        # a new row (or one moved to another article or subject) takes its claims' stances
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {m.table} BEGIN {recompute('NEW', m.keys)} END",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE OF {', '.join(m.keys)} ON {m.table} "
        f"BEGIN {recompute('NEW', m.keys)} END",
    ]


def _postgresql_stance_mask(m: StanceMask) -> list[str]:
    keys = ", ".join(f"k.{c}" for c in m.claim_keys)

    def recompute(pairs: str) -> str:
        return (f"UPDATE {m.table} s SET claim_stances = p.bits FROM (SELECT {keys}, "
                f"coalesce(bit_or({_stance_bits('c.stance')}), 0) AS bits FROM ({pairs}) k "
                f"LEFT JOIN claim c ON {m.match('k', m.claim_keys, 'c.')} GROUP BY {keys}) p "
                f"WHERE {' AND '.join(f's.{k} = p.{c}' for k, c in zip(m.keys, m.claim_keys))} "
                f"AND s.claim_stances <> p.bits;")

    def pairs(*tables: str, own: bool = False) -> str:
        cols = ", ".join(f"{k} AS {c}" for k, c in zip(m.keys, m.claim_keys)) if own else ", ".join(m.claim_keys)
        return " UNION ".join(f"SELECT {cols} FROM {t}" for t in tables)

    name = f"{m.table}_stances"
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_from_claims()"
    moved = " AND ".join(f"c.{c} = NEW.{k}" for k, c in zip(m.keys, m.claim_keys))
    return [
        f"CREATE OR REPLACE FUNCTION {name}_from_claims() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {recompute(pairs('new_rows'))} "
        f"ELSIF TG_OP = 'DELETE' THEN {recompute(pairs('old_rows'))} "
        f"ELSE {recompute(pairs('old_rows', 'new_rows'))} END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER {name}_claim_ins AFTER INSERT ON claim REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER {name}_claim_del AFTER DELETE ON claim REFERENCING OLD TABLE AS old_rows {run}",
        f"CREATE TRIGGER {name}_claim_upd AFTER UPDATE ON claim "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        # a new row (or one moved to another article or subject) takes its claims' stances
        f"CREATE OR REPLACE FUNCTION {name}_of_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{recompute(pairs('new_rows', own=True))} RETURN NULL; END $$",
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {m.table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_of_new_rows()",
        f"CREATE OR REPLACE FUNCTION {name}_of_moved_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE {m.table} SET claim_stances = coalesce((SELECT bit_or({_stance_bits('c.stance')}) FROM claim c "
        f"WHERE {moved}), 0) WHERE id = NEW.id; RETURN NULL; END $$",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE OF {', '.join(m.keys)} ON {m.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}_of_moved_row()",
    ]


def sqlite_search_index(base: str) -> str:
    """The FTS5 table indexing `base`.evidence: the rows each trigram occurs in, nothing more."""
    return (f"CREATE VIRTUAL TABLE {base}_fts USING fts5(evidence, content='{base}', content_rowid='id', "
            "tokenize='trigram', detail=none, columnsize=0)")


def _sqlite_search(base: str) -> list[str]:
    fts = f"{base}_fts"
    add = f"INSERT INTO {fts} (rowid, evidence) VALUES (NEW.id, NEW.evidence);"
    remove = f"INSERT INTO {fts} ({fts}, rowid, evidence) VALUES ('delete', OLD.id, OLD.evidence);"
    return [
        sqlite_search_index(base),
        f"CREATE TRIGGER {fts}_ins AFTER INSERT ON {base} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_del AFTER DELETE ON {base} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_upd AFTER UPDATE OF evidence ON {base} BEGIN {remove} {add} END",
    ]


def _postgresql_search() -> list[str]:
    indexes = " ".join(f"CREATE INDEX IF NOT EXISTS ix_{base}_evidence_trgm ON {base} USING gin (evidence gin_trgm_ops);"
                       for base in SEARCHED)
    # without the right to create the extension, search falls back to a scan (ILIKE works either way)
    return [
        "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
        "EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN "
        "RAISE NOTICE 'pg_trgm unavailable: evidence search scans'; END $$",
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN "
        f"EXECUTE $i$ {indexes} $i$; END IF; END $$",
    ]


def ddl(dialect: str) -> list[str]:
    """Statements creating the triggers and search indexes (after the tables exist)."""
    if dialect == "sqlite":
        return [stmt for s in SUMMARIES for stmt in _sqlite_summary(s)] + \
            [stmt for m in STANCE_MASKS for stmt in _sqlite_stance_mask(m)] + \
            [stmt for base in SEARCHED for stmt in _sqlite_search(base)]
    if dialect == "postgresql":
        return [stmt for s in SUMMARIES for stmt in _postgresql_summary(s)] + \
            [stmt for m in STANCE_MASKS for stmt in _postgresql_stance_mask(m)] + \
            _postgresql_search()
    return []


def search_available(conn, base: str = "claim") -> bool:
    """Whether `base`.evidence has a substring index on this database."""
    if conn.dialect.name == "sqlite":
        return bool(conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (f"{base}_fts",)).first())
    return bool(conn.exec_driver_sql(
        "SELECT 1 FROM pg_indexes WHERE indexname = %s", (f"ix_{base}_evidence_trgm",)).first())
