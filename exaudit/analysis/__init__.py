"""The audit's evaluation: every firewall parsed, every required-flow crossing answered."""
