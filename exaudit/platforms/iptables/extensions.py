"""The option grammar of iptables match and target extensions, as data, with its checker.

Each extension lists its options the way libxtables declares them: a value type, whether
``!`` may precede it, may repeat or must be given, plus rule-level constraints (at least one
of, exactly one of, not together, needs a protocol, allowed built-in chains). The parser
uses it to know which tokens belong to an option and to reject what iptables rejects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exaudit.platforms.iptables.checkers import _TYPES, _enum, _float, _list, _str, _uint


@dataclass(frozen=True)
class Option:
    name: str
    check: object  # None for a flag, else a value checker
    invert: bool = False
    multi: bool = False
    mandatory: bool = False
    args: int = 1  # values the option takes (0 for a flag, 2 for --tcp-flags, --match-set)
    optional: bool = False  # the value may be absent (taken only when the next word is one)


@dataclass
class Extension:
    name: str
    options: dict[str, Option]
    need: list[tuple[str, ...]] = field(default_factory=list)  # at least one of each group
    one: list[tuple[str, ...]] = field(default_factory=list)  # exactly one of each group
    excl: list[tuple[str, ...]] = field(default_factory=list)  # at most one of each group
    also: list[tuple[str, str]] = field(default_factory=list)  # first needs second
    protos: frozenset[int] | None = None  # -p must be one of these, not negated
    chains: frozenset[str] | None = None  # built-in chains where it may be used
    tables: frozenset[str] | None = None
    lenient: bool = False  # grammar not tabled: options are consumed, not checked


_OPT = re.compile(r"^([a-z0-9-]+)(?::([a-z]+(?:8|16|32|64)?(?:rc)?)(?:\(([^)]*)\))?)?([!*+2?]*)$")


def _option(token: str) -> Option:
    m = _OPT.match(token)
    if m is None:
        raise ValueError(token)
    name, kind, arg, flags = m.groups()
    args = 0 if kind is None else (2 if "2" in flags else 1)
    if kind is None:
        check = None
    elif kind in ("enum", "ienum"):
        check = _enum(arg.split("|"), kind == "ienum")
    elif kind == "list":
        check = _list(arg.split("|"))
    elif kind == "str" and arg:
        check = _str(int(arg))
    elif kind in ("u8", "u16", "u32") and arg:
        lo, hi = arg.split("-")
        check = _uint(int(lo), int(hi))
    elif kind == "float":
        lo, hi = arg.split("-")
        check = _float(float(lo), float(hi))
    else:
        check = _TYPES[kind]
    return Option(name, check, "!" in flags, "*" in flags, "+" in flags, args, "?" in flags)


def _ext(name: str, spec: str, **kw: object) -> Extension:
    options: dict[str, Option] = {}
    rules: dict[str, list[tuple[str, ...]]] = {"need": [], "one": [], "excl": [], "also": []}
    opt_part, _, rule_part = spec.partition(" | ")
    for token in opt_part.split():
        opt = _option(token)
        options[opt.name] = opt
    for token in rule_part.split():
        kind, _, args = token.partition("(")
        names = tuple(args.rstrip(")").split(","))
        rules[kind].append(names)
    ext = Extension(
        name,
        options,
        rules["need"],
        rules["one"],
        rules["excl"],
        [(a, b) for a, b in rules["also"]],
    )
    for key, value in kw.items():
        if key in ("protos", "chains", "tables") and isinstance(value, (list, tuple, set)):
            value = frozenset(value)
        setattr(ext, key, value)
    return ext


_ADDRTYPES = (
    "UNSPEC|UNICAST|LOCAL|BROADCAST|ANYCAST|MULTICAST|BLACKHOLE|UNREACHABLE|"
    "PROHIBIT|THROW|NAT|XRESOLVE"
)
_DSCP_CLASSES = (
    "CS0|CS1|CS2|CS3|CS4|CS5|CS6|CS7|BE|EF|AF11|AF12|AF13|AF21|AF22|AF23|"
    "AF31|AF32|AF33|AF41|AF42|AF43"
)
_INGRESS = ("PREROUTING", "INPUT", "FORWARD")
_EGRESS = ("FORWARD", "OUTPUT", "POSTROUTING")

# Match extensions. Types: flag (no type), u8/u16/u32/u64[(lo-hi)], *rc ranges a[:b],
# port/portrc, str[(max)], mark, tos, level, host, hostmask, plen, mac, proto, rate,
# enum(a|b), ienum (case-insensitive), list(a|b) (comma list). Suffixes: ! invertible,
# * repeatable, + mandatory, 2 two values, ? value optional.
MATCHES: dict[str, Extension] = {
    e.name: e
    for e in (
        _ext(
            "addrtype",
            f"src-type:list({_ADDRTYPES})! dst-type:list({_ADDRTYPES})! "
            "limit-iface-in limit-iface-out | need(src-type,dst-type) "
            "excl(limit-iface-in,limit-iface-out)",
        ),
        _ext("ah", "ahspi:u32rc!", protos={51}),
        _ext("bpf", "bytecode:str object-pinned:str | one(bytecode,object-pinned)"),
        _ext("cgroup", "path:str! cgroup:u32! | one(path,cgroup)"),
        _ext(
            "cluster",
            "cluster-total-nodes:u32(1-32)+ cluster-local-node:u32(1-32)! "
            "cluster-local-nodemask:u32! cluster-hash-seed:u32+ "
            "| one(cluster-local-node,cluster-local-nodemask)",
        ),
        # iptables 1.8 cuts an over-long comment (or log prefix) instead of refusing it
        _ext("comment", "comment:str+"),
        _ext(
            "connbytes",
            "connbytes:u64rc!+ connbytes-dir:enum(original|reply|both)+ "
            "connbytes-mode:enum(packets|bytes|avgpkt)+",
        ),
        _ext("connlabel", "label:str+! set"),
        _ext(
            "connlimit",
            "connlimit-upto:u32 connlimit-above:u32 connlimit-mask:plen "
            "connlimit-saddr connlimit-daddr | one(connlimit-upto,connlimit-above) "
            "excl(connlimit-saddr,connlimit-daddr)",
        ),
        _ext("connmark", "mark:mark!+"),
        _ext(
            "conntrack",
            "ctstate:any! ctproto:proto! ctorigsrc:hostmask! ctorigdst:hostmask! "
            "ctreplsrc:hostmask! ctrepldst:hostmask! ctorigsrcport:portrc! "
            "ctorigdstport:portrc! ctreplsrcport:portrc! ctrepldstport:portrc! "
            "ctstatus:list(NONE|EXPECTED|SEEN_REPLY|ASSURED|CONFIRMED)! ctexpire:u32rc! "
            "ctdir:enum(ORIGINAL|REPLY) | need(ctstate,ctproto,ctorigsrc,ctorigdst,ctreplsrc,"
            "ctrepldst,ctorigsrcport,ctorigdstport,ctreplsrcport,ctrepldstport,ctstatus,"
            "ctexpire,ctdir)",
        ),
        _ext("cpu", "cpu:u32!+"),
        _ext(
            "dccp",
            "source-port:portrc! sport:portrc! destination-port:portrc! dport:portrc! "
            "dccp-types:list(REQUEST|RESPONSE|DATA|ACK|DATAACK|CLOSEREQ|CLOSE|RESET|SYNC|"
            "SYNCACK|INVALID)! dccp-option:u8!",
            protos={33},
        ),
        _ext("devgroup", "src-group:mark! dst-group:mark! | need(src-group,dst-group)"),
        _ext("dscp", f"dscp:u8(0-63)! dscp-class:enum({_DSCP_CLASSES})! | one(dscp,dscp-class)"),
        _ext("dst", "dst-len:u32! dst-opts:str"),
        _ext(
            "ecn",
            "ecn-tcp-cwr! ecn-tcp-ece! ecn-ip-ect:u8(0-3)! "
            "| need(ecn-tcp-cwr,ecn-tcp-ece,ecn-ip-ect)",
        ),
        _ext("esp", "espspi:u32rc!", protos={50}),
        _ext("eui64", "", chains=("PREROUTING", "INPUT", "FORWARD")),
        _ext(
            "frag",
            "fragid:u32rc! fraglen:u32! fragres fragfirst fragmore fraglast "
            "| excl(fragmore,fraglast)",
        ),
        _ext(
            "hashlimit",
            "hashlimit-upto:hrate hashlimit-above:hrate hashlimit:hrate "
            "hashlimit-burst:burst hashlimit-mode:list(srcip|srcport|dstip|dstport) "
            "hashlimit-srcmask:plen hashlimit-dstmask:plen hashlimit-name:str(15)+ "
            "hashlimit-htable-size:u32 hashlimit-htable-max:u32 hashlimit-htable-gcinterval:u32 "
            "hashlimit-htable-expire:u32 hashlimit-rate-match hashlimit-rate-interval:u32 "
            "| one(hashlimit-upto,hashlimit-above,hashlimit)",
        ),
        _ext("hbh", "hbh-len:u32! hbh-opts:str"),
        _ext("helper", "helper:str(29)!+"),
        _ext("hl", "hl-eq:u8! hl-lt:u8 hl-gt:u8 | one(hl-eq,hl-lt,hl-gt)"),
        _ext("icmp", "icmp-type:any!+", protos={1}),
        _ext("icmp6", "icmpv6-type:any!+", protos={58}),
        _ext("ipcomp", "ipcompspi:u32rc! compres", protos={108}),
        _ext("iprange", "src-range:iprange! dst-range:iprange! | need(src-range,dst-range)"),
        _ext("ipv6header", "header:str!+ soft"),
        _ext(
            "ipvs",
            "ipvs! vproto:proto! vaddr:hostmask! vport:port! "
            "vdir:enum(ORIGINAL|REPLY) vmethod:enum(GATE|IPIP|MASQ)! vportctl:port!",
        ),
        _ext("length", "length:u16rc!+"),
        _ext("limit", "limit:rate limit-burst:u32"),
        _ext("mac", "mac-source:mac!+", chains=_INGRESS),
        _ext("mark", "mark:mark!+"),
        _ext("mh", "mh-type:any!", protos={135}),
        _ext(
            "multiport",
            "source-ports:any! sports:any! destination-ports:any! dports:any! "
            "ports:any! | one(source-ports,sports,destination-ports,dports,ports)",
            protos={6, 17, 132, 33, 136},
        ),
        _ext("nfacct", "nfacct-name:str(31)+"),
        _ext("osf", "genre:str!+ ttl:u32(0-2) log:u32(0-2)", protos={6}),
        _ext(
            "owner",
            "uid-owner:idrange! gid-owner:idrange! socket-exists! suppl-groups "
            "| need(uid-owner,gid-owner,socket-exists)",
            chains=("OUTPUT", "POSTROUTING"),
        ),
        _ext(
            "physdev",
            "physdev-in:str(15)! physdev-out:str(15)! physdev-is-in! "
            "physdev-is-out! physdev-is-bridged! | need(physdev-in,physdev-out,physdev-is-in,"
            "physdev-is-out,physdev-is-bridged)",
        ),
        _ext("pkttype", "pkt-type:ienum(unicast|broadcast|multicast|host|otherhost)!+"),
        _ext(
            "policy",
            "dir:enum(in|out)+ pol:enum(none|ipsec)+ strict reqid:u32!* spi:u32!* "
            "proto:proto!* mode:enum(tunnel|transport)!* tunnel-src:hostmask!* "
            "tunnel-dst:hostmask!* next*",
        ),
        _ext("quota", "quota:u64!+"),
        _ext(
            "rateest",
            "rateest:str rateest1:str rateest2:str rateest-delta rateest-bps:any? "
            "rateest-pps:any? rateest-bps1:any? rateest-bps2:any? rateest-pps1:any? "
            "rateest-pps2:any? rateest-lt! rateest-gt! rateest-eq!",
        ),
        _ext("realm", "realm:any!+"),
        _ext(
            "recent",
            "set! rcheck! update! remove! seconds:u32 reap hitcount:u32(0-65535) "
            "rttl name:str(199) rsource rdest mask:host | one(set,rcheck,update,remove)",
        ),
        _ext(
            "rpfilter",
            "loose validmark accept-local invert",
            chains=("PREROUTING",),
            tables=("raw", "mangle"),
        ),
        _ext(
            "rt",
            "rt-type:u32! rt-segsleft:u32rc! rt-len:u32! rt-0-res rt-0-addrs:str rt-0-not-strict",
        ),
        _ext(
            "sctp",
            "source-port:portrc! sport:portrc! destination-port:portrc! dport:portrc! "
            "chunk-types:any2!",
            protos={132},
        ),
        _ext(
            "set",
            "match-set:any2!*+ return-nomatch update-counters! update-subcounters! "
            "packets-eq:u64! packets-lt:u64 packets-gt:u64 bytes-eq:u64! bytes-lt:u64 "
            "bytes-gt:u64 set:any2!*",
        ),
        _ext("socket", "transparent nowildcard restore-skmark", chains=("PREROUTING", "INPUT")),
        _ext(
            "srh",
            "srh-next-hdr:u8! srh-hdr-len-eq:u8! srh-hdr-len-gt:u8! srh-hdr-len-lt:u8! "
            "srh-segs-left-eq:u8! srh-segs-left-gt:u8! srh-segs-left-lt:u8! "
            "srh-last-entry-eq:u8! srh-last-entry-gt:u8! srh-last-entry-lt:u8! srh-tag:u16! "
            "srh-psid:any! srh-nsid:any! srh-lsid:any!",
        ),
        _ext("state", "state:any!+"),
        _ext(
            "statistic",
            "mode:enum(random|nth)+ probability:float(0-1)! every:u32(1-4294967295)! packet:u32",
        ),
        _ext(
            "string",
            "from:u16 to:u16 algo:enum(bm|kmp)+ string:str(128)! hex-string:any! "
            "icase | one(string,hex-string)",
        ),
        _ext(
            "tcp",
            "source-port:portrc! sport:portrc! destination-port:portrc! dport:portrc! "
            "syn! tcp-flags:any2! tcp-option:u8!",
            protos={6},
        ),
        _ext("tcpmss", "mss:u16rc!+", protos={6}),
        _ext(
            "time",
            "datestart:any datestop:any timestart:any timestop:any "
            "monthdays:any! weekdays:any! days:any! utc kerneltz contiguous",
        ),
        _ext("tos", "tos:tos!+"),
        _ext("ttl", "ttl-eq:u8! ttl-lt:u8 ttl-gt:u8 | one(ttl-eq,ttl-lt,ttl-gt)"),
        _ext("u32", "u32:str!+"),
        _ext(
            "udp",
            "source-port:portrc! sport:portrc! destination-port:portrc! dport:portrc!",
            protos={17},
        ),
    )
}

# xtables-addons matches: their grammar is not tabled; options are consumed leniently.
for _name in (
    "condition",
    "dhcpmac",
    "fuzzy",
    "geoip",
    "gradm",
    "iface",
    "ipp2p",
    "ipv4options",
    "length2",
    "lscan",
    "pknock",
    "psd",
    "quota2",
    "account",
):
    MATCHES[_name] = Extension(_name, {}, lenient=True)

TARGET_EXTS: dict[str, Extension] = {
    e.name: e
    for e in (
        _ext("AUDIT", "type:ienum(accept|drop|reject)+"),
        _ext("CHECKSUM", "checksum-fill+"),
        _ext("CLASSIFY", "set-class:any+", chains=_EGRESS),
        _ext(
            "CLUSTERIP",
            "new hashmode:enum(sourceip|sourceip-sourceport|"
            "sourceip-sourceport-destport) clustermac:mac total-nodes:u16 local-node:u16 "
            "hash-init:u32",
        ),
        _ext(
            "CONNMARK",
            "set-xmark:mark save-mark restore-mark and-mark:u32 or-mark:u32 "
            "xor-mark:u32 set-mark:mark nfmask:u32 ctmask:u32 mask:u32 | need(set-xmark,"
            "save-mark,restore-mark,and-mark,or-mark,xor-mark,set-mark)",
        ),
        _ext("CONNSECMARK", "save restore | one(save,restore)"),
        _ext(
            "CT",
            "notrack ctevents:str expevents:str helper:str timeout:str zone:u16 "
            "zone-orig:u16 zone-reply:u16",
        ),
        _ext("DNAT", "to-destination:natto+ random persistent"),
        _ext("DNPT", "src-pfx:prefix+ dst-pfx:prefix+"),
        _ext(
            "DSCP",
            f"set-dscp:u8(0-63) set-dscp-class:enum({_DSCP_CLASSES}) "
            "| one(set-dscp,set-dscp-class)",
        ),
        _ext(
            "ECN",
            "ecn-tcp-remove ecn-tcp-cwr:u8(0-1) ecn-tcp-ece:u8(0-1) ecn-ip-ect:u8(0-3) "
            "| need(ecn-tcp-remove,ecn-tcp-cwr,ecn-tcp-ece,ecn-ip-ect)",
        ),
        _ext("HL", "hl-set:u8 hl-dec:u8(1-255) hl-inc:u8(1-255) | one(hl-set,hl-dec,hl-inc)"),
        _ext(
            "HMARK",
            "hmark-tuple:str hmark-src-prefix:plen hmark-dst-prefix:plen "
            "hmark-sport-mask:u16 hmark-dport-mask:u16 hmark-spi-mask:u32 "
            "hmark-proto-mask:u16 hmark-rnd:u32 hmark-mod:u32(1-4294967295)+ "
            "hmark-offset:u32 | excl(hmark-spi-mask,hmark-sport-mask) "
            "excl(hmark-spi-mask,hmark-dport-mask)",
        ),
        _ext("IDLETIMER", "timeout:u32+ label:str(27)+ alarm"),
        _ext("LED", "led-trigger-id:str(27)+ led-delay:any led-always-blink"),
        _ext(
            "LOG",
            "log-level:level log-prefix:str log-tcp-sequence log-tcp-options "
            "log-ip-options log-uid log-macdecode",
        ),
        _ext(
            "MARK",
            "set-xmark:mark set-mark:mark and-mark:u32 or-mark:u32 xor-mark:u32 "
            "| one(set-xmark,set-mark,and-mark,or-mark,xor-mark)",
        ),
        _ext("MASQUERADE", "to-ports:dashports random random-fully", chains=("POSTROUTING",)),
        _ext("NETMAP", "to:any+"),
        _ext(
            "NFLOG",
            "nflog-group:u16 nflog-prefix:str nflog-range:u32 nflog-size:u32 "
            "nflog-threshold:u16(1-65535)",
        ),
        _ext(
            "NFQUEUE",
            "queue-num:u16 queue-balance:u16rc queue-bypass queue-cpu-fanout "
            "| excl(queue-num,queue-balance)",
        ),
        _ext("NOTRACK", ""),
        _ext("RATEEST", "rateest-name:str(15)+ rateest-interval:any+ rateest-ewmalog:any+"),
        _ext("REDIRECT", "to-ports:dashports random", chains=("PREROUTING", "OUTPUT")),
        _ext("REJECT", "reject-with:any", chains=("INPUT", "FORWARD", "OUTPUT")),
        _ext("SECMARK", "selctx:str(255)+"),
        _ext(
            "SET",
            "add-set:any2 del-set:any2 map-set:any2 timeout:u32 exist map-mark "
            "map-prio map-queue | need(add-set,del-set,map-set)",
        ),
        _ext("SNAT", "to-source:natto+ random random-fully persistent"),
        _ext("SNPT", "src-pfx:prefix+ dst-pfx:prefix+"),
        _ext(
            "SYNPROXY",
            "sack-perm timestamp wscale:u8(0-14) mss:u16 ecn",
            protos={6},
            chains=("INPUT", "FORWARD"),
        ),
        _ext("TARPIT", "tarpit honeypot reset", protos={6}),
        _ext(
            "TCPMSS",
            "set-mss:u16 clamp-mss-to-pmtu | one(set-mss,clamp-mss-to-pmtu)",
            protos={6},
            chains=_EGRESS,
        ),
        _ext("TCPOPTSTRIP", "strip-options:any", protos={6}),
        _ext("TEE", "gateway:host+ oif:str(15)"),
        _ext(
            "TOS",
            "set-tos:tos and-tos:u8 or-tos:u8 xor-tos:u8 | one(set-tos,and-tos,or-tos,xor-tos)",
        ),
        _ext("TPROXY", "on-port:port on-ip:host tproxy-mark:mark", chains=("PREROUTING",)),
        _ext("TRACE", ""),
        _ext(
            "TTL", "ttl-set:u8 ttl-dec:u8(1-255) ttl-inc:u8(1-255) | one(ttl-set,ttl-dec,ttl-inc)"
        ),
        _ext(
            "ULOG",
            "ulog-nlgroup:u8(1-32) ulog-prefix:str(31) ulog-cprange:u32 ulog-qthreshold:u32(1-50)",
        ),
    )
}

for _name in (
    "ACCOUNT",
    "CHAOS",
    "DELUDE",
    "DHCPMAC",
    "DNETMAP",
    "ECHO",
    "IPMARK",
    "LOGMARK",
    "SYSRQ",
    "STEAL",
    "MIRROR",
    "SAME",
    "NFACCT",
    "CONNLABEL",
):
    TARGET_EXTS.setdefault(_name, Extension(_name, {}, lenient=True))
