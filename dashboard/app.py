"""OpenWatch analyst dashboard (Streamlit multipage app): `openwatch dashboard` starts it.

The entry script owns what all pages share: the database, the data version, the sidebar
filters (mirrored in the URL) and the navigation; each page lives in pages/.
"""
from __future__ import annotations

import streamlit as st

from dashboard import state

st.set_page_config(page_title="OpenWatch", page_icon=":material/visibility:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
    st.Page("pages/subject.py", title="Organizations & models", icon=":material/domain:", url_path="subject"),
    st.Page("pages/openwashing.py", title="Open-washing", icon=":material/flag:", url_path="openwashing"),
    st.Page("pages/explorer.py", title="Claims explorer", icon=":material/table_view:", url_path="explorer"),
    st.Page("pages/sources.py", title="Sources & crawl health", icon=":material/rss_feed:", url_path="sources"),
    st.Page("pages/knowledge.py", title="Knowledge base", icon=":material/menu_book:", url_path="knowledge"),
]
page = st.navigation(PAGES)

url = state.database_url()
if not state.schema_ready(url):
    st.title("OpenWatch")
    st.warning("The database has no OpenWatch tables yet. Run `openwatch init`, then `openwatch demo` "
               "(or `openwatch crawl` and `openwatch extract`) to fill it.", icon=":material/database:")
    st.stop()

st.session_state["db_url"] = url
st.session_state["data_version"] = state.data_version(url)
st.session_state["filters"] = state.sidebar_filters(state.vocabulary(st.session_state["data_version"], url))
page.run()
