"""Builders of malformed and hostile packages, one per kind intake must reject."""
