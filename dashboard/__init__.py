"""The Streamlit analyst dashboard (app.py) and what its tests and benchmark share."""
