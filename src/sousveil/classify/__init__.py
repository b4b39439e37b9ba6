"""Classify: which surveillance capabilities a notice buys, from the taxonomy in data/taxonomy.yaml."""
