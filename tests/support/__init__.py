"""Generators, mutators and oracles the tests use: they are not tests themselves."""
