"""Name tables pf resolves at load time: services, protocols, ICMP types and codes, groups.

pfctl asks the host's services and protocols databases; exaudit must not depend on the
machine it runs on, so the names real configurations use are embedded here (IANA numbers,
as in the BSD ``/etc/services``). A name missing from these tables is flagged, not guessed.
"""

from __future__ import annotations

# Service name -> port, for tcp and udp alike (IANA assigns one number to both).
SERVICES: dict[str, int] = {
    "tcpmux": 1, "compressnet": 2, "rje": 5, "echo": 7, "discard": 9, "sink": 9,
    "null": 9, "systat": 11, "users": 11, "daytime": 13, "netstat": 15, "qotd": 17,
    "quote": 17, "msp": 18, "chargen": 19, "ttytst": 19, "source": 19, "ftp-data": 20,
    "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "mail": 25, "msg-icp": 29,
    "msg-auth": 31, "time": 37, "timserver": 37, "rlp": 39, "resource": 39,
    "nameserver": 42, "name": 42, "whois": 43, "nicname": 43, "mpm-flags": 44,
    "mpm": 45, "mpm-snd": 46, "tacacs": 49, "re-mail-ck": 50, "domain": 53, "mtp": 57,
    "bootps": 67, "bootpc": 68, "tftp": 69, "gopher": 70, "finger": 79, "http": 80,
    "www": 80, "www-http": 80, "hosts2-ns": 81, "link": 87, "ttylink": 87,
    "kerberos": 88, "kerberos-sec": 88, "krb5": 88, "supdup": 95, "hostnames": 101,
    "hostname": 101, "iso-tsap": 102, "tsap": 102, "csnet-ns": 105, "cso-ns": 105,
    "rtelnet": 107, "pop2": 109, "postoffice": 109, "pop3": 110, "pop-3": 110,
    "sunrpc": 111, "rpcbind": 111, "auth": 113, "ident": 113, "tap": 113,
    "authentication": 113, "sftp": 115, "uucp-path": 117, "nntp": 119, "readnews": 119,
    "untp": 119, "usenet": 119, "ntp": 123, "epmap": 135, "loc-srv": 135,
    "netbios-ns": 137, "netbios-dgm": 138, "netbios-ssn": 139, "imap": 143,
    "imap2": 143, "snmp": 161, "snmptrap": 162, "snmp-trap": 162, "cmip-man": 163,
    "cmip-agent": 164, "xdmcp": 177, "nextstep": 178, "bgp": 179, "prospero": 191,
    "irc": 194, "smux": 199, "at-rtmp": 201, "at-nbp": 202, "at-echo": 204,
    "at-zis": 206, "qmtp": 209, "z3950": 210, "wais": 210, "ipx": 213, "imap3": 220,
    "pip": 321, "ulistserv": 372, "ldap": 389, "nnsp": 433, "https": 443,
    "microsoft-ds": 445, "kpasswd5": 464, "smtps": 465, "urd": 465,
    "submissions": 465, "photuris": 468, "isakmp": 500, "exec": 512, "biff": 512,
    "comsat": 512, "login": 513, "who": 513, "whod": 513, "shell": 514, "cmd": 514,
    "syslog": 514, "printer": 515, "spooler": 515, "talk": 517, "ntalk": 518,
    "route": 520, "router": 520, "routed": 520, "timed": 525, "timeserver": 525,
    "tempo": 526, "newdate": 526, "courier": 530, "rpc": 530, "conference": 531,
    "chat": 531, "netnews": 532, "netwall": 533, "uucp": 540, "uucpd": 540,
    "klogin": 543, "kshell": 544, "krcmd": 544, "dhcpv6-client": 546,
    "dhcpv6-server": 547, "afpovertcp": 548, "remotefs": 556, "rfs_server": 556,
    "rtsp": 554, "nntps": 563, "snntp": 563, "imap4-ssl": 585, "submission": 587,
    "ipp": 631, "ldaps": 636, "kerberos-adm": 749, "webster": 765, "rsync": 873,
    "supfilesrv": 871, "ftps-data": 989, "ftps": 990, "telnets": 992, "imaps": 993,
    "ircs": 994, "pop3s": 995, "socks": 1080, "supfiledbg": 1127, "openvpn": 1194,
    "ms-sql-s": 1433, "ms-sql-m": 1434, "ingreslock": 1524, "prospero-np": 1525,
    "radius": 1812, "radius-acct": 1813, "radacct": 1813, "l2tp": 1701, "pptp": 1723,
    "ssdp": 1900, "nfsd": 2049, "nfs": 2049, "eklogin": 2105, "cvspserver": 2401,
    "mysql": 3306, "ms-wbt-server": 3389, "svn": 3690, "sieve": 4190,
    "ipsec-nat-t": 4500, "rfe": 5002, "sip": 5060, "sip-tls": 5061,
    "xmpp-client": 5222, "xmpp-server": 5269, "mdns": 5353, "postgresql": 5432,
    "matter": 5540, "x11": 6000, "ircd": 6667, "icb": 7326, "http-alt": 8080,
    "spamd": 8025, "spamd-cfg": 8026, "privoxy": 8118, "hkp": 11371,
}

# Protocol name -> number (the protocols database names pfctl accepts and prints).
PROTOCOLS: dict[str, int] = {
    "ip": 0, "hopopt": 0, "icmp": 1, "igmp": 2, "ggp": 3, "ipencap": 4, "ipv4": 4,
    "st": 5, "tcp": 6, "egp": 8, "igp": 9, "pup": 12, "udp": 17, "hmp": 20,
    "xns-idp": 22, "rdp": 27, "iso-tp4": 29, "dccp": 33, "xtp": 36, "ddp": 37,
    "idpr-cmtp": 38, "ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "idrp": 45,
    "rsvp": 46, "gre": 47, "esp": 50, "ah": 51, "skip": 57, "ipv6-icmp": 58,
    "icmp6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "rspf": 73, "vmtp": 81,
    "eigrp": 88, "ospf": 89, "ospfigp": 89, "ax.25": 93, "ipip": 94, "etherip": 97,
    "encap": 98, "pim": 103, "ipcomp": 108, "vrrp": 112, "carp": 112, "l2tp": 115,
    "isis": 124, "sctp": 132, "fc": 133, "mobility-header": 135, "udplite": 136,
    "mpls-in-ip": 137, "manet": 138, "hip": 139, "shim6": 140, "wesp": 141,
    "rohc": 142, "pfsync": 240,
}

TCP, UDP, ICMP, ICMP6, SCTP = 6, 17, 1, 58, 132
# Protocols whose rules may name ports (pfctl: "port only applies to tcp/udp/sctp").
PORT_PROTOCOLS = frozenset({TCP, UDP, SCTP})

# pfctl_parser.c: icmp_type[] and icmp6_type[].
ICMP_TYPES: dict[str, int] = {
    "echorep": 0, "unreach": 3, "squench": 4, "redir": 5, "althost": 6, "echoreq": 8,
    "routeradv": 9, "routersol": 10, "timex": 11, "paramprob": 12, "timereq": 13,
    "timerep": 14, "inforeq": 15, "inforep": 16, "maskreq": 17, "maskrep": 18,
    "trace": 30, "dataconv": 31, "mobredir": 32, "ipv6-where": 33, "ipv6-here": 34,
    "mobregreq": 35, "mobregrep": 36, "skip": 39, "photuris": 40,
}
ICMP6_TYPES: dict[str, int] = {
    "unreach": 1, "toobig": 2, "timex": 3, "paramprob": 4, "echoreq": 128,
    "echorep": 129, "groupqry": 130, "listqry": 130, "grouprep": 131, "listenrep": 131,
    "groupterm": 132, "listendone": 132, "routersol": 133, "routeradv": 134,
    "neighbrsol": 135, "neighbradv": 136, "redir": 137, "routrrenum": 138,
    "wrureq": 139, "fqdnreq": 139, "niqry": 139, "wrurep": 140, "fqdnrep": 140,
    "nirep": 140, "listenrepv2": 143, "mtraceresp": 200, "mtrace": 201,
}
# (type, code name) -> code; pfctl_parser.c: icmp_code[] and icmp6_code[].
ICMP_CODES: dict[tuple[int, str], int] = {
    (3, "net-unr"): 0, (3, "host-unr"): 1, (3, "proto-unr"): 2, (3, "port-unr"): 3,
    (3, "needfrag"): 4, (3, "srcfail"): 5, (3, "net-unk"): 6, (3, "host-unk"): 7,
    (3, "isolate"): 8, (3, "net-prohib"): 9, (3, "host-prohib"): 10, (3, "net-tos"): 11,
    (3, "host-tos"): 12, (3, "filter-prohib"): 13, (3, "host-preced"): 14,
    (3, "cutoff-preced"): 15, (5, "redir-net"): 0, (5, "redir-host"): 1,
    (5, "redir-tos-net"): 2, (5, "redir-tos-host"): 3, (9, "normal-adv"): 0,
    (9, "common-adv"): 16, (11, "transit"): 0, (11, "reassemb"): 1, (12, "badhead"): 0,
    (12, "optmiss"): 1, (12, "badlen"): 2, (40, "unknown-ind"): 1, (40, "auth-fail"): 2,
    (40, "decrypt-fail"): 3,
}
ICMP6_CODES: dict[tuple[int, str], int] = {
    (1, "noroute-unr"): 0, (1, "admin-unr"): 1, (1, "beyond-unr"): 2, (1, "addr-unr"): 3,
    (1, "port-unr"): 4, (3, "transit"): 0, (3, "reassemb"): 1, (4, "badhead"): 0,
    (4, "nxthdr"): 1, (137, "redironlink"): 0, (137, "redirrouter"): 1,
}

TCP_FLAG_LETTERS = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32, "E": 64, "W": 128}

# Interface groups whose members follow from their name: every interface a driver (or a
# cloner) creates is a member of the group named after it (``lo`` holds lo0, lo1...).
# Any other name without a unit number (``egress``, a site's own group) has members
# exaudit cannot know.
DRIVER_GROUPS = frozenset({
    "lo", "enc", "pflog", "pfsync", "tun", "tap", "gif", "gre", "vlan", "svlan", "carp",
    "bridge", "veb", "vport", "tpmr", "wg", "em", "igc", "igb", "ix", "ixl", "ice",
    "re", "rl", "bge", "bnx", "vio", "vmx", "vtnet", "fxp", "xl", "dc", "sk", "msk",
    "age", "ale", "alc", "bce", "mcx", "iwm", "iwn", "iwx", "athn", "ral", "run", "urtw",
    "ure", "axe", "axen", "aue", "cdce", "pppoe", "ppp", "lagg", "trunk", "aggr",
    "epair", "wlan", "ath", "ue", "cxgbe", "cxl", "mlxen", "vether", "mpe", "mpw",
    "etherip", "egre", "nvgre", "vxlan", "pair", "stf", "utun", "en", "hn", "ena",
    "xn", "qlnxe", "bxe", "oce", "sfxge", "ixv", "iavf", "gem", "hme", "nfe", "jme",
    "sis", "ste", "vr", "wb", "lge", "nge", "ti", "txp", "tl", "de", "ed", "ep", "ne",
})

# Loopback addresses are set by the operating system, not by the site: lo0 carries
# 127.0.0.1/8, ::1/128 and fe80::1/64 on OpenBSD and FreeBSD alike, so pfctl's expansion of
# ``lo0`` as an address is known without asking the host.
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1", "fe80::1")
LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")
