"""The only library code that imports Streamlit: cached resources and reads, widgets, charts, filters."""
