"""Why a build refused to start. Raised before anything is written: nothing was changed.

The CLI prints the message as one line (``hubvalue build: error: ...``) and exits with
``exit_code``.
"""

from __future__ import annotations


class BuildRefused(RuntimeError):
    exit_code = 2


class BuildLocked(BuildRefused):
    """Another build holds the warehouse's lock."""

    exit_code = 75  # EX_TEMPFAIL: a scheduler may try again later


class OlderSnapshot(BuildRefused):
    """The snapshot is older than the warehouse it would replace."""


class AssumptionsRefused(BuildRefused):
    """A hub's own register (``--assumptions FILE``) breaks a rule (the message names the
    file, the row and the rule)."""
