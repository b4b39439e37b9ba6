"""Who is who: company names normalized and resolved to the vendor registry (data/vendors.yaml),
organizations deduplicated across notices, notices linked into procurement processes."""
