"""Guards that keep each rule in one place (spec: evidence.md section 1): the build does
not load the report renderer, the dashboard's modules import no cycle, and no second
copy of a period, formatter, annuity or cohort-month rule is written."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = [p for folder in ("metrics", "dashboard") for p in sorted((ROOT / folder).rglob("*.py"))]
RENDERER = ("metrics.report.render", "metrics.report.command", "metrics.report.manager",
            "metrics.report.pcc", "metrics.report.public", "metrics.report.charts",
            "metrics.report.pdf", "metrics.report.scan", "jinja2")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_the_build_does_not_load_the_report_renderer():
    probe = ("import sys, metrics.build, metrics.cli; "
             "print('\\n'.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split()
    assert "metrics.build" in loaded and "metrics.published" in loaded
    assert [m for m in loaded if m.startswith(RENDERER)] == []


def _dashboard_imports() -> dict[str, set[str]]:
    """dashboard module -> the dashboard modules it imports (anywhere, functions too)."""
    modules = {_name(p): p for p in CODE if p.parts[-2:][0] in ("dashboard", "views")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(_tree(path)):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_the_dashboard_modules():
    graph = _dashboard_imports()
    assert "dashboard.breakdowns" in graph["dashboard.theme"]
    assert _cycles(graph) == []


# functions that write one rule: defined once, in the module named
ONE_DEFINITION = {
    "add_months": "metrics/period.py",
    "months_between": "metrics/period.py",
    "month_end": "metrics/period.py",
    "_month_end": None,
    "last_day_of_month": None,
    "month_label": "metrics/period.py",
    "quarter_label": "metrics/period.py",
    "financial_year_label": "metrics/period.py",
    "parse_period": None,  # metrics.period.parse
    "gbp": "metrics/formatting.py",
    "percent": "metrics/formatting.py",
    "readable": "metrics/formatting.py",
    "status_label": "metrics/formatting.py",
    "status_word": None,  # metrics.formatting.status_cell
    "change_text": "metrics/formatting.py",
    "value_text": "metrics/formatting.py",
    "annuity_factor": "metrics/register.py",
    "cohort_month": "metrics/cohorts.py",
}
# vectorised day arithmetic on numpy arrays for the synthetic generator, not a period rule
ALLOWED = {("add_months", "metrics/generator/days.py")}


def _definitions() -> list[tuple[str, str, ast.AST]]:
    """Every class, and every module-level function (methods may share a rule's name)."""
    out = []
    for path in CODE:
        where = str(path.relative_to(ROOT))
        tree = _tree(path)
        out += [(node.name, where, node) for node in ast.walk(tree)
                if isinstance(node, ast.ClassDef)]
        out += [(node.name, where, node) for node in tree.body
                if isinstance(node, ast.FunctionDef)]
    return out


def test_each_rule_is_defined_once():
    definitions = _definitions()
    periods = [where for name, where, node in definitions
               if name == "Period" and isinstance(node, ast.ClassDef)]
    assert periods == ["metrics/period.py"]
    for name, home in ONE_DEFINITION.items():
        found = sorted(where for n, where, node in definitions
                       if n == name and isinstance(node, ast.FunctionDef)
                       and (name, where) not in ALLOWED)
        assert found == ([home] if home else []), name


def _strings(path: Path) -> list[str]:
    return [node.value for node in ast.walk(_tree(path))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_unknown_reads_not_recorded_everywhere():
    found = [str(p.relative_to(ROOT)) for p in CODE if "Unknown" in _strings(p)]
    assert found == []


def test_the_cohort_month_columns_are_named_in_one_module():
    found = sorted({str(p.relative_to(ROOT)) for p in CODE
                    for s in _strings(p) if s in ("survey_month", "target_hardening_month")})
    # the catalogue's cohort_month -> month column map (metrics.cohorts reads it)
    assert found == ["metrics/catalogue.py"]


def test_the_annuity_formula_is_written_once_in_python_and_once_in_sql():
    formula = re.compile(r"\(1 - \w+\) / \(1 \+ \w+\)")
    python = [str(p.relative_to(ROOT)) for p in CODE if formula.search(p.read_text("utf-8"))]
    assert python == ["metrics/register.py"]
    sql = {str(p.relative_to(ROOT)): p.read_text("utf-8").count("pow(yearly_ratio")
           for p in sorted((ROOT / "sql").rglob("*.sql"))}
    assert {k: v for k, v in sql.items() if v} == {
        "sql/intermediate/outcome/int_outcome_scenarios.sql": 1}


def test_no_threshold_of_the_register_is_a_literal_in_the_dashboard():
    # min_paired_n (30 people) was written as a constant beside the breakdowns
    for path in (ROOT / "dashboard").rglob("*.py"):
        text = path.read_text("utf-8")
        assert not re.search(r"MIN_PAIRED\w*\s*=\s*\d", text), path.name
        assert "fewer than 30" not in text, path.name
