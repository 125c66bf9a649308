"""The catalogue is the one source of truth for an indicator (docs/architecture.md, rule 1):
no Python outside the tests and the catalogue-driven pages spells an indicator id.

A string literal equal to a catalogue indicator id in `metrics/` or `dashboard/` fails,
except in the files below. Words in docstrings and comments do not count (only a literal
that *is* an id)."""

from __future__ import annotations

import ast
from pathlib import Path

from metrics.catalogue import catalogue

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("metrics", "dashboard")
# whole folders or files that may spell ids, and why
EXEMPT = {
    "dashboard/views": "catalogue-driven pages: each page is about named indicators",
    "metrics/reference.py": "the independent pandas reference of the differential test and "
    "the benchmark: it must not share the code it checks",
}
# file -> (ids it may spell, why): ids that are also a column name, not used as an indicator
ALLOWED = {
    "metrics/contract.py": (
        {"satisfaction", "family_benefited", "goals_achieved"},
        "exit survey columns of the data contract",
    ),
    "metrics/generator/tables.py": (
        {"satisfaction", "family_benefited", "goals_achieved"},
        "the generator writes the exit survey columns of the data contract",
    ),
    "metrics/ingest.py": ({"goals_achieved"}, "an exit survey column checked on load"),
    "metrics/queries.py": ({"reach_ratio"}, "the reach_ratio column of the reach frames"),
    "metrics/published/figures.py": ({"reach_ratio"}, "the reach_ratio column of the reach table"),
    "metrics/report/public.py": ({"reach_ratio"}, "the reach_ratio column of the reach table"),
    "dashboard/charts.py": ({"reach_ratio"}, "the reach_ratio column of the reach frame"),
}


def indicator_ids() -> set[str]:
    return set(catalogue()["indicator_id"])


def literals_in(source: str, ids: set[str]) -> list[tuple[int, str]]:
    """(line, id) of every string literal in `source` that is exactly an indicator id."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids
    ]


def stray_literals(root: Path, ids: set[str]) -> list[str]:
    """'path:line id' for every id spelled outside the exempt files and the allow-list."""
    found = []
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if any(name == e or name.startswith(e + "/") for e in EXEMPT):
                continue
            allowed = ALLOWED.get(name, (set(), ""))[0]
            found += [
                f"{name}:{line} {value}"
                for line, value in literals_in(path.read_text(encoding="utf-8"), ids)
                if value not in allowed
            ]
    return found


def test_no_indicator_id_is_spelled_outside_the_catalogue():
    assert stray_literals(ROOT, indicator_ids()) == []


def test_the_allow_list_names_files_that_exist_and_still_need_it():
    ids = indicator_ids()
    for name, (allowed, reason) in ALLOWED.items():
        assert reason and allowed <= ids, name
        spelled = {value for _, value in literals_in((ROOT / name).read_text(), ids)}
        assert allowed <= spelled, f"{name} no longer needs {sorted(allowed - spelled)}"
    for name in EXEMPT:
        assert (ROOT / name).exists(), name


def test_the_guard_finds_a_literal_id_but_not_words_in_text(tmp_path):
    package = tmp_path / "metrics" / "report"
    package.mkdir(parents=True)
    (tmp_path / "dashboard" / "views").mkdir(parents=True)
    (package / "old.py").write_text(
        '"""Shows open_cases and first_contact_2wd in words."""\n'
        "STOCK = frozenset({'open_cases'})\n"
        "# first_contact_2wd in a comment\n"
        "LABEL = 'open_cases_total'\n"
        "def f(x):\n"
        "    return x == \"first_contact_2wd\"\n"
    )
    (tmp_path / "dashboard" / "views" / "page.py").write_text("SHOWN = ['open_cases']\n")
    ids = {"open_cases", "first_contact_2wd"}
    assert stray_literals(tmp_path, ids) == [
        "metrics/report/old.py:2 open_cases",
        "metrics/report/old.py:6 first_contact_2wd",
    ]
