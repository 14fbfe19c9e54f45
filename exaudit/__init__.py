"""exaudit: audits firewall rulesets against the ports Microsoft Exchange needs."""

__version__ = "0.1.0"
