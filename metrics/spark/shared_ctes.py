"""A model's CTEs that Spark would plan many times, run once each on their own.

Spark inlines every deterministic CTE at each place it is read, so a CTE read twice by a
CTE that is itself read twice is planned and run four times, and the plans of the widest
models grew to thousands of operators (most of the Spark build's time was planning them;
docs/scaling.md). DuckDB plans such a CTE once. Here, on the Spark side only, the SQL of
the models unchanged:

* each CTE's *multiplicity* is how many copies of it the inlined plan would hold: the
  sum, over the places that read it, of the multiplicity of the reader (the final select
  counts once, and so does a CTE that is run on its own);
* a CTE with a multiplicity of two or more becomes a *step*: it is run on its own (the
  runner keeps its rows, like an intermediate model's) and its readers read the step's
  view instead; the CTEs it reads that are not steps go with it in its ``with``;
* an import CTE (``select * from <one table>``, nothing else) is never a step: reading a
  table twice costs nothing to plan.

Decided from the last CTE to the first, so a CTE read only by steps counts each step once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

STEP_SCHEMA = "step"


@dataclass(frozen=True)
class Step:
    """One shared CTE of a model, as a query of its own, and the view its readers read."""

    cte: str
    table: str  # the table name in the ``step`` schema: ``<model>__<cte>``
    query: exp.Expression


def _is_import(cte: exp.CTE) -> bool:
    body = cte.this
    return (
        isinstance(body, exp.Select)
        and len(body.expressions) == 1
        and isinstance(body.expressions[0], exp.Star)
        and isinstance(body.args.get("from_") and body.args["from_"].this, exp.Table)
        and not any(body.args.get(k) for k in ("joins", "where", "group", "having",
                                               "qualify", "order", "limit", "distinct"))
    )


def _reads(node: exp.Expression, names: set[str]) -> list[str]:
    """The CTE names a node reads, once per place it reads them."""
    return [t.name for t in node.find_all(exp.Table) if not t.db and t.name in names]


def split(model_name: str, tree: exp.Expression) -> tuple[list[Step], exp.Expression]:
    """The steps of a model (in order) and its query reading them; ``tree`` unchanged.

    A model with no shared CTE gives no steps and a copy of itself."""
    tree = tree.copy()
    with_ = tree.args.get("with_")
    if with_ is None or with_.args.get("recursive"):
        return [], tree
    ctes: list[exp.CTE] = list(with_.expressions)
    names = {c.alias for c in ctes}
    if len(names) != len(ctes) or any(c.args.get("alias").columns for c in ctes):
        return [], tree
    body = tree.copy()
    body.set("with_", None)
    multiplicity: dict[str, int] = {}
    shared: set[str] = set()
    for position in range(len(ctes) - 1, -1, -1):
        name = ctes[position].alias
        count = _reads(body, {name}).count(name)
        for later in ctes[position + 1:]:
            reads = _reads(later.this, {name}).count(name)
            if reads:
                count += reads * (1 if later.alias in shared else multiplicity[later.alias])
        multiplicity[name] = count
        if count >= 2 and not _is_import(ctes[position]):
            shared.add(name)
    if not shared:
        return [], tree

    def step_table(cte: str) -> str:
        return f"{model_name}__{cte}"

    def read_steps(node: exp.Expression) -> exp.Expression:
        for table in list(node.find_all(exp.Table)):
            if not table.db and table.name in shared:
                alias = table.alias or table.name
                table.replace(exp.Table(
                    this=exp.to_identifier(step_table(table.name)),
                    db=exp.to_identifier(STEP_SCHEMA),
                    alias=exp.TableAlias(this=exp.to_identifier(alias)),
                ))
        return node

    plain = {c.alias: read_steps(c.this.copy()) for c in ctes if c.alias not in shared}

    def with_needed(query: exp.Expression) -> exp.Expression:
        """``query`` with the plain CTEs it needs (directly or through each other)."""
        needed: set[str] = set()
        todo = _reads(query, set(plain))
        while todo:
            name = todo.pop()
            if name not in needed:
                needed.add(name)
                todo.extend(_reads(plain[name], set(plain)))
        if not needed:
            return query
        return _attach(query, [c.alias for c in ctes if c.alias in needed], plain)

    steps = [
        Step(c.alias, step_table(c.alias), with_needed(read_steps(c.this.copy())))
        for c in ctes if c.alias in shared
    ]
    return steps, with_needed(read_steps(body))


def _attach(query: exp.Expression, order: list[str], plain: dict[str, exp.Expression]
            ) -> exp.Expression:
    """``with <order's CTEs> <query>``: a union or a select with a ``with`` of its own."""
    ctes = [exp.CTE(this=plain[n].copy(), alias=exp.TableAlias(this=exp.to_identifier(n)))
            for n in order]
    if isinstance(query, exp.Subquery):
        query = query.this
    if not isinstance(query, exp.Select | exp.SetOperation):
        query = exp.Select(expressions=[exp.Star()]).from_(query.subquery("step"))
    query.set("with_", exp.With(expressions=ctes))
    return query
