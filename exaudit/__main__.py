"""``python -m exaudit``."""

from exaudit.cli import run

run()
