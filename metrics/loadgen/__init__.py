"""A load generator that speaks Streamlit's own WebSocket protocol.

Many people using the dashboard at once are measured on the server, not in browsers:
each simulated person is one WebSocket session on ``/_stcore/stream`` that sends the
same ``BackMsg.rerun_script`` requests a browser sends (open the dashboard by its
address, move between pages by the navigation's page hash, now and then change a
filter the sidebar binds to the address) and reads the ``ForwardMsg`` replies until
the script has finished. A person reads each page for a while before the next.

Modules, one job each:

- ``protocol``: one session: connect, request a page run, read it to the end;
- ``people``: the pace of one person and the run of many at once;
- ``server``: start ``hubvalue serve`` on loopback, its memory and CPU seconds;
- ``browser``: one real Chromium session alongside, to check what it draws;
- ``measure``: one run: the warm-up, the people (and Chromium), the server's cost and
  the machine's load around it;
- ``report``: percentiles and the summary printed and written as JSON;
- ``cli``: ``hubvalue loadgen`` and ``python -m metrics.loadgen``.
"""
