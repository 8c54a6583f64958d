"""The dashboard's pages, each a Streamlit script run by the navigation in dashboard/app.py."""
