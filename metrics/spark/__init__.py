"""Running the SQL models on Apache Spark (``pip install hubvalue[spark]``).

* ``translate``: a DuckDB model to Spark SQL, the one place where the two dialects'
  differences are handled (docs/scaling.md lists them).
* ``session``: a Spark session set up for this project's data (local mode, or a cluster
  through ``spark.master``).
* ``runner``: every model over the lake's areas, in dependency order, marts out.
"""
