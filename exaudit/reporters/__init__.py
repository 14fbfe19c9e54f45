"""Reporters: one report model rendered as text for a person or JSON for a script."""
