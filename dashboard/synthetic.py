"""A synthetic but realistic database for the dashboard's tests and benchmark.

`generate(url, articles=…, claims=…)` fills an EMPTY migrated database with sources, known and
unknown subjects, articles over `days` days, claims (stance drifting towards `disputed` over
the year, more disputes for models whose licence is not open source) and open-washing signals
tied to the same article and subject, plus daily crawl runs. Bulk loading goes around the ORM:
PostgreSQL gets COPY, SQLite a DBAPI executemany, in batches of `batch` rows. The text is
invented from templates; no article prose is copied.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Iterable, Iterator

from sqlalchemy import Connection, func, insert, select

from storage.db import get_engine
from storage.models import Article, Claim, CrawlRun, Entity, Signal, Source

EXTRACTOR_VERSION = "synthetic-1"

# organization -> models (public names; openness facts for most of them are in nlp/data/model_facts.csv)
SUBJECTS = {
    "Meta": ["Llama 2", "Llama 3", "Llama 3.1", "Llama 4"],
    "DeepSeek": ["DeepSeek V3", "DeepSeek R1"],
    "Alibaba": ["Qwen2.5", "Qwen3"],
    "Mistral AI": ["Mistral 7B-Instruct", "Codestral", "Mistral Large 2"],
    "Google": ["Gemma 2", "Gemma 3"],
    "OpenAI": ["GPT-4o", "GPT OSS"],
    "Moonshot AI": ["Kimi K2"],
    "Zhipu AI": ["GLM"],
    "Tencent": ["Hunyuan"],
    "xAI": ["Grok-1"],
    "Ai2": ["OLMo"],
    "Microsoft": ["Phi"],
}
# names the extractor found by shape or context only (in_kb false)
UNKNOWN = {"Hanhai AI": ["Xinghe-2"], None: ["Qilin-7B", "Starfield-LM"]}
# models whose licence or release makes `open` claims contestable: they draw more disputes
CONTESTED = {"Llama 2", "Llama 3", "Llama 3.1", "Llama 4", "Codestral", "Mistral Large 2", "Hunyuan", "Gemma 2",
             "Gemma 3", "Grok-1", "Kimi K2"}

SOURCES = [
    ("TechWire", "en"), ("AI Business Daily", "en"), ("Open Source Weekly", "en"), ("The Model Report", "en"),
    ("Policy Lab Notes", "en"), ("Dev Journal", "en"), ("Cloud Review", "en"), ("Research Brief", "en"),
    ("科技日报网", "zh"), ("智能前沿", "zh"), ("开源中国资讯", "zh"), ("人工智能周刊", "zh"), ("新智元观察", "zh"),
    ("数字经济报", "zh"), ("科技新報", "zh-Hant"), ("數位時代觀察", "zh-Hant"), ("AI 趨勢週報", "zh-Hant"),
    ("Quiet Feed", "en"),
]
SPEAKERS = {
    "en": ["Yann LeCun", "Stefano Maffulli", "a Meta spokesperson", "the OSI", "Mark Zuckerberg", "an analyst",
           "Irene Solaiman", "the company", "a researcher"],
    "zh": ["周鸿祎", "李彦宏", "开源促进会", "一位分析师", "公司发言人", "研究人员"],
}
STANCE_TEMPLATES = {
    "en": {
        "open": ["{speaker} said {subject} is fully open source.", "{subject} is released as an open-source model.",
                 "According to {speaker}, {subject} is open for everyone to download and modify."],
        "closed": ["{subject} is a closed, proprietary model.", "{speaker} said {subject} remains closed source.",
                   "{subject} is only available through a paid API."],
        "disputed": ["{speaker} argued that {subject} is not truly open source.",
                     "Critics say {subject} is open weights, not open source.",
                     "{subject} is marketed as open, but {speaker} called that open-washing."],
    },
    "zh": {
        "open": ["{speaker}表示，{subject}是完全开源的模型。", "{subject}宣布开源，开发者可以免费下载。"],
        "closed": ["{subject}是闭源模型，只能通过API调用。", "{speaker}称{subject}不会开源。"],
        "disputed": ["{speaker}认为{subject}并非真正的开源。", "{subject}只开放了权重，算不上开源。"],
    },
}
SIGNAL_TEMPLATES = {
    "usage_threshold": ("{subject}'s license requires a special license above 700 million monthly active users.",
                        "{subject}的许可证要求月活跃用户超过7亿的公司另行申请许可。"),
    "no_training_other_models": ("The {subject} license bans using its outputs to improve other models.",
                                 "{subject}的协议禁止用其输出训练其他模型。"),
    "use_restrictions": ("{subject} comes with an acceptable use policy restricting uses.",
                         "{subject}附带使用限制政策。"),
    "non_commercial": ("{subject} may be used for research only, not commercially.", "{subject}仅限研究用途，不可商用。"),
    "license_not_open_source": ("The {subject} license is not an OSI-approved open source license.",
                                "{subject}的许可证并非OSI认可的开源许可证。"),
    "training_data_undisclosed": ("The training data of {subject} was not disclosed.", "{subject}没有公开训练数据。"),
    "training_process_undisclosed": ("How {subject} was trained remains undisclosed.", "{subject}的训练过程没有公开。"),
    "technical_details_undisclosed": ("No technical report on {subject} was published.", "{subject}没有发布技术报告。"),
    "weights_only": ("Only the weights of {subject} were released.", "{subject}只发布了模型权重。"),
    "api_only": ("{subject} is available only through an API.", "{subject}只能通过API使用。"),
    "open_label_disputed": ("Calling {subject} open source is misleading, experts say.",
                            "专家称把{subject}称为开源具有误导性。"),
    "open_name_closed_practice": ("Despite its name, {subject} is run as a closed product.",
                                  "{subject}名为开放，实则封闭。"),
}
SIGNALS = tuple(SIGNAL_TEMPLATES)


def _bulk_insert(conn: Connection, table, columns: list[str], rows: Iterable[tuple]) -> None:
    """Load tuples fast: COPY on PostgreSQL, DBAPI executemany on SQLite (values already in storage form)."""
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with dbapi.cursor() as cur, cur.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        dbapi.executemany(f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({marks})', rows)


def _batched(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _stamp(dialect: str) -> Callable[[datetime], object]:
    """Datetimes as each backend stores them (SQLite: naive UTC text, as SQLModel writes it)."""
    if dialect == "postgresql":
        return lambda dt: dt
    return lambda dt: dt.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _ensure_empty(conn: Connection) -> None:
    if conn.execute(select(func.count()).select_from(Article)).scalar_one():
        raise ValueError("the synthetic generator needs an empty database (articles already exist)")


def _load_vocabulary(conn: Connection, now: datetime) -> tuple[list[dict], list[dict]]:
    """Insert sources and subjects; return their rows with ids."""
    conn.execute(insert(Source), [
        {"name": name, "kind": "rss" if i % 3 else "site", "url": f"https://feeds.example-{i}.test/ai.xml",
         "language": lang, "enabled": name != "Quiet Feed", "health": "failing" if name == "Quiet Feed" else "ok",
         "last_error": "HTTP 503 Service Unavailable" if name == "Quiet Feed" else None,
         "consecutive_failures": 4 if name == "Quiet Feed" else 0, "last_attempt_at": now,
         "last_success_at": now - timedelta(days=9 if name == "Quiet Feed" else 0, hours=1),
         "last_new_article_at": now - timedelta(days=9 if name == "Quiet Feed" else 0, hours=3),
         "allow": [], "deny": [], "created_at": now - timedelta(days=400)}
        for i, (name, lang) in enumerate(SOURCES)])
    for groups, in_kb in ((SUBJECTS, True), (UNKNOWN, False)):
        for org, models in groups.items():
            org_id = None
            if org is not None:
                org_id = conn.execute(insert(Entity).values(kind="org", canonical=org, aliases=[], in_kb=in_kb,
                                                            first_seen_at=now - timedelta(days=300))).inserted_primary_key[0]
            conn.execute(insert(Entity), [{"kind": "model", "canonical": m, "aliases": [m.lower()], "in_kb": in_kb,
                                           "organization_id": org_id, "first_seen_at": now - timedelta(days=200)}
                                          for m in models])
    sources = [dict(r._mapping) for r in conn.execute(select(Source.id, Source.name, Source.language))]
    entities = [dict(r._mapping) for r in conn.execute(select(Entity.id, Entity.kind, Entity.canonical))]
    return sources, entities


def generate(url: str | None = None, *, articles: int = 2_000, claims: int = 10_000, signals_per_claim: float = 0.3,
             days: int = 365, end: date = date(2026, 11, 21), seed: int = 7, batch: int = 50_000,
             progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Fill an empty, migrated database; returns the row counts written.

    `progress(table, n)` is called after each batch (for a progress bar or log line).
    """
    rng = random.Random(seed)
    engine = get_engine(url)
    dialect = engine.dialect.name
    stamp = _stamp(dialect)
    now = datetime.combine(end, time(23, 0), tzinfo=timezone.utc)
    start = end - timedelta(days=days - 1)
    report = progress or (lambda table, n: None)

    with engine.begin() as conn:
        _ensure_empty(conn)
        sources, entities = _load_vocabulary(conn, now)
    live_sources = [s for s in sources if s["name"] != "Quiet Feed"]
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(entities))]
    rng.shuffle(weights)
    cum_weights = list(itertools.accumulate(weights))

    # articles: (id, source, language, day) kept in memory as compact tuples for the claims
    article_meta: list[tuple[int, int, str, date]] = []

    def article_rows() -> Iterator[tuple]:
        for art_id in range(1, articles + 1):
            src = live_sources[art_id % len(live_sources)]
            day = start + timedelta(days=min(days - 1, int(rng.triangular(0, days, days * 0.8))))
            published = datetime.combine(day, time(rng.randrange(24), rng.randrange(60)), tzinfo=timezone.utc)
            lang = src["language"]
            article_meta.append((art_id, src["id"], lang, day))
            title = (f"AI models and openness, report {art_id}" if lang == "en" else f"人工智能开源观察 第{art_id}期")
            body = f"{title}. Synthetic article body {art_id}."
            yield (art_id, f"https://news-{src['id']}.example.test/{day:%Y/%m}/{art_id}.html", src["id"], title,
                   stamp(published), day.isoformat(), "page", stamp(published + timedelta(hours=2)), lang, body, body,
                   hashlib.sha1(body.encode()).hexdigest(), "done", EXTRACTOR_VERSION)

    article_cols = ["id", "url", "source_id", "title", "published_at", "published_on", "date_origin", "fetched_at", "language",
                    "text", "norm_text", "content_hash", "extraction_status", "extractor_version"]
    counts = {"articles": 0, "claims": 0, "signals": 0, "crawl_runs": 0}
    with engine.begin() as conn:
        for chunk in _batched(article_rows(), batch):
            _bulk_insert(conn, Article.__table__, article_cols, chunk)
            counts["articles"] += len(chunk)
            report("article", len(chunk))

    signal_buffer: list[tuple] = []

    def claim_rows() -> Iterator[tuple]:
        for claim_id in range(1, claims + 1):
            art_id, src_id, lang, day = article_meta[rng.randrange(len(article_meta))]
            entity = rng.choices(entities, cum_weights=cum_weights)[0]
            progress_in_year = (day - start).days / days
            dispute = 0.15 + 0.25 * progress_in_year + (0.2 if entity["canonical"] in CONTESTED else 0)
            stance = rng.choices(("open", "closed", "disputed"), (0.55 - dispute / 2, 0.3 - dispute / 2, dispute))[0]
            key = "en" if lang == "en" else "zh"
            speaker = rng.choice(SPEAKERS[key]) if rng.random() < 0.7 else None
            evidence = rng.choice(STANCE_TEMPLATES[key][stance]).format(speaker=speaker or "it", subject=entity["canonical"])
            pos = rng.randrange(40)
            yield (claim_id, art_id, entity["id"], stance, speaker, evidence, pos, pos + len(evidence),
                   round(rng.uniform(0.5, 1.0), 2), EXTRACTOR_VERSION, day.isoformat() if dialect != "postgresql" else day,
                   src_id, lang)
            if rng.random() < signals_per_claim * (2 if stance == "disputed" else 0.6):
                signal = rng.choice(SIGNALS)
                text = SIGNAL_TEMPLATES[signal][key != "en"].format(subject=entity["canonical"])
                signal_buffer.append((art_id, entity["id"], signal, text, pos, pos + len(text), EXTRACTOR_VERSION,
                                      day.isoformat() if dialect != "postgresql" else day, src_id, lang))

    claim_cols = ["id", "article_id", "entity_id", "stance", "speaker", "evidence", "start", '"end"', "confidence",
                  "extractor_version", "day", "source_id", "language"]
    signal_cols = ["article_id", "entity_id", "signal", "evidence", "start", '"end"', "extractor_version", "day",
                   "source_id", "language"]
    with engine.begin() as conn:
        for chunk in _batched(claim_rows(), batch):
            _bulk_insert(conn, Claim.__table__, claim_cols, chunk)
            counts["claims"] += len(chunk)
            report("claim", len(chunk))
            if signal_buffer:
                _bulk_insert(conn, Signal.__table__, signal_cols, signal_buffer)
                counts["signals"] += len(signal_buffer)
                report("signal", len(signal_buffer))
                signal_buffer.clear()
        if signal_buffer:  # signals of the very last claim
            _bulk_insert(conn, Signal.__table__, signal_cols, signal_buffer)
            counts["signals"] += len(signal_buffer)
        counts["crawl_runs"] = _crawl_runs(conn, sources, article_meta, start, days, stamp)
        if dialect == "postgresql":  # ids were given explicitly: move the sequences past them
            for name in ("article", "claim"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                     f"(SELECT coalesce(max(id), 1) FROM {name}))")
    return counts


def _crawl_runs(conn: Connection, sources: list[dict], article_meta: list[tuple], start: date, days: int,
                stamp) -> int:
    """One run per source per day; new_articles match the articles of that day, the quiet feed fails."""
    per_day: dict[tuple[int, date], int] = {}
    for _, src_id, _, day in article_meta:
        per_day[(src_id, day)] = per_day.get((src_id, day), 0) + 1
    rows = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        began = datetime.combine(day, time(6, 0), tzinfo=timezone.utc)
        for src in sources:
            failing = src["name"] == "Quiet Feed" and offset > days - 10
            new = per_day.get((src["id"], day), 0)
            rows.append((src["id"], stamp(began), stamp(began + timedelta(seconds=40)), "failed" if failing else "ok",
                         new + 3, new, 0, 1 if failing else 0, "HTTP 503" if failing else None, 40.0))
    cols = ["source_id", "started_at", "finished_at", "status", "pages", "new_articles", "duplicates", "errors",
            "error_summary", "duration_s"]
    _bulk_insert(conn, CrawlRun.__table__, cols, rows)
    return len(rows)
