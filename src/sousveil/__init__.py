"""sousveil: an evidence engine for public records of state surveillance procurement."""

__version__ = "0.1.0"
