"""Store: the SQLite database, its full-text index and the queries the CLI and exports use."""
