"""Run the SQL models in ``sql/`` in dependency order.

Each ``.sql`` file holds one ``select``. Its folder is its layer and schema
(``staging``, ``intermediate``, ``marts``) and its file stem is its name, so
``sql/marts/indicator_monthly.sql`` becomes ``marts.indicator_monthly``.
Dependencies are read from the references ``<layer>.<model>`` in the text.
Staging models are views; intermediate models and marts are tables.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
LAYERS = ("staging", "intermediate", "marts")
MATERIALISATION = {"staging": "view", "intermediate": "table", "marts": "table"}
_REFERENCE = re.compile(r"\b(staging|intermediate|marts)\.([a-z_][a-z0-9_]*)\b")
_COMMENT = re.compile(r"--[^\n]*")


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
    def depends_on(self) -> frozenset[str]:
        text = _COMMENT.sub("", self.sql)
        refs = {f"{layer}.{name}" for layer, name in _REFERENCE.findall(text)}
        refs.discard(self.qualified_name)
        return frozenset(refs)


def discover(sql_dir: Path = SQL_DIR) -> list[Model]:
    models = []
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
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


def run_models(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path = SQL_DIR,
    on_model: Callable[[Model, float], None] | None = None,
) -> list[Model]:
    """Create every model in ``con``; returns the models in the order run."""
    ordered = dependency_order(discover(sql_dir))
    for layer in LAYERS:
        con.execute(f"create schema if not exists {layer}")
    for model in ordered:
        kind = MATERIALISATION[model.layer]
        started = time.perf_counter()
        try:
            con.execute(f"create or replace {kind} {model.qualified_name} as\n{model.sql}")
        except duckdb.Error as exc:
            # Keep the first line of the error, with any quoted value blanked out.
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            first_line = re.sub(r"'[^']*'", "'…'", first_line)
            raise ModelError(f"model {model.qualified_name} failed: {first_line}") from None
        if on_model is not None:
            on_model(model, time.perf_counter() - started)
    return ordered
