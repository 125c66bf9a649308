"""DuckDB models to Spark SQL: the one place where the two dialects' differences are handled.

The models are written once, in DuckDB SQL. SQLGlot transpiles each to Spark SQL; what
SQLGlot cannot know, or writes in a form Spark refuses, is handled here, and only here:

1. **DuckDB's column-set forms** (``* exclude (...)``, ``* replace (...)``,
   ``columns('regex')`` with ``'\\1'`` aliases, ``unpivot ... on columns(...)``) need the
   names of the columns they range over. They are expanded into plain column lists with
   the names DuckDB itself gives the same source: ``Shapes`` binds the models on empty
   copies of the lake's tables (no rows, so this takes a second), and each expansion asks
   it for the columns of the ``from`` it ranges over.
2. **Schemas become view names.** Spark's session views cannot be qualified, so
   ``<layer>.<model>`` is read as the view ``<layer>__<model>``
   (with a per-area prefix when several areas run side by side).
3. **Functions**: ``quantile_cont(x, p)`` becomes Spark's ``percentile(x, p)`` (both
   interpolate linearly between the closest ranks); ``to_months(n)`` becomes
   ``make_ym_interval(0, n)`` (a date plus months, the day kept or clamped to the month's
   end in both); a cast of an ``unnest`` becomes the ``explode`` of the cast array (Spark
   allows no generator inside an expression).

Everything else (``count_if``, ``bool_or``, ``arg_min``, ``date_trunc``, ``datediff``,
``range``, ``string_split``, ``generate_series``, aggregate ``filter`` clauses, ``::``
casts) SQLGlot translates as it is. The differential test (tests/test_spark_differential.py)
checks the results, not only that the text parses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from metrics.models import LAYERS, Model, dependency_order, discover, run_models
from metrics.spark.shared_ctes import STEP_SCHEMA

SOURCE_SCHEMAS = ("raw", "meta", "ref")
# the models' layers, their sources, and the steps a model's shared CTEs are run as
SCHEMAS = frozenset((*SOURCE_SCHEMAS, *LAYERS, STEP_SCHEMA))


def view_name(schema: str, table: str, prefix: str = "") -> str:
    """The Spark session view that stands for ``schema.table``."""
    return f"{prefix}{schema}__{table}"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class Shapes:
    """Every model bound on empty copies of the source tables, to ask column names of."""

    def __init__(self, source_files: Iterable[Path], models: list[Model] | None = None):
        self.con = duckdb.connect()
        for schema in SOURCE_SCHEMAS:
            self.con.execute(f"create schema {schema}")
        for path in source_files:
            schema, table = path.stem.split(".", 1)
            self.con.execute(
                f'create table {schema}."{table}" as '
                f"select * from read_parquet({_quote(path)}, hive_partitioning = false) limit 0"
            )
        run_models(self.con, targets=None if models is None else
                   {m.qualified_name for m in models})

    def columns(self, sql: str) -> list[str]:
        return [row[0] for row in self.con.execute(f"describe {sql}").fetchall()]

    def close(self) -> None:
        self.con.close()


def _source_columns(select: exp.Select, root: exp.Expression, shapes: Shapes,
                    star: exp.Expression | None = None) -> list[str]:
    """The columns DuckDB gives ``select <star> from <select's from and joins>``."""
    probe = exp.Select(expressions=[star or exp.Star()])
    probe.set("from_", select.args.get("from_").copy())
    probe.set("joins", [j.copy() for j in select.args.get("joins") or []])
    with_ = root.args.get("with_")
    if with_ is not None:
        probe.set("with_", with_.copy())
    return shapes.columns(probe.sql(dialect="duckdb"))


def _matches(columns_node: exp.Columns, names: list[str]) -> list[tuple[str, re.Match | None]]:
    target = columns_node.this
    if isinstance(target, exp.Star):
        excluded = {c.name for c in target.args.get("except_") or []}
        return [(n, None) for n in names if n not in excluded]
    pattern = re.compile(target.name)
    return [(n, m) for n in names if (m := pattern.search(n))]


def _expand_columns(select: exp.Select, root: exp.Expression, shapes: Shapes) -> None:
    names = None
    projections = []
    for projection in select.expressions:
        nodes = list(projection.find_all(exp.Columns))
        if not nodes:
            projections.append(projection)
            continue
        names = names or _source_columns(select, root, shapes)
        template = projection.alias if isinstance(projection, exp.Alias) else None
        for name, match in _matches(nodes[0], names):
            body = (projection.this if isinstance(projection, exp.Alias) else projection).copy()
            if isinstance(body, exp.Columns):
                body = exp.column(name)
            for node in list(body.find_all(exp.Columns)):
                node.replace(exp.column(name))
            alias = match.expand(template) if template and match else (template or name)
            projections.append(exp.alias_(body, alias))
    select.set("expressions", projections)


def _expand_star(select: exp.Select, root: exp.Expression, shapes: Shapes) -> None:
    projections = []
    for projection in select.expressions:
        star = projection.this if isinstance(projection, exp.Column) else projection
        if not isinstance(star, exp.Star) or not (
            star.args.get("except_") or star.args.get("replace")
        ):
            projections.append(projection)
            continue
        table = projection.table if isinstance(projection, exp.Column) else None
        plain = exp.Column(this=exp.Star(), table=exp.to_identifier(table)) if table else None
        names = _source_columns(select, root, shapes, plain)
        excluded = {c.name for c in star.args.get("except_") or []}
        replaced = {r.alias: r.this for r in star.args.get("replace") or []}
        for name in names:
            if name in excluded:
                continue
            if name in replaced:
                projections.append(exp.alias_(replaced[name].copy(), name))
            else:
                projections.append(exp.column(name, table=table))
    select.set("expressions", projections)


def _expand_unpivot(pivot: exp.Pivot, root: exp.Expression, shapes: Shapes) -> None:
    columns = [e for e in pivot.expressions if isinstance(e, exp.Columns)]
    if not columns:
        return
    probe = exp.Select(expressions=[exp.Star()]).from_(pivot.this.copy())
    with_ = root.args.get("with_")
    if with_ is not None:
        probe.set("with_", with_.copy())
    names = shapes.columns(probe.sql(dialect="duckdb"))
    pivot.set("expressions", [exp.column(n) for n, _ in _matches(columns[0], names)])


def _unpivot_statement(pivot: exp.Pivot) -> exp.Expression:
    """DuckDB's ``unpivot t on a, b into name n value v`` as ``select * from t unpivot``
    (``t`` a table or a subquery)."""
    into = pivot.args.get("into")
    if into is None or not isinstance(pivot.this, exp.Table | exp.Subquery):
        return pivot
    clause = exp.Pivot(
        expressions=[exp.to_identifier(into.expressions[0].name)],
        fields=[exp.In(this=exp.to_identifier(into.this.name), expressions=pivot.expressions)],
        unpivot=True,
    )
    table = pivot.this.copy()
    if isinstance(table, exp.Subquery) and not table.alias:
        table.set("alias", exp.TableAlias(this=exp.to_identifier("unpivoted")))
    table.set("pivots", [clause])
    return exp.Select(expressions=[exp.Star()]).from_(table)


def _columns_of(query: exp.Expression, root: exp.Expression, shapes: Shapes) -> list[str]:
    probe = exp.Select(expressions=[exp.Star()]).from_(query.copy().subquery("probe"))
    with_ = root.args.get("with_")
    if with_ is not None:
        probe.set("with_", with_.copy())
    return shapes.columns(probe.sql(dialect="duckdb"))


def _expand_union_by_name(union: exp.Union, root: exp.Expression, shapes: Shapes) -> None:
    """``a union [all] by name b`` as a plain union of the same named columns: the left
    side's columns in order, then the right side's others; a side without one gives NULL."""
    left = _columns_of(union.this, root, shapes)
    right = _columns_of(union.expression, root, shapes)
    names = left + [n for n in right if n not in left]
    for side, own in (("this", left), ("expression", right)):
        query = union.args[side]
        aligned = exp.Select(expressions=[
            exp.column(n) if n in own else exp.alias_(exp.Null(), n) for n in names
        ]).from_(query.copy().subquery(f"by_name_{side}"))
        union.set(side, aligned)
    union.set("by_name", None)


def expand_duckdb_forms(tree: exp.Expression, shapes: Shapes) -> exp.Expression:
    """Rewrite DuckDB's column-set forms as plain column lists (rule 1 above)."""
    for pivot in list(tree.find_all(exp.Pivot)):
        if pivot.args.get("unpivot"):
            _expand_unpivot(pivot, tree, shapes)
            pivot.replace(_unpivot_statement(pivot))
    for select in list(tree.find_all(exp.Select)):
        if any(p.find(exp.Columns) for p in select.expressions):
            _expand_columns(select, tree, shapes)
        if any(p.find(exp.Star) for p in select.expressions):
            _expand_star(select, tree, shapes)
    for union in reversed(list(tree.find_all(exp.Union))):
        if union.args.get("by_name"):
            _expand_union_by_name(union, tree, shapes)
    return tree


def _rename_tables(tree: exp.Expression, prefix: str) -> exp.Expression:
    for table in tree.find_all(exp.Table):
        if table.db in SCHEMAS:
            alias = table.alias or table.name
            table.set("this", exp.to_identifier(view_name(table.db, table.name, prefix)))
            table.set("db", None)
            table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    # Columns qualified by schema.table (none today) would keep their table's alias.
    return tree


def _spark_functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        return exp.Quantile(this=node.this, quantile=node.expression)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_months":
        return exp.Anonymous(this="make_ym_interval",
                             expressions=[exp.Literal.number(0), *node.expressions])
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Explode):
        element = exp.Cast(this=exp.column("element"), to=node.args["to"])
        cast_each = exp.Anonymous(
            this="transform",
            expressions=[node.this.this, exp.Lambda(this=element,
                                                    expressions=[exp.to_identifier("element")])],
        )
        return exp.Explode(this=cast_each)
    return node


def to_spark(model: Model, shapes: Shapes, prefix: str = "") -> str:
    """The model as Spark SQL, reading the session views named by ``view_name``."""
    tree = sqlglot.parse_one(model.sql, read="duckdb")
    tree = expand_duckdb_forms(tree, shapes)
    tree = _rename_tables(tree, prefix)
    spark_tree = sqlglot.parse_one(tree.sql(dialect="spark"), read="spark")
    return spark_tree.transform(_spark_functions).sql(dialect="spark")


def translate_all(source_files: list[Path]) -> list[tuple[Model, exp.Expression]]:
    """Every model in dependency order with its DuckDB forms expanded (names not prefixed)."""
    models = dependency_order(discover())
    shapes = Shapes(source_files)
    try:
        return [(m, expand_duckdb_forms(sqlglot.parse_one(m.sql, read="duckdb"), shapes))
                for m in models]
    finally:
        shapes.close()


def spark_sql(expanded: exp.Expression, prefix: str = "") -> str:
    """Spark SQL for one expanded model, reading views with ``prefix``."""
    tree = _rename_tables(expanded.copy(), prefix)
    spark_tree = sqlglot.parse_one(tree.sql(dialect="spark"), read="spark")
    return spark_tree.transform(_spark_functions).sql(dialect="spark")


# A stand-in for an area's prefix: a model's Spark SQL is generated once with it, then the
# stand-in is replaced by each area's prefix (generating is the slow part, and the areas'
# statements differ only in their views' names).
AREA_STAND_IN = "area0prefix0stand0in0_"


def spark_sql_for_areas(expanded: exp.Expression, prefixes: list[str]) -> list[str]:
    """``spark_sql(expanded, prefix)`` for each prefix, translated once."""
    if AREA_STAND_IN in expanded.sql(dialect="duckdb"):
        raise ValueError(f"a model's SQL holds the area stand-in {AREA_STAND_IN!r}")
    template = spark_sql(expanded, AREA_STAND_IN)
    return [template.replace(AREA_STAND_IN, prefix) for prefix in prefixes]
