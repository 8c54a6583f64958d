"""Sources and crawl health: last crawl, new articles, errors, feed status, next run; switch sources on/off."""
from datetime import datetime, timedelta, timezone

import streamlit as st

from dashboard import state, widgets
from storage import queries

state.setup("sources")

st.title("Sources & crawl health")
days = st.segmented_control("Runs of the last", [1, 7, 30, 90], default=7, format_func=lambda d: f"{d} days") or 7
health = state.run("source_health", datetime.now(timezone.utc) - timedelta(days=days))
if health.empty:
    st.info("No sources yet. Add some with `openwatch sources add` or `openwatch sources import FILE`.")
    st.stop()

failing = health[health["health"].isin(["failing", "gone", "degraded"])]
cols = st.columns(4)
cols[0].metric("Sources", len(health))
cols[1].metric("Enabled", int(health["enabled"].sum()))
cols[2].metric("Failing or degraded", len(failing))
cols[3].metric(f"New articles ({days} d)", f"{int(health['new_articles'].sum()):,}")

st.caption("Untick *enabled* to stop crawling a source; the change is saved at once.")
shown = health.drop(columns=["id"])
edited = st.data_editor(shown, hide_index=True, width="stretch", disabled=[c for c in shown if c != "enabled"],
                        column_config={"url": st.column_config.LinkColumn("Feed URL"),
                                       "enabled": st.column_config.CheckboxColumn("Enabled")}, key="sources")
changed = edited[edited["enabled"] != shown["enabled"]]
if not changed.empty:
    with state.engine(st.session_state["db_url"]).begin() as conn:
        for name, enabled in zip(changed["name"], changed["enabled"]):
            queries.set_source_enabled(conn, name, bool(enabled))
    st.toast(f"Saved: {', '.join(f'{n} ' + ('on' if e else 'off') for n, e in zip(changed['name'], changed['enabled']))}")
st.download_button("Download (CSV)", widgets.frame_csv(shown), file_name="openwatch-sources.csv", mime="text/csv",
                   on_click="ignore", icon=":material/download:")
if not failing.empty:
    st.subheader("Errors")
    widgets.table(failing[["name", "health", "consecutive_failures", "last_success_at", "last_error"]],
                  "failing-sources", key="failing")
