"""exaudit: audits firewall rulesets against the ports Microsoft Exchange needs."""

__version__ = "0.2.0"
# where the project lives; the reports link to its documentation (set when published)
HOMEPAGE = "https://github.com/OWNER/exaudit"
CHECKS_DOCS = f"{HOMEPAGE}/blob/main/docs/checks.md"
