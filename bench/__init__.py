"""Refuge's benchmarks: a data generator and page timings (results in bench/README.md)."""
