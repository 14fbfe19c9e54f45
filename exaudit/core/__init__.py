"""The bottom layer: exact sets, addresses, interfaces, the rule model, findings, errors."""
