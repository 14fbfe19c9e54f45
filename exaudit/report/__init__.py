"""The report model: typed audit, lint, requirements and diff reports, built once."""
