"""Synth: a seeded generator of synthetic notices with ground truth, for tests, benchmarks and the demo."""
