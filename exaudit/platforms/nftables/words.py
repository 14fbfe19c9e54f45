"""The words of an nftables rule: operators, verdicts, statements and what each does."""

from __future__ import annotations

OPS = {"==", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le", "ge"}
NEGATE = {"!=", "ne"}
VERDICTS = {"accept", "drop", "continue", "return", "jump", "goto", "reject"}
# statements that change nothing exaudit models (their options are skipped with them)
QUIET = {"counter", "log", "comment"}
LOG_OPTIONS = {"prefix", "level", "group", "snaplen", "queue-threshold", "flags"}
LOG_FLAG_WORDS = {",", "tcp", "ip", "sequence", "options", "skuid", "ether", "all"}
# statements that end evaluation in a way exaudit does not model
OPAQUE = {
    "queue": "queue hands the packet to a program in user space",
    "notrack": "notrack makes later ct state matches see untracked packets",
    "dnat": "NAT statements rewrite the packet",
    "snat": "NAT statements rewrite the packet",
    "masquerade": "NAT statements rewrite the packet",
    "redirect": "NAT statements rewrite the packet",
    "tproxy": "tproxy diverts the packet",
    "dup": "dup copies the packet",
    "fwd": "fwd sends the packet elsewhere",
    "synproxy": "synproxy answers the handshake itself",
    "__unreadable__": "a JSON expression exaudit cannot read",
}
UNREADABLE = "__unreadable__"
# ``X set VALUE`` statements that change nothing a later match of exaudit's reads
HARMLESS_SET = {
    "meta mark",
    "ct mark",
    "meta priority",
    "ip dscp",
    "ip6 dscp",
    "ip ttl",
    "ip6 hoplimit",
    "meta secmark",
    "ct secmark",
    "ct helper",
    "meta nftrace",
    "ct label",
}
