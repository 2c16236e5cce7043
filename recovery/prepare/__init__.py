"""Unsigned recovery transactions built from a case: one builder module per chain family."""
