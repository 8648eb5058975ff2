"""Evidence checks: a GX suite per submission table, cross-table reconciliation and
the runner that turns both into a defect list per enterprise.

`expectations.runner.run_checks` is the entry point. Importing this package is cheap;
Great Expectations is imported on the first run.
"""
