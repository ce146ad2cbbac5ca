"""Tasks: reads (pages, one task, stats; cached) and writes (create, patch, delete, batch)."""
