"""The CLI's command groups; each module holds one group, `cli.py` wires them."""
