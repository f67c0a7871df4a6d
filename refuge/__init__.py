"""Refuge: case management and rapid response against refoulement."""

__version__ = "0.1.0"
