"""Cisco IOS and ASA: what they share (``common``), and one package per platform."""
