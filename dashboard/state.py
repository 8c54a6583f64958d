"""What every page shares: the engine, cached queries and the filters kept in the URL.

Query results are cached with `st.cache_data`, keyed by the query, the filters and a data
version token (largest ids of articles, claims, signals, crawl runs), so new data from the
crawler or the extractor shows up on the next rerun without waiting for the TTL.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st
from sqlalchemy import inspect

from openwatch.config import get_settings
from storage import queries
from storage.db import get_engine
from storage.models import STANCES
from storage.queries import GRANULARITIES, Filters

DEFAULT_DAYS = 90
_WIDGETS = {  # Filters field -> widget key
    "languages": "f_languages", "sources": "f_sources", "organizations": "f_organizations", "models": "f_models",
    "stances": "f_stances", "signals": "f_signals", "speaker": "f_speaker", "text": "f_text",
    "granularity": "f_granularity",
}


def database_url() -> str:
    return get_settings().database_url


@st.cache_resource(show_spinner=False)
def engine(url: str):
    return get_engine(url)


def schema_ready(url: str) -> bool:
    return inspect(engine(url)).has_table("claim")


def data_version(url: str) -> tuple:
    """Cheap (max ids through the primary keys): run on every rerun, never cached."""
    with engine(url).connect() as conn:
        return queries.data_version(conn)


@st.cache_data(ttl=600, show_spinner=False, max_entries=500)
def query(name: str, filters: Filters, version: tuple, url: str, *args) -> pd.DataFrame | dict:
    """Run `storage.queries.<name>(conn, filters, *args)`; cached per filters and data version."""
    with engine(url).connect() as conn:
        return getattr(queries, name)(conn, filters, *args)


@st.cache_data(ttl=600, show_spinner=False)
def vocabulary(version: tuple, url: str) -> dict:
    """Filter choices, the date range of the data and the period a session starts with."""
    with engine(url).connect() as conn:
        return {**queries.choices(conn), "day_range": queries.day_range(conn),
                "default_period": queries.default_period(conn, DEFAULT_DAYS)}


def filters_from_url() -> Filters:
    return Filters.from_query_params({key: st.query_params.get_all(key) for key in st.query_params})


def sidebar_filters(vocab: dict, page: str) -> Filters:
    """The shared filter widgets (sidebar). The widgets are the truth and the URL follows them, so a
    view can be bookmarked. A session's first run takes the filters from the URL; on a page switch
    the widgets are set again from the previous page's filters (Streamlit resets widgets that a
    different page script creates)."""
    first, last = vocab["default_period"]
    last = last or date.today()
    previous = st.session_state.get("filters")
    if previous is None or st.session_state.get("page") != page:
        parsed = previous or filters_from_url()
        st.session_state["f_period"] = (parsed.start or first or last - timedelta(days=DEFAULT_DAYS - 1),
                                        parsed.end or last)
        for name, key in _WIDGETS.items():
            value = getattr(parsed, name)
            st.session_state[key] = list(value) if isinstance(value, tuple) else value
    st.session_state["page"] = page

    side = st.sidebar
    side.header("Filters")
    period = side.date_input("Period", key="f_period", help="Claims and signals by the article's publication date")
    side.segmented_control("Time buckets", GRANULARITIES, key="f_granularity")
    side.multiselect("Language", _keep(vocab["languages"], "f_languages"), key="f_languages")
    side.multiselect("Source (outlet)", _keep(vocab["sources"], "f_sources"), key="f_sources")
    side.multiselect("Organization", _keep(vocab["organizations"], "f_organizations"), key="f_organizations",
                     help="An organization also selects the claims about its models")
    side.multiselect("Model", _keep(vocab["models"], "f_models"), key="f_models")
    side.multiselect("Stance", list(STANCES), key="f_stances")
    side.multiselect("Open-washing signal", _keep(list(SIGNAL_LABELS), "f_signals"), key="f_signals",
                     format_func=signal_label)
    side.text_input("Speaker contains", key="f_speaker")
    side.text_input("Evidence contains", key="f_text", help="Free-text search in the evidence sentences")

    start, end = (tuple(period) + (None, None))[:2] if isinstance(period, (tuple, list)) else (period, period)
    filters = Filters(
        start=start, end=end or start, granularity=st.session_state["f_granularity"] or "week",
        **{name: tuple(st.session_state[key]) for name, key in _WIDGETS.items()
           if name not in ("speaker", "text", "granularity")},
        speaker=st.session_state["f_speaker"].strip(), text=st.session_state["f_text"].strip(),
    )
    write_url(filters)
    return filters


def _keep(options: list[str], key: str) -> list[str]:
    """Options plus values already chosen (from a bookmarked URL) that the data no longer has."""
    return options + [v for v in st.session_state.get(key, []) if v not in options]


def write_url(filters: Filters) -> None:
    """Mirror the filters into the query string, key by key, leaving page-specific keys alone."""
    wanted = filters.to_query_params()
    for name in ("start", "end", *_WIDGETS):
        if name in wanted:
            if st.query_params.get_all(name) != (v := wanted[name] if isinstance(wanted[name], list) else [wanted[name]]):
                st.query_params[name] = v
        elif name in st.query_params:
            del st.query_params[name]


def setup(page: str) -> Filters:
    """Start of every page: the database, its data version and the sidebar filters of this rerun.

    Stops the page with instructions when the database has no schema yet.
    """
    url = database_url()
    if not schema_ready(url):
        st.title("OpenWatch")
        st.warning("The database has no OpenWatch tables yet. Run `openwatch init`, then `openwatch demo` "
                   "(or `openwatch crawl` and `openwatch extract`) to fill it.", icon=":material/database:")
        st.stop()
    st.session_state["db_url"] = url
    st.session_state["data_version"] = data_version(url)
    st.session_state["filters"] = sidebar_filters(vocabulary(st.session_state["data_version"], url), page)
    return st.session_state["filters"]


def current() -> Filters:
    """The filters of this rerun (after `setup()`)."""
    return st.session_state["filters"]


def run(name: str, *args, filters: Filters | None = None):
    """Cached query for the current page: `run("claims_per_day")`."""
    url = st.session_state["db_url"]
    return query(name, filters or current(), st.session_state["data_version"], url, *args)


SIGNAL_LABELS = {  # the 12 ids of the open-washing taxonomy (openwashing-signals.yaml)
    "usage_threshold": "User-count or company-size threshold",
    "no_training_other_models": "Ban on training other models",
    "use_restrictions": "Use restrictions",
    "non_commercial": "Research-only or non-commercial",
    "license_not_open_source": "License is not open source",
    "training_data_undisclosed": "Training data undisclosed",
    "training_process_undisclosed": "Training process undisclosed",
    "technical_details_undisclosed": "Technical details undisclosed",
    "weights_only": "Weights only",
    "api_only": "API-only access",
    "open_label_disputed": "Open-source label disputed",
    "open_name_closed_practice": "Open name, closed practice",
}


def signal_label(signal_id: str) -> str:
    return SIGNAL_LABELS.get(signal_id, signal_id)
