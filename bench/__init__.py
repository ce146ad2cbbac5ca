"""Benchmarks: `make bench` (python -m bench.run). They print tables; they are never tests."""
