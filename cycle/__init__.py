"""The evaluation cycle's business logic: stages, decisions and status, on a Session.

Everything here takes the simulated or real `today` as an argument and writes in
the caller's transaction; Prefect tasks and flows in `tasks/` and `flows/` wrap it.
"""
