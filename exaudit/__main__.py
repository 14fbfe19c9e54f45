"""``python -m exaudit``."""

from exaudit.cli import main

raise SystemExit(main())
