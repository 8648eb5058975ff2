"""Submission intake: packages, hostile archives, workbooks, tables and readings."""
