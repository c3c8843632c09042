"""Synthetic cases and handwriting, for the demo and the tests (never for a real session)."""
