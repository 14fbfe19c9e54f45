"""Ask the Linux kernel what an iptables ruleset does to hand-made packets (a test helper).

The client side (``KernelOracle``) runs this very file as a worker inside a fresh network
namespace (``unshare --net``) and talks JSON to it over stdin/stdout, so the test process
never changes namespace and the namespace dies with the worker, whatever happens. The
worker creates one tun device per interface name, routes every remote address out of the
tun the batch asks for, loads the ruleset with ``iptables-restore``, writes each packet
(an IPv4 TCP SYN or UDP datagram made here, checksums included) into its in-interface's
tun and watches where it goes:

- addressed to the namespace: an ACCEPT delivers it to a raw socket of its protocol (raw
  delivery comes after the INPUT hook), otherwise nothing does;
- addressed elsewhere: an ACCEPT makes it come out of the out-interface's tun (FORWARD);
- a REJECT sends a TCP RST or an ICMP error back, a DROP sends nothing.

Afterwards it reads the packet counters (``iptables-save -c``) so a caller can also check
*which* rule decided. Run ``python tests/support/kernel_oracle.py --selftest`` as root for a smoke
test without exaudit.
"""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
PROTO_NUMBERS = {"tcp": 6, "udp": 17}
TCP_SYN, TCP_RST = 0x02, 0x04
WORKER_TIMEOUT = 120.0
# How long the worker keeps reading after the last packet showed up. Writing to a tun
# runs the receive path before write() returns, so this is only a safety margin.
QUIET_SECONDS = 0.05
# Packets written before the worker drains its queues: well below netdev_max_backlog
# (1000) and the tun transmit queue (500), so the kernel never drops for lack of room.
CHUNK = 64

# Namespace-wide settings: forwarding on, no reverse-path filter (sources come from
# anywhere), no redirects when a packet leaves by the interface it came in on, no ICMP
# rate limit (every REJECT must answer), no IPv6 chatter on the tuns.
SYSCTLS = {
    "net/ipv4/ip_forward": "1",
    "net/ipv4/conf/all/rp_filter": "0",
    "net/ipv4/conf/default/rp_filter": "0",
    "net/ipv4/conf/all/send_redirects": "0",
    "net/ipv4/conf/default/send_redirects": "0",
    "net/ipv4/icmp_ratemask": "0",
    "net/ipv4/icmp_ratelimit": "0",
    "net/ipv6/conf/all/disable_ipv6": "1",
    "net/ipv6/conf/default/disable_ipv6": "1",
}
# Loaders that take the ruleset on stdin as they are (nft -f -) and have no save command
# the counters are read with: their batches come back without counters.
LOADERS = {"nft": ["nft", "-f", "-"]}
# Which save command reads the counters of which restore command.
SAVE_FOR = {
    "iptables-restore": "iptables-save",
    "iptables-nft-restore": "iptables-nft-save",
    "iptables-legacy-restore": "iptables-legacy-save",
}


# --- what goes in and what comes out ----------------------------------------------------


@dataclass(frozen=True)
class Packet:
    """One probe: a TCP SYN or a UDP datagram arriving on ``in_iface``.

    ``out_iface`` is None for a packet addressed to the namespace itself (INPUT);
    otherwise the batch's routes must send ``dst`` out of ``out_iface`` (FORWARD).
    """

    proto: str
    src: str
    dst: str
    sport: int
    dport: int
    in_iface: str
    out_iface: str | None = None

    @property
    def key(self) -> tuple[int, int, int, int, int]:
        """The 5-tuple; neither it nor its reverse may repeat within a batch (conntrack)."""
        return (PROTO_NUMBERS[self.proto], _ip4(self.src), _ip4(self.dst), self.sport, self.dport)

    def describe(self) -> str:
        where = f"in {self.in_iface}" + (
            f" out {self.out_iface}" if self.out_iface else " to local"
        )
        syn = " SYN" if self.proto == "tcp" else ""
        return f"{self.proto}{syn} {self.src}:{self.sport} -> {self.dst}:{self.dport} ({where})"


@dataclass(frozen=True)
class Topology:
    """The namespace: its tun devices, the local address of each, and remote routes."""

    ifaces: tuple[str, ...]
    local: dict[str, str]  # iface -> the namespace's own address on it
    routes: dict[str, str] = field(default_factory=dict)  # remote address -> out iface


@dataclass(frozen=True)
class Answer:
    """The kernel's fate for one packet: ``accept``, ``reject`` or ``drop``."""

    outcome: str
    detail: str

    @property
    def verdict(self) -> str:
        """In exaudit's words: a reject is a deny."""
        return "permit" if self.outcome == "accept" else "deny"


@dataclass
class Counters:
    """Packet counters after a batch: per rule (chain, 0-based index) and per policy."""

    rules: dict[tuple[str, int], int]
    policies: dict[str, int]


@dataclass
class BatchResult:
    answers: list[Answer]
    counters: Counters
    seconds: float


class OracleUnavailable(Exception):
    """The kernel cannot be asked here (not root, no iptables, no namespaces or tun)."""


class OracleError(Exception):
    """The worker failed on a batch (a ruleset iptables-restore refused, a crash)."""


# --- packets ----------------------------------------------------------------------------


def _ip4(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def build(packet: Packet, ident: int) -> bytes:
    """The packet as IPv4 bytes with every checksum right; ``ident`` is the IP ID."""
    proto = PROTO_NUMBERS[packet.proto]
    src, dst = socket.inet_aton(packet.src), socket.inet_aton(packet.dst)
    if proto == 6:
        seq = (ident * 2654435761) & 0xFFFFFFFF
        l4 = struct.pack(
            "!HHIIBBHHH", packet.sport, packet.dport, seq, 0, 5 << 4, TCP_SYN, 65535, 0, 0
        )
    else:
        payload = b"exaudit-oracle"
        l4 = struct.pack("!HHHH", packet.sport, packet.dport, 8 + len(payload), 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(l4))
    csum = checksum(pseudo + l4)
    if proto == 17 and csum == 0:
        csum = 0xFFFF  # zero means "no checksum" for UDP
    at = 16 if proto == 6 else 6
    l4 = l4[:at] + struct.pack("!H", csum) + l4[at + 2 :]
    header = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0, 64, proto, 0, src, dst
    )
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + l4


def parse(data: bytes) -> tuple[tuple[int, int, int, int, int], int] | None:
    """(5-tuple, TCP flags or -1) of an IPv4 TCP/UDP packet; None for anything else."""
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    ihl = (data[0] & 0x0F) * 4
    proto = data[9]
    if proto not in (6, 17) or len(data) < ihl + 4:
        return None
    src, dst = struct.unpack("!II", data[12:20])
    sport, dport = struct.unpack("!HH", data[ihl : ihl + 4])
    flags = data[ihl + 13] if proto == 6 and len(data) > ihl + 13 else -1
    return (proto, src, dst, sport, dport), flags


def parse_icmp_error(data: bytes) -> tuple[tuple[int, int, int, int, int], int, int] | None:
    """(quoted 5-tuple, type, code) of an ICMP error about a TCP/UDP packet."""
    if len(data) < 20 or data[0] >> 4 != 4 or data[9] != 1:
        return None
    ihl = (data[0] & 0x0F) * 4
    if len(data) < ihl + 8 + 24:
        return None
    icmp_type, icmp_code = data[ihl], data[ihl + 1]
    inner = parse(data[ihl + 8 :])
    if inner is None:
        return None
    return inner[0], icmp_type, icmp_code


# --- the worker (runs inside the namespace) ---------------------------------------------


def _sysctl(path: str, value: str) -> None:
    target = Path("/proc/sys") / path
    if target.exists():  # e.g. no IPv6 in this kernel
        target.write_text(value)


def _open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def _run(cmd: list[str], stdin: str | None = None) -> None:
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
    if done.returncode:
        raise OracleError(
            f"{' '.join(cmd)} failed ({done.returncode}): "
            f"{(done.stderr or done.stdout).strip()[:2000]}"
        )


COUNTER_RULE = re.compile(r"^\[(\d+):\d+\]\s+-A\s+(\S+)")
COUNTER_POLICY = re.compile(r"^:(\S+)\s+(\S+)\s+\[(\d+):\d+\]")


def read_counters(save_text: str) -> Counters:
    rules: dict[tuple[str, int], int] = {}
    policies: dict[str, int] = {}
    seen: dict[str, int] = {}
    table = None
    for line in save_text.splitlines():
        if line.startswith("*"):
            table = line[1:].strip()
            continue
        if table != "filter":
            continue
        m = COUNTER_RULE.match(line)
        if m:
            chain = m.group(2)
            index = seen.get(chain, 0)
            seen[chain] = index + 1
            rules[(chain, index)] = int(m.group(1))
            continue
        m = COUNTER_POLICY.match(line)
        if m and m.group(2) != "-":
            policies[m.group(1)] = int(m.group(3))
    return Counters(rules, policies)


def _setup(topology: Topology) -> dict[str, int]:
    for path, value in SYSCTLS.items():
        _sysctl(path, value)
    fds = {name: _open_tun(name) for name in topology.ifaces}
    commands = ["link set lo up"]
    for name in topology.ifaces:
        commands.append(f"link set {name} up")
        commands.append(f"addr add {topology.local[name]}/32 dev {name}")
    for address, name in sorted(topology.routes.items()):
        commands.append(f"route add {address}/32 dev {name}")
    _run(["ip", "-batch", "-"], "\n".join(commands) + "\n")
    for name in topology.ifaces:  # the effective value is the maximum of all and the device
        _sysctl(f"net/ipv4/conf/{name}/rp_filter", "0")
        _sysctl(f"net/ipv4/conf/{name}/send_redirects", "0")
    return fds


def _drain(fds: dict[str, int], raws: list[socket.socket], seen: dict[str, list[bytes]]) -> None:
    """Read everything until the namespace has been quiet for QUIET_SECONDS."""
    poller = select.poll()
    by_fd: dict[int, str] = {}
    for name, fd in fds.items():
        poller.register(fd, select.POLLIN)
        by_fd[fd] = name
    for raw in raws:
        poller.register(raw.fileno(), select.POLLIN)
        by_fd[raw.fileno()] = "raw"
    while True:
        events = poller.poll(QUIET_SECONDS * 1000)
        if not events:
            return
        for fd, _ in events:
            name = by_fd[fd]
            while True:
                try:
                    data = os.read(fd, 65535)
                except BlockingIOError:
                    break
                seen.setdefault(name, []).append(data)


def _judge(packets: list[Packet], seen: dict[str, list[bytes]], nat: bool = False) -> list[Answer]:
    index = {p.key: i for i, p in enumerate(packets)}
    reversed_index = {(k[0], k[2], k[1], k[4], k[3]): i for k, i in index.items()}
    delivered: set[int] = set()
    left: dict[int, set[str]] = {}
    replies: dict[int, list[str]] = {}
    for data in seen.get("raw", []):
        got = parse(data)
        if got and got[0] in index:
            delivered.add(index[got[0]])
    # a packet whose destination nat rewrote leaves with its protocol, source and source
    # port (unique in a batch) and another destination
    # (only where that triple is unique among the batch's packets: nft batches repeat them)
    triples = Counter((k[0], k[1], k[3]) for k in index)
    loose = {(k[0], k[1], k[3]): i for k, i in index.items() if triples[(k[0], k[1], k[3])] == 1}
    rewritten: dict[int, str] = {}
    for name, frames in seen.items():
        for data in frames:
            got = parse(data)
            if got and got[0] not in index and (got[0][0], got[0][1], got[0][3]) in loose:
                dst = ipaddress.IPv4Address(got[0][2])
                rewritten[loose[(got[0][0], got[0][1], got[0][3])]] = (
                    f"{'delivered' if name == 'raw' else 'left by ' + name} rewritten to "
                    f"{dst}:{got[0][4]}"
                )
    for name, frames in seen.items():
        if name == "raw":
            continue
        for data in frames:
            got = parse(data)
            if got and got[0] in index:
                left.setdefault(index[got[0]], set()).add(name)
            elif got and got[0] in reversed_index and got[1] >= 0 and got[1] & TCP_RST:
                replies.setdefault(reversed_index[got[0]], []).append("tcp-reset")
            else:
                err = parse_icmp_error(data)
                if err and err[0] in index:
                    replies.setdefault(index[err[0]], []).append(
                        f"icmp type {err[1]} code {err[2]}"
                    )
    answers = []
    for i, p in enumerate(packets):
        outs = left.get(i, set())
        back = replies.get(i, [])
        if nat and i in rewritten and not outs and i not in delivered:
            answers.append(Answer("accept", rewritten[i]))
            continue
        if p.out_iface is None:
            if i in delivered:
                answers.append(Answer("accept", "reached a raw socket (INPUT)"))
                continue
        else:
            if outs - {p.out_iface}:
                raise OracleError(f"{p.describe()} left by {sorted(outs)}: routes are wrong")
            if outs:
                answers.append(Answer("accept", f"left by {p.out_iface} (FORWARD)"))
                continue
        if back:
            answers.append(Answer("reject", "answered with " + ", ".join(back)))
        else:
            answers.append(Answer("drop", "nothing came back"))
    return answers


def run_batch(request: dict) -> dict:
    """Worker side: one namespace, one ruleset, many packets."""
    started = time.monotonic()
    topology = Topology(tuple(request["ifaces"]), dict(request["local"]), dict(request["routes"]))
    packets = [Packet(**p) for p in request["packets"]]
    keys = {p.key for p in packets} | {
        (k[0], k[2], k[1], k[4], k[3]) for k in (p.key for p in packets)
    }
    if len(keys) != 2 * len(packets):
        raise OracleError(
            "two packets of the batch belong to one connection (same "
            "5-tuple or its reverse): conntrack would not see both as NEW"
        )
    restore = request.get("restore", "iptables-restore")
    fds = _setup(topology)
    _run(LOADERS.get(restore) or [restore, "-w", "10"], request["ruleset"])
    raws = []
    for proto in sorted({PROTO_NUMBERS[p.proto] for p in packets}):
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        raw.setblocking(False)
        raws.append(raw)
    seen: dict[str, list[bytes]] = {}
    for start in range(0, len(packets), CHUNK):
        for i in range(start, min(start + CHUNK, len(packets))):
            os.write(fds[packets[i].in_iface], build(packets[i], i + 1))
        _drain(fds, raws, seen)
    # only a ruleset that rewrites destinations explains a packet leaving with another one
    nat = re.search(r"DNAT|REDIRECT|NETMAP|\bdnat\b|\bredirect\b", request["ruleset"]) is not None
    answers = _judge(packets, seen, nat)
    save = SAVE_FOR.get(os.path.basename(restore), "iptables-save")
    counters = (
        ""
        if restore in LOADERS
        else subprocess.run(
            [save, "-c", "-t", "filter"], capture_output=True, text=True, timeout=60
        ).stdout
    )
    return {
        "answers": [asdict(a) for a in answers],
        "save": counters,
        "seconds": time.monotonic() - started,
    }


def worker_main() -> int:
    try:
        reply = run_batch(json.load(sys.stdin))
    except Exception as exc:  # report everything to the client, which raises it
        reply = {"error": f"{type(exc).__name__}: {exc}"}
    json.dump(reply, sys.stdout)
    return 0


# --- the client (runs in the test process) ----------------------------------------------


class KernelOracle:
    """Runs batches in throw-away namespaces; one worker process (and namespace) each."""

    def __init__(self, restore: str = "iptables-restore") -> None:
        self.restore = restore

    @staticmethod
    def unavailable(restore: str = "iptables-restore") -> str | None:
        """Why the kernel cannot be asked here, or None when it can (checked by trying)."""
        if not sys.platform.startswith("linux"):
            return "the kernel oracle needs Linux"
        if os.geteuid() != 0:
            return "the kernel oracle needs root (network namespaces, tun, iptables)"
        save = () if restore in LOADERS else (SAVE_FOR.get(restore, "iptables-save"),)
        for tool in (restore, *save, "ip", "unshare"):
            if shutil.which(tool) is None:
                package = "nftables" if restore in LOADERS else "iptables"
                return f"{tool} is not installed (apt-get install {package} iproute2)"
        if not os.path.exists("/dev/net/tun"):
            return "/dev/net/tun is missing (no tun driver)"
        probe = PROBE_NFT_RULESET if restore in LOADERS else PROBE_RULESET
        try:  # only whether it runs: wrong answers are the self-test's to fail on
            KernelOracle(restore).run(probe, PROBE_TOPOLOGY, PROBE_PACKETS[:1])
        except (OracleError, OSError, subprocess.SubprocessError) as exc:
            return f"cannot run a probe in a private network namespace: {exc}"
        return None

    def run(self, ruleset: str, topology: Topology, packets: list[Packet]) -> BatchResult:
        request = {
            "ruleset": ruleset,
            "ifaces": list(topology.ifaces),
            "local": topology.local,
            "routes": topology.routes,
            "packets": [asdict(p) for p in packets],
            "restore": self.restore,
        }
        cmd = ["unshare", "--net", "--", sys.executable, os.path.abspath(__file__), "--worker"]
        # subprocess.run kills the worker on timeout; its namespace goes with it.
        done = subprocess.run(
            cmd, input=json.dumps(request), capture_output=True, text=True, timeout=WORKER_TIMEOUT
        )
        try:
            reply = json.loads(done.stdout)
        except ValueError:
            raise OracleError(
                f"worker failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
            ) from None
        if "error" in reply:
            raise OracleError(reply["error"])
        return BatchResult(
            [Answer(**a) for a in reply["answers"]], read_counters(reply["save"]), reply["seconds"]
        )

    def selftest(self) -> None:
        """A two-interface namespace, ACCEPTs, a DROP and REJECTs: the kernel must agree."""
        probe = PROBE_NFT_RULESET if self.restore in LOADERS else PROBE_RULESET
        got = [a.outcome for a in self.run(probe, PROBE_TOPOLOGY, PROBE_PACKETS).answers]
        if got != PROBE_OUTCOMES:
            raise OracleError(f"self-test: the kernel answered {got}, expected {PROBE_OUTCOMES}")


PROBE_TOPOLOGY = Topology(
    ("eth0", "eth1"),
    {"eth0": "10.250.0.1", "eth1": "10.250.1.1"},
    {"10.251.0.9": "eth1", "10.251.0.5": "eth0"},
)
PROBE_RULESET = (
    "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
    "-A INPUT -p tcp --dport 22 -j ACCEPT\n"
    "-A INPUT -p udp -j REJECT\n"
    "-A FORWARD -i eth0 -o eth1 -p udp --dport 53 -j ACCEPT\n"
    "-A FORWARD -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n"
)
PROBE_NFT_RULESET = (
    "table ip filter {\n"
    " chain input { type filter hook input priority 0; policy drop;\n"
    "  tcp dport 22 accept\n  meta l4proto udp reject\n }\n"
    " chain forward { type filter hook forward priority 0; policy drop;\n"
    '  iifname "eth0" oifname "eth1" udp dport 53 accept\n'
    "  meta l4proto tcp reject with tcp reset\n }\n}\n"
)
PROBE_PACKETS = [
    Packet("tcp", "10.251.0.5", "10.250.0.1", 40000, 22, "eth0"),
    Packet("tcp", "10.251.0.5", "10.250.0.1", 40000, 23, "eth0"),
    Packet("udp", "10.251.0.5", "10.250.1.1", 40000, 53, "eth0"),
    Packet("udp", "10.251.0.5", "10.251.0.9", 40000, 53, "eth0", "eth1"),
    Packet("udp", "10.251.0.5", "10.251.0.9", 40000, 54, "eth0", "eth1"),
    Packet("tcp", "10.251.0.5", "10.251.0.9", 40000, 53, "eth0", "eth1"),
]
PROBE_OUTCOMES = ["accept", "drop", "reject", "accept", "drop", "reject"]


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        sys.exit(worker_main())
    if sys.argv[1:2] == ["--selftest"]:
        loader = sys.argv[2] if len(sys.argv) > 2 else "iptables-restore"
        reason = KernelOracle.unavailable(loader)
        if reason is None:
            KernelOracle(loader).selftest()
        print(reason or "kernel oracle works")
        sys.exit(1 if reason else 0)
    print("usage: kernel_oracle.py --selftest [nft] | --worker", file=sys.stderr)
    sys.exit(2)
