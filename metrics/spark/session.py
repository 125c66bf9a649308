"""A Spark session set up for this project's data.

Local mode (``local[N]``) by default; a cluster by giving its ``spark.master`` (and any
other setting) as ``--conf KEY=VALUE``. The defaults suit marts of a few thousand to a few
million rows: few shuffle partitions, no web UI, UTC session time, and Spark's non-ANSI
arithmetic so that a division by zero is NULL, as in DuckDB.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DEFAULTS = {
    "spark.master": "local[2]",
    "spark.app.name": "hubvalue",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    # Small data: compiling each stage's code costs more than running it interpreted,
    # and the JIT's quick tier warms up sooner.
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
    # The models' plans are deep (CTEs read twice are inlined twice): inferring filters
    # from every operator's constraints was most of the planning time (one area of 1,500
    # referrals: 232 s with it, 115 s without; docs/scaling.md). It saves a filter at
    # most, which a few million rows do not need.
    "spark.sql.constraintPropagation.enabled": "false",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.driver.memory": "2g",
}


JAVA_MISSING = "no Java runtime for Spark: install Java 17 (Debian: openjdk-17-jre-headless)"


class SparkUnavailable(RuntimeError):
    """pyspark or Java is missing (the message says which and how to install it)."""


def check_available() -> None:
    """Raise SparkUnavailable naming what is missing: pyspark, or a Java runtime."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailable(
            "pyspark is not installed: pip install 'hubvalue[spark]'"
        ) from None
    if not java_available():
        raise SparkUnavailable(JAVA_MISSING)


def java_available() -> bool:
    """A ``java`` on the PATH, or under JAVA_HOME (where pyspark looks first)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return True
    return shutil.which("java") is not None


def start(conf: dict[str, str] | None = None):
    """A Spark session with the defaults above, overridden by ``conf``."""
    check_available()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in {**DEFAULTS, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
