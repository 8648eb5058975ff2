"""The rulebook and the pure scoring engine: values in, values out, no I/O."""
