"""heateval: the yearly evaluation of Chifeng's central-heating enterprises."""

import os

# Prefect's server sends usage telemetry to Prefect's own host unless this is
# switched off, and heateval runs on closed networks and sends nothing anywhere.
# This writes a third-party library's variable before Prefect is imported, in
# every process that imports heateval (and the servers those processes start).
# Only heateval/settings.py reads the environment.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
