"""The sample season: a seeded generator of enterprise packages and bureau records.

`python -m samples.generate` writes the 2025-2026 season that the demo and the
end-to-end tests run; `samples/README.md` describes the layout and `scenario.yaml`.
"""
