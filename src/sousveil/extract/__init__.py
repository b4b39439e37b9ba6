"""Extract: the facts of a notice (type, parties, amounts, dates, region, items) with their spans."""
