"""``hubvalue lake build``: every model over a lake of areas, on DuckDB or on Spark.

Input: a lake as ``metrics.lake`` writes it (``<lake>/pcc_area=<code>/<schema>.<table>
.parquet``, the validated ``raw``, ``meta`` and ``ref`` tables of each area). Output, in
``out``:

* ``marts/<mart>/*.parquet``: every mart of every area, stacked, ``pcc_area`` first;
* ``areas/<code>.duckdb``: one warehouse per area (its marts, ``meta`` and ``ref``) that
  ``hubvalue serve`` and ``hubvalue report`` open (``metrics.national``).

The engines give the same marts (tests/test_spark_differential.py): ``duckdb`` (the
default, one machine) builds each area in turn as ``metrics.lake.build_area`` does;
``spark`` runs the transpiled models (``metrics.spark``) in local mode or on a cluster
(``spark.master``). The output is written beside ``out`` and moved into place at the end,
so a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.lake import SCHEMAS, build_area
from metrics.models import discover
from metrics.national import AREA_CODE, AREAS_DIR

ENGINES = ("duckdb", "spark")
MARTS_DIR = "marts"
AREA_PREFIX = "pcc_area="


class LakeError(ValueError):
    """The lake is not usable (the message names the folder and the rule, never data)."""


@dataclass(frozen=True)
class LakeResult:
    out: Path
    engine: str
    areas: tuple[str, ...]
    marts: dict[str, int]  # mart name: rows, all areas

    def lines(self) -> list[str]:
        total = sum(self.marts.values())
        return [
            f"engine {self.engine}: {len(self.areas)} area(s) "
            f"({', '.join(self.areas)}), {len(self.marts)} marts, {total:,} rows",
            f"stacked marts: {self.out / MARTS_DIR}",
            f"area warehouses: {self.out / AREAS_DIR} (hubvalue serve --db {self.out})",
        ]


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def lake_areas(lake: Path) -> dict[str, list[Path]]:
    """{area code: its Parquet files}; a lake with no area, or a bad folder, is an error."""
    lake = Path(lake)
    if not lake.is_dir():
        raise LakeError(f"--lake {lake}: not a folder")
    areas: dict[str, list[Path]] = {}
    for folder in sorted(lake.iterdir()):
        if not folder.is_dir() or not folder.name.startswith(AREA_PREFIX):
            continue
        code = folder.name[len(AREA_PREFIX):]
        if not AREA_CODE.match(code):
            raise LakeError(f"--lake: {folder.name}: an area code is letters, digits, '-', '_'")
        files = sorted(folder.glob("*.parquet"))
        schemas = {f.stem.split(".", 1)[0] for f in files}
        if not {"raw", "meta", "ref"} <= schemas:
            raise LakeError(f"--lake: {folder.name}: needs raw, meta and ref tables")
        areas[code] = files
    if not areas:
        raise LakeError(f"--lake {lake}: no pcc_area=<code> folders")
    return areas


def mart_names() -> list[str]:
    return [m.name for m in discover() if m.layer == "marts"]


def _build_duckdb(lake: Path, areas: list[str], work: Path,
                  progress: Callable[[str], None]) -> None:
    builds = work / "builds"
    builds.mkdir()
    dbs = {}
    for area in areas:
        dbs[area] = builds / f"{area}.duckdb"
        build_area(lake, area, dbs[area])
        progress(f"duckdb: area {area} built")
    con = duckdb.connect()
    try:
        for index, area in enumerate(areas):
            con.execute(f"attach {_quote(dbs[area])} as area_{index} (read_only)")
        for name in mart_names():
            target = work / MARTS_DIR / name
            target.mkdir(parents=True)
            stacked = " union all by name ".join(
                f"select '{area}' as pcc_area, * from area_{index}.marts.{name}"
                for index, area in enumerate(areas)
            )
            con.execute(f"copy ({stacked}) to {_quote(target / 'part-0.parquet')} "
                        "(format parquet)")
    finally:
        con.close()
    shutil.rmtree(builds)


def _build_spark(lake_files: dict[str, list[Path]], work: Path, conf: dict[str, str],
                 progress: Callable[[str], None]) -> None:
    from metrics.spark import runner, session

    spark = session.start(conf)
    try:
        marts = runner.run(spark, lake_files, on_model=lambda name: progress(f"spark: {name}"))
        for name, frames in marts.items():
            # one write per mart, every area in it (each write of a local folder makes
            # and sets the mode of a dozen folders, one shell `chmod` each)
            stacked = functools.reduce(lambda a, b: a.unionByName(b), frames)
            stacked.coalesce(1).write.parquet(str(work / MARTS_DIR / name))
    finally:
        spark.stop()  # the session's JVM ends with the build, also when it fails


def _area_warehouses(lake: Path, areas: list[str], work: Path) -> dict[str, int]:
    """One warehouse per area from the stacked marts and the lake's meta and ref tables."""
    folder = work / AREAS_DIR
    folder.mkdir()
    rows = {}
    for area in areas:
        con = duckdb.connect(str(folder / f"{area}.duckdb"))
        try:
            for schema in ("marts", "meta", "ref"):
                con.execute(f"create schema {schema}")
            for name in mart_names():
                source = _quote(work / MARTS_DIR / name / "*.parquet")
                con.execute(
                    f"create table marts.{name} as select * exclude (pcc_area) "
                    f"from read_parquet({source}) where pcc_area = ?", [area],
                )
            for path in sorted((lake / f"{AREA_PREFIX}{area}").glob("*.parquet")):
                schema, table = path.stem.split(".", 1)
                if schema in SCHEMAS and schema != "raw":
                    con.execute(f'create table {schema}."{table}" as '
                                f"select * from read_parquet({_quote(path)}, hive_partitioning = false)")
        finally:
            con.close()
    con = duckdb.connect()
    try:
        for name in mart_names():
            source = _quote(work / MARTS_DIR / name / "*.parquet")
            rows[name] = con.execute(f"select count(*) from read_parquet({source})").fetchone()[0]
    finally:
        con.close()
    return rows


def build_lake(lake: Path, out: Path, engine: str = "duckdb",
               conf: dict[str, str] | None = None,
               progress: Callable[[str], None] | None = None) -> LakeResult:
    """Build every area of ``lake`` with ``engine`` into ``out`` (replaced at the end)."""
    if engine not in ENGINES:
        raise LakeError(f"--engine: one of {', '.join(ENGINES)}")
    lake, out = Path(lake), Path(out)
    if out.exists() and not out.is_dir():
        raise LakeError(f"--out {out}: exists and is not a folder")
    if out.resolve() == lake.resolve() or lake.resolve() in out.resolve().parents:
        raise LakeError("--out: must be outside the lake")
    files = lake_areas(lake)
    areas = sorted(files)
    say = progress or (lambda _message: None)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        if engine == "spark":
            _build_spark(files, work, conf or {}, say)
        else:
            _build_duckdb(lake, areas, work, say)
        rows = _area_warehouses(lake, areas, work)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            out.rename(old / out.name)
            work.rename(out)
            shutil.rmtree(old)
        else:
            work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return LakeResult(out=out, engine=engine, areas=tuple(areas), marts=rows)
