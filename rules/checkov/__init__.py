"""Data for the optional Checkov rule pack (`scan iac --with-checkov`): the severity and
category we give each Checkov policy (`severities.json`, made by `make_severities.py`).
No rules live here: the loader reads only the provider packages."""
