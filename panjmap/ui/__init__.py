"""Streamlit widgets and panels shared by the pages; the pages themselves stay thin."""
