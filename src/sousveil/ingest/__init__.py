"""Ingest: read files, archives and WARCs into `Source` records, and turn each into plain text."""
