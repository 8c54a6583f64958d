"""Exports: exact filtered rows, fixed columns, spreadsheet-safe cells, CSV/JSONL/Parquet, the CLI."""
from __future__ import annotations

import csv
import json
from datetime import date, datetime, timezone

import pytest
from helpers import run_openwatch

from storage import export
from storage.db import get_engine, session_scope
from storage.models import Article, Claim, Entity, Signal
from storage.queries import Filters

HOSTILE = {"title": "=HYPERLINK(\"http://evil.test\",\"click\")", "speaker": "@SUM(A1)",
           "evidence": "-2+3 said Llama 3 is <script>alert(1)</script> open source"}


@pytest.fixture
def hostile_claim(filled_url) -> str:
    """One article whose scraped text tries formulas and HTML."""
    with session_scope(filled_url) as s:
        llama = s.exec(Entity.__table__.select().where(Entity.canonical == "Llama 3")).first()
        article = Article(url="https://evil.test/a", title=HOSTILE["title"], text="x", norm_text="x", content_hash="h",
                          language="en", published_at=datetime(2026, 11, 20, tzinfo=timezone.utc))
        s.add(article)
        s.flush()
        s.add(Claim(article_id=article.id, entity_id=llama.id, stance="open", speaker=HOSTILE["speaker"],
                    evidence=HOSTILE["evidence"], start=0, end=5, extractor_version="t", day=date(2026, 11, 20),
                    language="en"))
        s.add(Signal(article_id=article.id, entity_id=llama.id, signal="weights_only", evidence="\tonly weights",
                     start=0, end=5, extractor_version="t", day=date(2026, 11, 20), language="en"))
    return filled_url


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_csv_has_exactly_the_filtered_rows_in_fixed_columns(filled_url, tmp_path):
    engine = get_engine(filled_url)
    f = Filters(organizations=("Meta",), stances=("disputed",))
    n = export.export(engine, "claims", f, tmp_path / "c.csv")
    rows = read_csv(tmp_path / "c.csv")
    assert rows[0] == export.COLUMNS["claims"] and len(rows) - 1 == n == export.count(engine, "claims", f) > 0
    header = rows[0]
    assert {r[header.index("organization")] for r in rows[1:]} == {"Meta"}
    assert {r[header.index("stance")] for r in rows[1:]} == {"disputed"}
    assert all(r[header.index("article_url")].startswith("https://") for r in rows[1:])
    for kind in ("signals", "articles"):
        n = export.export(engine, kind, f, tmp_path / f"{kind}.csv")
        assert read_csv(tmp_path / f"{kind}.csv")[0] == export.COLUMNS[kind]
        assert n == export.count(engine, kind, f) > 0


def test_formula_cells_are_neutralized_and_bom_is_optional(hostile_claim, tmp_path):
    engine = get_engine(hostile_claim)
    export.export(engine, "claims", Filters(text="<script>"), tmp_path / "c.csv", bom=True)
    assert (tmp_path / "c.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    header, row = read_csv(tmp_path / "c.csv")
    cell = dict(zip(header, row))
    assert cell["title"] == "'" + HOSTILE["title"] and cell["speaker"] == "'" + HOSTILE["speaker"]
    assert cell["evidence"] == "'" + HOSTILE["evidence"] and cell["signal_ids"] == "weights_only"
    export.export(engine, "signals", Filters(signals=("weights_only",), text="only weights"), tmp_path / "s.csv")
    assert not (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert dict(zip(*read_csv(tmp_path / "s.csv")))["evidence"] == "'\tonly weights"


def test_jsonl_and_parquet_hold_the_same_rows(filled_url, tmp_path):
    import pyarrow.parquet as pq

    engine = get_engine(filled_url)
    f = Filters(languages=("zh",))
    n_csv = export.export(engine, "claims", f, tmp_path / "c.csv", batch=100)
    n_jsonl = export.export(engine, "claims", f, tmp_path / "c.jsonl", fmt="jsonl", batch=100)
    n_parquet = export.export(engine, "claims", f, tmp_path / "c.parquet", fmt="parquet", batch=100)
    lines = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert n_csv == n_jsonl == n_parquet == len(lines) > 100  # several batches
    assert list(first) == export.COLUMNS["claims"] and first["language"] == "zh"
    table = pq.read_table(tmp_path / "c.parquet")
    assert table.num_rows == n_csv and table.column_names == export.COLUMNS["claims"]
    empty = export.export(engine, "claims", Filters(models=("no such model",)), tmp_path / "e.parquet", fmt="parquet")
    assert empty == 0 and pq.read_table(tmp_path / "e.parquet").num_rows == 0


def test_cli_exports_with_filters_and_rejects_bad_input(filled_sqlite, tmp_path):
    out = tmp_path / "meta.csv"
    done = run_openwatch("export", "claims", "--out", str(out), "--org", "Meta", "--stance", "open", "--bom")
    assert done.returncode == 0, done.stderr
    rows = read_csv(out)
    assert f"wrote {len(rows) - 1:,} claims" in done.stdout and len(rows) > 1
    bad = run_openwatch("export", "claims", "--out", str(out), "--stance", "opened")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "unknown stance 'opened'" in bad.stderr
    bad = run_openwatch("export", "claims", "--out", str(out), "--stance", "[open]")
    assert "unknown stance '[open]'" in bad.stderr  # the message is text, not Rich markup
    bad = run_openwatch("export", "claims", "--out", str(out), "--from", "2026-02-30")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
    assert read_csv(out) == rows  # a failed export leaves the earlier file alone
    parallel = tmp_path / "parallel.csv"
    done = run_openwatch("export", "claims", "--out", str(parallel), "--org", "Meta", "--stance", "open", "--bom",
                         "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert read_csv(parallel)[0] == rows[0] and sorted(read_csv(parallel)) == sorted(rows)


def test_undated_articles_export_no_published_date(filled_url, tmp_path):
    """An article whose page shows no date is charted on its fetch day but never exported as published then."""
    with session_scope(filled_url) as s:
        llama = s.exec(Entity.__table__.select().where(Entity.canonical == "Llama 3")).first()
        article = Article(url="https://undated.test/a", title="undated", text="x", norm_text="x", content_hash="u",
                          language="en", published_at=None, fetched_at=datetime(2026, 11, 20, tzinfo=timezone.utc))
        s.add(article)
        s.flush()
        s.add(Claim(article_id=article.id, entity_id=llama.id, stance="open", evidence="undated evidence", start=0,
                    end=5, extractor_version="t", day=date(2026, 11, 20), language="en"))
    engine = get_engine(filled_url)
    for kind in ("claims", "articles"):
        export.export(engine, kind, Filters(), tmp_path / f"{kind}.csv")
        rows = read_csv(tmp_path / f"{kind}.csv")
        header = rows[0]
        by_url = {r[header.index("article_url")]: r for r in rows[1:]}
        assert by_url["https://undated.test/a"][header.index("published")] == ""
        assert all(r[header.index("published")] for url, r in by_url.items() if url != "https://undated.test/a")


def test_read_ahead_hands_over_batches_errors_and_early_stops():
    closed = []

    def batches(fail: bool):
        try:
            for i in range(5):
                yield [(i,)]
            if fail:
                raise RuntimeError("database went away")
        finally:
            closed.append(fail)

    assert list(export.read_ahead(batches(False))) == [[(i,)] for i in range(5)]
    with pytest.raises(RuntimeError, match="database went away"):
        list(export.read_ahead(batches(True)))
    early = export.read_ahead(batches(False), depth=1)
    assert next(early) == [(0,)]
    early.close()  # the writer gives up: the reader stops and closes its source
    assert closed == [False, True, False]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_in_parallel_parts_writes_the_same_file(filled_url, tmp_path, fmt):
    engine = get_engine(filled_url)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    for f in (Filters(), Filters(languages=("zh",), stances=("open", "disputed"))):
        seen: list[int] = []
        one = export.export(engine, "claims", f, tmp_path / f"one.{fmt}", fmt=fmt, batch=500)
        three = export.export(engine, "claims", f, tmp_path / f"three.{fmt}", fmt=fmt, batch=500, jobs=3,
                              progress=seen.append)
        assert one == three == sum(seen) == export.count(engine, "claims", f) > 500 and len(seen) >= 3
        one_lines, three_lines = ((tmp_path / f"{n}.{fmt}").read_bytes().splitlines() for n in ("one", "three"))
        assert sorted(one_lines) == sorted(three_lines)  # the order is the query plan's
        assert fmt == "jsonl" or three_lines[0].decode() == ",".join(export.COLUMNS["claims"])
    assert len(export.id_ranges(engine, "claims", Filters(), 3)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.{fmt}" for n in ("one", "three"))


def test_a_failed_export_keeps_the_earlier_file_and_leaves_no_parts(filled_sqlite, tmp_path, monkeypatch):
    engine = get_engine(filled_sqlite)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "claims.csv"
    out.write_text("the analyst's earlier export\n")

    def broken(*args) -> None:
        raise SystemExit(3)

    monkeypatch.setattr(export, "_part_process", broken)
    with pytest.raises(RuntimeError, match="exit code 3"):
        export.export(engine, "claims", Filters(), out, jobs=2)
    assert out.read_text() == "the analyst's earlier export\n"
    assert [p.name for p in out.parent.iterdir()] == ["claims.csv"]
