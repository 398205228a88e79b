"""Temporal workflows: deterministic orchestration only (ids in, ids out)."""
