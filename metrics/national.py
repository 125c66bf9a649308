"""A national build's output, as the dashboard and the reports read it.

``hubvalue lake build`` writes, beside the stacked Parquet marts, one warehouse file per
area (``<out>/areas/<code>.duckdb``: that area's marts with its ``meta`` and ``ref``
tables), so every reader keeps reading one warehouse through the one read layer; a
national output is a folder of them, and the reader picks the area.
"""

from __future__ import annotations

import re
from pathlib import Path

AREAS_DIR = "areas"
AREA_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class AreaError(ValueError):
    """No such area in a national output, or one is needed (names the argument, no data)."""


def is_national(path: Path) -> bool:
    """Whether ``path`` is a national build's output folder (not one warehouse file)."""
    return Path(path).is_dir() and (Path(path) / AREAS_DIR).is_dir()


def area_warehouses(out: Path) -> dict[str, Path]:
    """{area code: its warehouse file} of a national output, in code order."""
    folder = Path(out) / AREAS_DIR
    found = {}
    for path in sorted(folder.glob("*.duckdb")):
        if AREA_CODE.match(path.stem):
            found[path.stem] = path
    return found


def warehouse_for(path: Path, area: str | None) -> Path:
    """The warehouse file to read: ``path`` itself, or the area's file of a national output.

    A national output of one area needs no ``area``; of more, ``area`` must name one."""
    path = Path(path)
    if not is_national(path):
        if area is not None:
            raise AreaError("--area: only a national build's output folder has areas")
        return path
    areas = area_warehouses(path)
    if not areas:
        raise AreaError(f"{path}: a national output with no area warehouses (rebuild it)")
    if area is None:
        if len(areas) == 1:
            return next(iter(areas.values()))
        raise AreaError(
            f"--area: {path} holds {len(areas)} areas; name one ({', '.join(areas)})"
        )
    if area not in areas:
        raise AreaError(f"--area: no area of that code in {path} ({', '.join(areas)})")
    return areas[area]
