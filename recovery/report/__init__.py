"""`recovery report`: the team's figures (volume, time, money) from the cases, quotes, approvals and audit tables.

`frames` reads the tables into pandas; `figures` computes the report; `terminal`, `page` (HTML with charts)
and `files` (XLSX, CSV) show it. pandas and matplotlib are imported here only, never at CLI start.
"""
