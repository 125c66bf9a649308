"""`hubvalue report`: a report for one audience and period, as HTML or PDF.

    hubvalue report --db data/warehouse.duckdb --audience public --period 2026/27-Q2 \\
        --format pdf --out reports/public-2026-27-Q2.pdf

Audiences (docs/reports.md): `manager` (the monthly meeting pack), `pcc` (the PCC
performance review) and `public` (the transparency release, quarterly or yearly only).
The public report's data tables are written as CSV files in `<out stem>.tables/` beside
the report.

The command is `metrics.report.command`. Importing this package imports nothing else, so
that the build, which reads `metrics.report.data` and `metrics.report.protected` for the
public release, never loads the renderer (`render`, its templates and jinja2); the
command's names (`main`, `write_report`, ...) are still reachable from here, loaded on
first use.
"""

from __future__ import annotations

_COMMAND_NAMES = frozenset({
    "EXIT_DISCLOSURE", "EXIT_MISSING", "EXIT_REFUSED", "ReleaseBlocked", "Written",
    "build_report", "main", "tables_dir", "write_report",
})


def __getattr__(name: str):
    if name in _COMMAND_NAMES:
        from metrics.report import command

        return getattr(command, name)
    raise AttributeError(f"module 'metrics.report' has no attribute {name!r}")
