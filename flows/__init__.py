"""The stage flows, the daily cycle flow that composes them, and the decision flows."""
