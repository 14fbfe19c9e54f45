"""Name tables of iptables: protocols, services, ICMP types, states, tables and targets."""

from __future__ import annotations

from exaudit.core.protocols import ETC_PROTOCOLS

# --- protocols ---------------------------------------------------------------------------
# /etc/protocols (netbase) plus the names iptables knows without it (xtables_chain_protos).
# iptables lower-cases the argument of -p before looking it up.
PROTOCOLS: dict[str, int] = {
    **ETC_PROTOCOLS,
    "all": 0,
    "icmpv6": 58,
    "ipv6-mh": 135,
    "mh": 135,
    "ethernet": 143,
}

# The match module iptables loads on demand after ``-p PROTO`` (an option it does not
# know otherwise, such as ``--dport``, makes it try the protocol's own module).
PROTO_MODULE: dict[int, str] = {
    6: "tcp",
    17: "udp",
    1: "icmp",
    58: "icmp6",
    132: "sctp",
    33: "dccp",
    50: "esp",
    51: "ah",
    108: "ipcomp",
    135: "mh",
}

# Match modules whose kernel side insists on one protocol, given with -p and not negated.
MODULE_PROTOS: dict[str, frozenset[int]] = {
    "tcp": frozenset({6}),
    "udp": frozenset({17}),
    "icmp": frozenset({1}),
    "icmp6": frozenset({58}),
    "sctp": frozenset({132}),
    "dccp": frozenset({33}),
    "multiport": frozenset({6, 17, 132, 33, 136}),
    "tcpmss": frozenset({6}),
    "esp": frozenset({50}),
    "ipcomp": frozenset({108}),
    "mh": frozenset({135}),
}
V4_ONLY_MODULES = frozenset({"icmp", "ttl", "realm", "ah4", "ecn4"})

# --- services ------------------------------------------------------------------------------
# Port names resolved through /etc/services by iptables; this is the IANA core every
# distribution ships. A name missing here is reported, never guessed.
SERVICES: dict[str, int] = {
    "tcpmux": 1,
    "echo": 7,
    "discard": 9,
    "systat": 11,
    "daytime": 13,
    "netstat": 15,
    "qotd": 17,
    "chargen": 19,
    "ftp-data": 20,
    "ftp": 21,
    "ssh": 22,
    "telnet": 23,
    "smtp": 25,
    "time": 37,
    "whois": 43,
    "tacacs": 49,
    "domain": 53,
    "gopher": 70,
    "bootps": 67,
    "bootpc": 68,
    "tftp": 69,
    "finger": 79,
    "http": 80,
    "www": 80,
    "kerberos": 88,
    "iso-tsap": 102,
    "pop2": 109,
    "pop3": 110,
    "sunrpc": 111,
    "auth": 113,
    "ident": 113,
    "sftp": 115,
    "nntp": 119,
    "ntp": 123,
    "epmap": 135,
    "loc-srv": 135,
    "netbios-ns": 137,
    "netbios-dgm": 138,
    "netbios-ssn": 139,
    "imap": 143,
    "imap2": 143,
    "snmp": 161,
    "snmp-trap": 162,
    "xdmcp": 177,
    "bgp": 179,
    "irc": 194,
    "ldap": 389,
    "https": 443,
    "microsoft-ds": 445,
    "kpasswd": 464,
    "submissions": 465,
    "ssmtp": 465,
    "smtps": 465,
    "urd": 465,
    "isakmp": 500,
    "exec": 512,
    "biff": 512,
    "login": 513,
    "who": 513,
    "shell": 514,
    "syslog": 514,
    "printer": 515,
    "talk": 517,
    "ntalk": 518,
    "route": 520,
    "uucp": 540,
    "submission": 587,
    "ipp": 631,
    "ldaps": 636,
    "rsync": 873,
    "ftps-data": 989,
    "ftps": 990,
    "telnets": 992,
    "imaps": 993,
    "pop3s": 995,
    "socks": 1080,
    "openvpn": 1194,
    "ms-sql-s": 1433,
    "ms-sql-m": 1434,
    "l2f": 1701,
    "l2tp": 1701,
    "pptp": 1723,
    "radius": 1812,
    "radius-acct": 1813,
    "nfs": 2049,
    "mysql": 3306,
    "ms-wbt-server": 3389,
    "svn": 3690,
    "sip": 5060,
    "sip-tls": 5061,
    "xmpp-client": 5222,
    "xmpp-server": 5269,
    "postgresql": 5432,
    "x11": 6000,
    "http-alt": 8080,
    "webcache": 8080,
    "mdns": 5353,
    "ipsec-nat-t": 4500,
}

# --- ICMP ------------------------------------------------------------------------------------
# name -> (type, lowest code, highest code); type 255 is iptables' "any".
ICMP_TYPES: tuple[tuple[str, int, int, int], ...] = (
    ("any", 255, 0, 255),
    ("echo-reply", 0, 0, 255),
    ("pong", 0, 0, 255),
    ("destination-unreachable", 3, 0, 255),
    ("network-unreachable", 3, 0, 0),
    ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2),
    ("port-unreachable", 3, 3, 3),
    ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5),
    ("network-unknown", 3, 6, 6),
    ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9),
    ("host-prohibited", 3, 10, 10),
    ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12),
    ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14),
    ("precedence-cutoff", 3, 15, 15),
    ("source-quench", 4, 0, 255),
    ("redirect", 5, 0, 255),
    ("network-redirect", 5, 0, 0),
    ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2),
    ("TOS-host-redirect", 5, 3, 3),
    ("echo-request", 8, 0, 255),
    ("ping", 8, 0, 255),
    ("router-advertisement", 9, 0, 255),
    ("router-solicitation", 10, 0, 255),
    ("time-exceeded", 11, 0, 255),
    ("ttl-exceeded", 11, 0, 255),
    ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1),
    ("parameter-problem", 12, 0, 255),
    ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1),
    ("timestamp-request", 13, 0, 255),
    ("timestamp-reply", 14, 0, 255),
    ("address-mask-request", 17, 0, 255),
    ("address-mask-reply", 18, 0, 255),
)
ICMPV6_TYPES: tuple[tuple[str, int, int, int], ...] = (
    ("destination-unreachable", 1, 0, 255),
    ("no-route", 1, 0, 0),
    ("communication-prohibited", 1, 1, 1),
    ("beyond-scope", 1, 2, 2),
    ("address-unreachable", 1, 3, 3),
    ("port-unreachable", 1, 4, 4),
    ("failed-policy", 1, 5, 5),
    ("reject-route", 1, 6, 6),
    ("packet-too-big", 2, 0, 255),
    ("time-exceeded", 3, 0, 255),
    ("ttl-exceeded", 3, 0, 255),
    ("ttl-zero-during-transit", 3, 0, 0),
    ("ttl-zero-during-reassembly", 3, 1, 1),
    ("parameter-problem", 4, 0, 255),
    ("bad-header", 4, 0, 0),
    ("unknown-header-type", 4, 1, 1),
    ("unknown-option", 4, 2, 2),
    ("echo-request", 128, 0, 255),
    ("ping", 128, 0, 255),
    ("echo-reply", 129, 0, 255),
    ("pong", 129, 0, 255),
    ("mld-listener-query", 130, 0, 255),
    ("mld-listener-report", 131, 0, 255),
    ("mld-listener-done", 132, 0, 255),
    ("mld-listener-reduction", 132, 0, 255),
    ("router-solicitation", 133, 0, 255),
    ("router-advertisement", 134, 0, 255),
    ("neighbour-solicitation", 135, 0, 255),
    ("neighbor-solicitation", 135, 0, 255),
    ("neighbour-advertisement", 136, 0, 255),
    ("neighbor-advertisement", 136, 0, 255),
    ("redirect", 137, 0, 255),
)

# --- TCP flags and connection states -----------------------------------------------------
TCP_FLAG_NAMES: dict[str, int] = {
    "FIN": 1,
    "SYN": 2,
    "RST": 4,
    "PSH": 8,
    "ACK": 16,
    "URG": 32,
    "ALL": 63,
    "NONE": 0,
}
# ECE and CWR are not iptables flag names; ``ALL`` is the six classic flags only.

# State names in the order iptables tries them (it accepts unambiguous-first prefixes).
STATE_NAMES = ("INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED")
CTSTATE_NAMES = STATE_NAMES + ("SNAT", "DNAT")

# --- tables and chains -------------------------------------------------------------------
BUILTIN_CHAINS: dict[str, tuple[str, ...]] = {
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
    "mangle": ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
    "raw": ("PREROUTING", "OUTPUT"),
    "security": ("INPUT", "FORWARD", "OUTPUT"),
}
INCOMING_CHAINS = frozenset({"INPUT", "PREROUTING"})  # -o is refused there
OUTGOING_CHAINS = frozenset({"OUTPUT", "POSTROUTING"})  # -i is refused there
POLICIES = frozenset({"ACCEPT", "DROP"})
MAX_CHAIN_NAME = 28
MAX_IFNAME = 15

# --- targets ---------------------------------------------------------------------------------
# What each target does to the filter verdict. "continue": non-terminating (logs, marks,
# counts); "accept"/"drop"/"reject": terminal; "unknown": ends evaluation in a way exaudit
# cannot know (user space decides, or a random or stateful choice); "nat": only valid in the
# nat table. Tables: where the target may be used (None: any).
TARGETS: dict[str, tuple[str, frozenset[str] | None]] = {}


def _targets(kind: str, names: str, tables: str | None = None) -> None:
    allowed = frozenset(tables.split()) if tables else None
    for name in names.split():
        TARGETS[name] = (kind, allowed)


_targets(
    "continue",
    "LOG NFLOG ULOG MARK CONNMARK CLASSIFY TCPMSS AUDIT TRACE SET "
    "IDLETIMER LED RATEEST NFACCT HMARK CONNSECMARK SECMARK ACCOUNT IPMARK LOGMARK "
    "TEE CONNLABEL DHCPMAC SYSRQ",
)
_targets("continue", "TOS DSCP TTL HL ECN CHECKSUM TCPOPTSTRIP DNPT SNPT", "mangle")
_targets("continue", "CT NOTRACK", "raw")
# the kernel refuses REJECT in any other table (ipt_REJECT: .table = "filter"; a load
# of mangle, raw or security with it fails, though iptables-restore --test passes it)
_targets("reject", "REJECT", "filter")
_targets("drop", "TARPIT DELUDE")
_targets("unknown", "QUEUE NFQUEUE SYNPROXY CLUSTERIP CHAOS ECHO STEAL DNETMAP MIRROR")
_targets("unknown", "TPROXY", "mangle")
_targets("nat", "SNAT DNAT MASQUERADE REDIRECT NETMAP SAME", "nat")
STANDARD_TARGETS = {"ACCEPT": "accept", "DROP": "drop", "RETURN": "return", "QUEUE": "unknown"}

# Every match module of iptables 1.8 and xtables-addons; a name outside this set makes
# iptables fail ("Couldn't load match").
MATCH_MODULES = frozenset(
    [
        "addrtype",
        "ah",
        "bpf",
        "cgroup",
        "cluster",
        "comment",
        "connbytes",
        "connlabel",
        "connlimit",
        "connmark",
        "conntrack",
        "cpu",
        "dccp",
        "devgroup",
        "dscp",
        "dst",
        "ecn",
        "esp",
        "eui64",
        "frag",
        "hashlimit",
        "hbh",
        "helper",
        "hl",
        "icmp",
        "icmp6",
        "icmpv6",
        "ipcomp",
        "iprange",
        "ipv4options",
        "ipv6header",
        "ipvs",
        "length",
        "limit",
        "mac",
        "mark",
        "mh",
        "multiport",
        "nfacct",
        "osf",
        "owner",
        "physdev",
        "pkttype",
        "policy",
        "quota",
        "rateest",
        "realm",
        "recent",
        "rpfilter",
        "rt",
        "sctp",
        "set",
        "socket",
        "srh",
        "state",
        "statistic",
        "string",
        "tcp",
        "tcpmss",
        "time",
        "tos",
        "ttl",
        "u32",
        "udp",
        "condition",
        "dhcpmac",
        "fuzzy",
        "geoip",
        "gradm",
        "iface",
        "ipp2p",
        "length2",
        "lscan",
        "pknock",
        "psd",
        "quota2",
        "account",
    ]
)
MODULE_ALIASES = {"icmpv6": "icmp6", "ipv6-icmp": "icmp6"}

# REJECT --reject-with values per family; tcp-reset needs -p tcp.
REJECT_WITH: dict[int, frozenset[str]] = {
    4: frozenset(
        {
            "icmp-net-unreachable",
            "icmp-host-unreachable",
            "icmp-port-unreachable",
            "icmp-proto-unreachable",
            "icmp-net-prohibited",
            "icmp-host-prohibited",
            "icmp-admin-prohibited",
            "tcp-reset",
            "net-unreach",
            "host-unreach",
            "port-unreach",
            "proto-unreach",
            "net-prohib",
            "host-prohib",
            "admin-prohib",
            "tcp-rst",
            "echo-reply",
        }
    ),
    6: frozenset(
        {
            "icmp6-no-route",
            "no-route",
            "icmp6-adm-prohibited",
            "adm-prohibited",
            "icmp6-addr-unreachable",
            "addr-unreach",
            "icmp6-port-unreachable",
            "port-unreach",
            "icmp6-policy-fail",
            "policy-fail",
            "icmp6-reject-route",
            "reject-route",
            "tcp-reset",
            "tcp-rst",
        }
    ),
}
