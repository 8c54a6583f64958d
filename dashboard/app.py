"""OpenWatch analyst dashboard (Streamlit multipage app): `openwatch dashboard` starts it.

The entry script holds the navigation; each page (views/) starts with `state.setup()`, which
checks the database, reads the data version and draws the shared sidebar filters (kept in the
URL), so a page also runs on its own (as Streamlit's AppTest runs it on reruns). The folder is not
named `pages/`: Streamlit would serve its files as legacy pages too, and a bookmarked link such as
/explorer?text=开源 opened in a new session got their menu of file names instead of this one.
"""
from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="OpenWatch", page_icon=":material/visibility:", layout="wide")

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/monitoring:", default=True),
    st.Page("views/subject.py", title="Organizations & models", icon=":material/domain:", url_path="subject"),
    st.Page("views/openwashing.py", title="Open-washing", icon=":material/flag:", url_path="openwashing"),
    st.Page("views/explorer.py", title="Claims explorer", icon=":material/table_view:", url_path="explorer"),
    st.Page("views/sources.py", title="Sources & crawl health", icon=":material/rss_feed:", url_path="sources"),
    st.Page("views/knowledge.py", title="Knowledge base", icon=":material/menu_book:", url_path="knowledge"),
]
page = st.navigation(PAGES)

page.run()
