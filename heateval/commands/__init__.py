"""Command groups of the `heateval` CLI; each module exposes `register(app)`."""
