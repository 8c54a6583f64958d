"""Database-maintained summaries for the dashboard: daily counts and a full-text index of evidence.

`claim_daily`, `signal_daily` and `article_daily` (models in storage.models) hold row counts per
day and the columns the dashboard filters and groups by. Triggers keep them exact in the same
transaction as every INSERT, DELETE (cascades included) and key-changing UPDATE of the base
table, whoever writes it: the extractor, the crawler, retention, bulk loads. SQLite uses row
triggers; PostgreSQL statement triggers with transition tables (one grouped upsert per
statement, keys in a fixed order so concurrent writers lock summary rows in the same order).

`signal.claim_stances` holds the stances (STANCE_BITS) of the claims about the signal's subject in
its article, kept by triggers on both tables, so a stance filter on signals reads the signal
rows' own index instead of probing the claims once per signal.

Evidence search: SQLite gets an FTS5 trigram index (substring search, Chinese included) kept
by triggers; PostgreSQL a pg_trgm GIN index, when the extension may be created.

The 0001 migration runs `ddl(dialect)`.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    table: str        # summary table
    base: str         # counted table
    keys: tuple[str, ...]
    watched: tuple[str, ...]  # base columns the keys are computed from

    def exprs(self, row: str, dialect: str) -> list[str]:
        """The key values of base row `row` (NEW/OLD or a transition table alias)."""
        out = []
        for key in self.keys:
            if key == "day" and self.base == "article":
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


SUMMARIES = (
    Summary("claim_daily", "claim", ("day", "entity_id", "stance", "language"),
            ("day", "entity_id", "stance", "language")),
    Summary("signal_daily", "signal", ("day", "entity_id", "signal", "language"),
            ("day", "entity_id", "signal", "language")),
    Summary("article_daily", "article", ("day", "source_id", "language"),
            ("published_on", "published_at", "fetched_at", "source_id", "language")),
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


def _sqlite_claim_stances() -> list[str]:
    def recompute(row: str) -> str:
        bits = f"(SELECT coalesce(sum(DISTINCT {_stance_bits('stance')}), 0) FROM claim " \
               f"WHERE article_id = {row}.article_id AND entity_id = {row}.entity_id)"
        return f"UPDATE signal SET claim_stances = {bits} WHERE article_id = {row}.article_id " \
               f"AND entity_id = {row}.entity_id;"

    new_bit = _stance_bits("NEW.stance")
    return [
        f"CREATE TRIGGER signal_stances_claim_ins AFTER INSERT ON claim BEGIN UPDATE signal SET claim_stances = "
        f"claim_stances | {new_bit} WHERE article_id = NEW.article_id AND entity_id = NEW.entity_id "
        f"AND claim_stances & {new_bit} = 0; END",
        f"CREATE TRIGGER signal_stances_claim_del AFTER DELETE ON claim BEGIN {recompute('OLD')} END",
        f"CREATE TRIGGER signal_stances_claim_upd AFTER UPDATE OF article_id, entity_id, stance ON claim "
        f"BEGIN {recompute('OLD')} {recompute('NEW')} END",
        f"CREATE TRIGGER signal_stances_ins AFTER INSERT ON signal BEGIN {recompute('NEW')} END",
        f"CREATE TRIGGER signal_stances_upd AFTER UPDATE OF article_id, entity_id ON signal "
        f"BEGIN {recompute('NEW')} END",
    ]


def _postgresql_claim_stances() -> list[str]:
    def recompute(pairs: str) -> str:
        return (f"UPDATE signal s SET claim_stances = p.bits FROM (SELECT k.article_id, k.entity_id, "
                f"coalesce(bit_or({_stance_bits('c.stance')}), 0) AS bits FROM ({pairs}) k "
                f"LEFT JOIN claim c ON c.article_id = k.article_id AND c.entity_id = k.entity_id "
                f"GROUP BY k.article_id, k.entity_id) p WHERE s.article_id = p.article_id "
                f"AND s.entity_id = p.entity_id AND s.claim_stances <> p.bits;")

    def pairs(*tables: str) -> str:
        return " UNION ".join(f"SELECT article_id, entity_id FROM {t}" for t in tables)

    run = "FOR EACH STATEMENT EXECUTE FUNCTION signal_stances_from_claims()"
    return [
        f"CREATE OR REPLACE FUNCTION signal_stances_from_claims() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {recompute(pairs('new_rows'))} "
        f"ELSIF TG_OP = 'DELETE' THEN {recompute(pairs('old_rows'))} "
        f"ELSE {recompute(pairs('old_rows', 'new_rows'))} END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER signal_stances_claim_ins AFTER INSERT ON claim REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER signal_stances_claim_del AFTER DELETE ON claim REFERENCING OLD TABLE AS old_rows {run}",
        f"CREATE TRIGGER signal_stances_claim_upd AFTER UPDATE ON claim "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        # a new signal (or one moved to another article or subject) takes its pair's stances
        f"CREATE OR REPLACE FUNCTION signal_stances_of_new_signals() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"{recompute(pairs('new_rows'))} RETURN NULL; END $$",
        "CREATE TRIGGER signal_stances_ins AFTER INSERT ON signal REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION signal_stances_of_new_signals()",
        "CREATE OR REPLACE FUNCTION signal_stances_of_moved_signal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE signal SET claim_stances = coalesce((SELECT bit_or({_stance_bits('c.stance')}) FROM claim c "
        "WHERE c.article_id = NEW.article_id AND c.entity_id = NEW.entity_id), 0) WHERE id = NEW.id; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER signal_stances_upd AFTER UPDATE OF article_id, entity_id ON signal "
        "FOR EACH ROW EXECUTE FUNCTION signal_stances_of_moved_signal()",
    ]


def _sqlite_search(base: str) -> list[str]:
    fts = f"{base}_fts"
    add = f"INSERT INTO {fts} (rowid, evidence) VALUES (NEW.id, NEW.evidence);"
    remove = f"INSERT INTO {fts} ({fts}, rowid, evidence) VALUES ('delete', OLD.id, OLD.evidence);"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(evidence, content='{base}', content_rowid='id', tokenize='trigram')",
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
        return [stmt for s in SUMMARIES for stmt in _sqlite_summary(s)] + _sqlite_claim_stances() + \
            [stmt for base in SEARCHED for stmt in _sqlite_search(base)]
    if dialect == "postgresql":
        return [stmt for s in SUMMARIES for stmt in _postgresql_summary(s)] + _postgresql_claim_stances() + \
            _postgresql_search()
    return []


def search_available(conn, base: str = "claim") -> bool:
    """Whether `base`.evidence has a substring index on this database."""
    if conn.dialect.name == "sqlite":
        return bool(conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (f"{base}_fts",)).first())
    return bool(conn.exec_driver_sql(
        "SELECT 1 FROM pg_indexes WHERE indexname = %s", (f"ix_{base}_evidence_trgm",)).first())
