"""The Streamlit dashboard: a date slider that plays the deployment and withdrawal on an offline map."""
