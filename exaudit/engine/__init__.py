"""Evaluation: packet sets through stages of first-match chains, rule indexes, shadowing."""
