"""Seeded random streams and the few vectorised draws the generator needs."""

from __future__ import annotations

import numpy as np

CHUNK_STREAM = 0
STATIC_STREAM = 1


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for (seed, key): the same key always gives the same draws."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def pick(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given probabilities."""
    return np.minimum(
        np.searchsorted(np.cumsum(probs), rng.random(size), side="right"), len(probs) - 1
    )


def pick_by_row(rng: np.random.Generator, matrix: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each element, an index drawn with the probabilities in ``matrix[rows[i]]``."""
    cumulative = np.cumsum(matrix, axis=1)
    u = rng.random(len(rows))
    chosen = (u[:, None] >= cumulative[rows]).sum(axis=1)
    return np.minimum(chosen, matrix.shape[1] - 1)


def lag(rng: np.random.Generator, table: tuple[np.ndarray, np.ndarray], size: int) -> np.ndarray:
    """Lags drawn from a ``shape.lag_table``."""
    values, probs = table
    return values[pick(rng, probs, size)]


def chance(rng: np.random.Generator, p: float | np.ndarray, size: int) -> np.ndarray:
    """True with probability ``p`` (a number or one probability per element)."""
    return rng.random(size) < p


def between(rng: np.random.Generator, low: int, high: int, size: int) -> np.ndarray:
    """Whole numbers from ``low`` to ``high`` inclusive."""
    return rng.integers(low, high + 1, size=size, dtype=np.int64)


def rounded_normal(
    rng: np.random.Generator, mean: np.ndarray | float, sd: float, low: int, high: int, size: int
) -> np.ndarray:
    return np.clip(np.rint(rng.normal(mean, sd, size)), low, high).astype(np.int64)
