"""Mis-sent deposit recovery: reference data, triage, cases, fees, quotes, batch, storage."""
