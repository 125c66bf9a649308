"""Internals of the synthetic hub generator; ``metrics.generate`` is the entry point."""
