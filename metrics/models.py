"""Run the SQL models in ``sql/`` in dependency order.

Each ``.sql`` file holds one ``select``. Its top folder is its layer and schema
(``staging``, ``intermediate``, ``marts``) and its file stem is its name, so
``sql/marts/indicator_monthly.sql`` becomes ``marts.indicator_monthly``. Intermediate
models sit in subject folders (``referral``, ``outcome``, ``operations``, ``family``,
``assembly``) whose prefix they carry (``int_family_wellbeing``); the folder does not
change the name.
Dependencies are read from the references ``<layer>.<model>`` in the text.
Staging models are views; intermediate models and marts are tables.

A model whose first line is ``-- materialized: ephemeral`` is needed only while the
models run: a wide, referral-grain step that the marts carry forward. When the runner is
given a scratch catalog (an attached in-memory database, as the build does) such a model
is built there, read through a view of its usual name, and the view and the table are
dropped as soon as every model that reads it has finished (so the wide ones do not all
stay in memory to the end), so the warehouse file never stores it. Without one it is an
ordinary table.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
LAYERS = ("staging", "intermediate", "marts")
MATERIALISATION = {"staging": "view", "intermediate": "table", "marts": "table"}
_REFERENCE = re.compile(r"\b(staging|intermediate|marts)\.([a-z_][a-z0-9_]*)\b")
_COMMENT = re.compile(r"--[^\n]*")
_EPHEMERAL = re.compile(r"\A--\s*materialized:\s*ephemeral\s*$", re.MULTILINE)


class ModelError(RuntimeError):
    """A model failed; the message names the model, never data values."""


@dataclass(frozen=True)
class Model:
    layer: str
    name: str
    path: Path
    sql: str

    @property
    def qualified_name(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def is_ephemeral(self) -> bool:
        return bool(_EPHEMERAL.match(self.sql))

    @cached_property
    def depends_on(self) -> frozenset[str]:
        text = _COMMENT.sub("", self.sql)
        refs = {f"{layer}.{name}" for layer, name in _REFERENCE.findall(text)}
        refs.discard(self.qualified_name)
        return frozenset(refs)


def discover(sql_dir: Path = SQL_DIR) -> list[Model]:
    models = []
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).rglob("*.sql")):
            text = path.read_text(encoding="utf-8").strip().rstrip(";")
            models.append(Model(layer, path.stem, path, text))
    return models


def dependency_order(models: list[Model]) -> list[Model]:
    """Topological order; unknown references and cycles are errors."""
    by_name = {m.qualified_name: m for m in models}
    for model in models:
        missing = sorted(model.depends_on - by_name.keys())
        if missing:
            raise ModelError(f"{model.path.name}: refers to unknown model(s) {', '.join(missing)}")
    ordered: list[Model] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(model: Model) -> None:
        if model.qualified_name in done:
            return
        if model.qualified_name in visiting:
            raise ModelError(f"{model.path.name}: dependency cycle")
        visiting.add(model.qualified_name)
        for dep in sorted(model.depends_on):
            visit(by_name[dep])
        visiting.discard(model.qualified_name)
        done.add(model.qualified_name)
        ordered.append(model)

    for model in models:
        visit(model)
    return ordered


def closure(models: list[Model], targets: set[str]) -> list[Model]:
    """The models ``targets`` need (themselves included), in the order given."""
    by_name = {m.qualified_name: m for m in models}
    unknown = sorted(targets - by_name.keys())
    if unknown:
        raise ModelError(f"unknown model(s) {', '.join(unknown)}")
    needed: set[str] = set()
    pending = list(targets)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(by_name[name].depends_on)
    return [m for m in models if m.qualified_name in needed]


def _create(con: duckdb.DuckDBPyConnection, model: Model, scratch: str | None = None) -> float:
    """Create one model; returns the seconds it took.

    An ephemeral model goes to the ``scratch`` catalog, with a view of its name in the
    warehouse for the models that read it."""
    started = time.perf_counter()
    try:
        if scratch and model.is_ephemeral:
            con.execute(f"create or replace table {scratch}.{model.qualified_name} as\n{model.sql}")
            con.execute(
                f"create or replace view {model.qualified_name} as "
                f"select * from {scratch}.{model.qualified_name}"
            )
        else:
            kind = MATERIALISATION[model.layer]
            con.execute(f"create or replace {kind} {model.qualified_name} as\n{model.sql}")
    except duckdb.Error as exc:
        # Keep the first line of the error, with any quoted value blanked out.
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        first_line = re.sub(r"'[^']*'", "'…'", first_line)
        raise ModelError(f"model {model.qualified_name} failed: {first_line}") from None
    return time.perf_counter() - started


class _ScratchTables:
    """The ephemeral models built in the scratch catalog, each dropped (its view and its
    table) once every model of the run that reads it has finished."""

    def __init__(self, con: duckdb.DuckDBPyConnection, ordered: list[Model], scratch: str):
        self._con = con
        self._scratch = scratch
        self._readers = {
            m.qualified_name: {r.qualified_name for r in ordered if m.qualified_name in r.depends_on}
            for m in ordered
            if m.is_ephemeral
        }
        self._built: set[str] = set()
        self._done: set[str] = set()

    def finished(self, model: Model) -> None:
        """``model`` has been built: drop the ephemeral models nothing still has to read."""
        self._done.add(model.qualified_name)
        if model.is_ephemeral:
            self._built.add(model.qualified_name)
        for name in sorted(self._built):
            if self._readers[name] and self._readers[name] <= self._done:
                self._drop(name)

    def drop_the_rest(self) -> None:
        """At the end of the run: the ones no model of the run read (a target itself)."""
        for name in sorted(self._built):
            self._drop(name)

    def _drop(self, name: str) -> None:
        self._con.execute(f"drop view {name}")
        self._con.execute(f"drop table {self._scratch}.{name}")
        self._built.discard(name)


def run_models(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path = SQL_DIR,
    on_model: Callable[[Model, float], None] | None = None,
    workers: int = 1,
    scratch: str | None = None,
    targets: set[str] | None = None,
) -> list[Model]:
    """Create every model in ``con``; returns the models in the order they finished.

    With ``workers`` > 1, models whose dependencies are all built run at the same time,
    each on its own cursor: writing a table is largely single-threaded in DuckDB, so two
    models side by side keep both cores busy. ``on_model`` is called from this thread.
    ``scratch`` names an attached catalog for the ephemeral models (see the module's note);
    each is dropped once its readers have finished, and the caller detaches the catalog.
    ``targets`` (qualified names) runs only those models and the models they need.
    """
    ordered = dependency_order(discover(sql_dir))
    if targets is not None:
        ordered = closure(ordered, targets)
    for layer in LAYERS:
        con.execute(f"create schema if not exists {layer}")
        # Up front, not per model: two models creating one schema at once conflict.
        if scratch and any(m.is_ephemeral and m.layer == layer for m in ordered):
            con.execute(f"create schema if not exists {scratch}.{layer}")
    tables = _ScratchTables(con, ordered, scratch) if scratch else None

    def record(model: Model, seconds: float) -> None:
        if tables is not None:
            tables.finished(model)
        if on_model is not None:
            on_model(model, seconds)

    if workers <= 1:
        for model in ordered:
            record(model, _create(con, model, scratch))
        finished = ordered
    else:
        finished = _run_in_parallel(con, ordered, record, workers, scratch)
    if tables is not None:
        tables.drop_the_rest()
    return finished


def critical_first(ordered: list[Model]) -> list[Model]:
    """``ordered`` (in dependency order) with the models on the longest chains first: by
    the length of the longest chain of models that depend on a model (itself included),
    then by how many models depend on it at all, then in dependency order. Run in this
    order, a model that many others wait for (``int_referral_base``, ``fct_referrals``)
    starts as soon as it can, rather than after every ready model before it in the
    folders' order; a dependency still always comes before the models that read it."""
    names = {m.qualified_name for m in ordered}
    dependants: dict[str, set[str]] = {name: set() for name in names}
    for model in ordered:
        for dep in model.depends_on & names:
            dependants[dep].add(model.qualified_name)
    chain: dict[str, int] = {}
    below: dict[str, frozenset[str]] = {}
    for model in reversed(ordered):  # every dependant comes later in dependency order
        name = model.qualified_name
        chain[name] = 1 + max((chain[d] for d in dependants[name]), default=0)
        below[name] = frozenset(dependants[name]).union(*(below[d] for d in dependants[name]))
    position = {m.qualified_name: i for i, m in enumerate(ordered)}
    return sorted(
        ordered,
        key=lambda m: (-chain[m.qualified_name], -len(below[m.qualified_name]),
                       position[m.qualified_name]),
    )


def _run_in_parallel(
    con: duckdb.DuckDBPyConnection,
    ordered: list[Model],
    on_model: Callable[[Model, float], None] | None,
    workers: int,
    scratch: str | None,
) -> list[Model]:
    # The first ready model of this list starts first: the one on the longest chain.
    waiting = critical_first(ordered)
    done: set[str] = set()
    finished: list[Model] = []
    cursors = [con.cursor() for _ in range(workers)]
    free = list(cursors)
    running: dict[Future, tuple[Model, duckdb.DuckDBPyConnection]] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="model") as pool:
        try:
            while waiting or running:
                for model in [m for m in waiting if m.depends_on <= done]:
                    if not free:
                        break
                    waiting.remove(model)
                    cursor = free.pop()
                    running[pool.submit(_create, cursor, model, scratch)] = (model, cursor)
                completed, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in completed:
                    model, cursor = running.pop(future)
                    free.append(cursor)
                    seconds = future.result()  # a ModelError stops the run here
                    done.add(model.qualified_name)
                    finished.append(model)
                    if on_model is not None:
                        on_model(model, seconds)
        except BaseException:
            for cursor in cursors:
                cursor.interrupt()  # the other model still running stops too
            raise
        finally:
            wait(running)
            for cursor in cursors:
                cursor.close()
    return finished
