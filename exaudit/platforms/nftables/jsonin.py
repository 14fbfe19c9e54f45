"""``nft -j list ruleset`` (the libnftables JSON schema) read into the same tables as text.

Each rule's expressions are written back as nft rule text and read by the same rule
compiler, so both forms of one ruleset give the same model. JSON has no comments and
often no line breaks: a rule's origin is the line its object starts on, with the rule as
nft would print it (and its handle).
"""

from __future__ import annotations

import json
import re
from typing import Any

from exaudit.core.errors import InputError
from exaudit.core.model import Origin
from exaudit.platforms.nftables.lexer import tokenize
from exaudit.platforms.nftables.model import ChainDef, RuleText, SetDef, TableDef
from exaudit.platforms.nftables.rules import UNREADABLE
from exaudit.platforms.nftables.script import Context, elements

_PLAIN = re.compile(r"^[A-Za-z0-9_.:/@$-]+$")
_VERDICTS = ("accept", "drop", "return", "continue")
_QUOTED_KEYS = {"iifname", "oifname", "iif", "oif"}


class _Unreadable(Exception):
    """A JSON expression exaudit cannot write as nft text."""


def _value(v: Any, quote: bool = False) -> str:
    if isinstance(v, bool):
        raise _Unreadable(str(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return f'"{v}"' if quote or not _PLAIN.match(v) else v
    if isinstance(v, list):
        return ",".join(_value(x, quote) for x in v)
    if isinstance(v, dict) and len(v) == 1:
        key, body = next(iter(v.items()))
        if key == "set":
            items = body if isinstance(body, list) else [body]
            return "{ " + ", ".join(_element(x, quote) for x in items) + " }"
        if key == "prefix":
            return f"{body['addr']}/{body['len']}"
        if key == "range":
            return f"{_value(body[0])}-{_value(body[1])}"
        if key == "concat":
            return " . ".join(_value(x, quote) for x in body)
        if key in ("|", "&"):
            return "(" + "|".join(_value(x) for x in body) + ")"
    return _expr(v)


def _element(v: Any, quote: bool) -> str:
    if isinstance(v, list) and len(v) == 2 and isinstance(v[1], dict):
        return f"{_value(v[0], quote)} : {_statement(v[1])}"  # a map element
    if isinstance(v, dict) and "elem" in v:
        return _value(v["elem"]["val"], quote)
    return _value(v, quote)


def _expr(e: Any) -> str:
    """A left-hand expression: payload, meta, ct, concatenation, bitwise and."""
    if not isinstance(e, dict) or len(e) != 1:
        raise _Unreadable(json.dumps(e)[:80])
    key, body = next(iter(e.items()))
    if key == "payload":
        return f"{body['protocol']} {body['field']}"
    if key == "meta":
        return f"meta {body['key']}"
    if key == "ct":
        return f"ct {body['key']}"
    if key == "concat":
        return " . ".join(_expr(x) for x in body)
    if key == "&":
        return f"{_expr(body[0])} & {_value(body[1])}"
    raise _Unreadable(key)


def _quoted(left: Any) -> bool:
    return isinstance(left, dict) and left.get("meta", {}).get("key") in _QUOTED_KEYS


def _statement(s: Any) -> str:
    if not isinstance(s, dict) or len(s) != 1:
        raise _Unreadable(json.dumps(s)[:80])
    key, body = next(iter(s.items()))
    if key == "match" and _raw_ports(body) is not None:
        return str(_raw_ports(body))
    if key == "match":
        op = {"in": "", "==": "=="}.get(body["op"], body["op"])
        left = _expr(body["left"])
        right = _value(body["right"], _quoted(body["left"]))
        return f"{left} {op} {right}".replace("  ", " ")
    if key in _VERDICTS:
        return key
    if key in ("jump", "goto"):
        return f"{key} {body['target']}"
    if key == "reject":
        if not body:
            return "reject"
        kind = body.get("type", "")
        how = body.get("expr")
        if kind == "tcp reset":
            return "reject with tcp reset"
        return f"reject with {kind} {how}" if how else f"reject with {kind}"
    if key in ("counter", "log"):
        return key
    if key == "limit":
        return f"limit rate {body.get('rate', '?')}/{body.get('per', 'second')}"
    if key == "vmap":
        return f"{_expr(body['key'])} vmap {_value(body['data'], _quoted(body['key']))}"
    if key == "mangle":
        return f"{_expr(body['key'])} set {_value(body['value'])}"
    if key in ("queue", "notrack", "dnat", "snat", "masquerade", "redirect", "tproxy", "dup"):
        return key
    raise _Unreadable(key)


# raw transport-header loads nft makes of adjacent port matches (``th sport X th dport Y``
# becomes one 32-bit compare at offset 0), by (offset, length) in bits
_RAW_TH = {(0, 32): ("sport", "dport"), (0, 16): ("sport",), (16, 16): ("dport",)}


def _raw_ports(body: dict) -> str | None:
    """``{"payload": {"base": "th", ...}} == N`` as the port matches it stands for."""
    left = body.get("left")
    payload = left.get("payload") if isinstance(left, dict) else None
    if not isinstance(payload, dict) or payload.get("base") != "th" or body.get("op") != "==":
        return None
    fields = _RAW_TH.get((int(payload.get("offset", -1)), int(payload.get("len", -1))))
    value = body.get("right")
    if fields is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    if len(fields) == 2:
        return f"th sport {value >> 16} th dport {value & 0xFFFF}"
    return f"th {fields[0]} {value}"


def _rule_text(exprs: list[Any]) -> str:
    out = []
    for s in exprs:
        try:
            out.append(_statement(s))
        except (_Unreadable, KeyError, TypeError, IndexError) as exc:
            # an expression exaudit cannot write: the rule's verdicts are undetermined
            out.append(f"{UNREADABLE}  # {exc}")
            break
    return " ".join(out)


def _items(text: str, path: str) -> list[tuple[int, Any]]:
    """The objects of ``{"nftables": [...]}`` with the line each starts on."""
    try:
        whole = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(path, line, f"not valid JSON: {exc}") from None
    if not isinstance(whole, dict) or not isinstance(whole.get("nftables"), list):
        raise InputError(path, 1, 'not nft JSON: expected {"nftables": [...]}')
    decoder = json.JSONDecoder()
    start = text.index("[", text.index('"nftables"'))
    pos, out = start + 1, []
    for _ in whole["nftables"]:
        while text[pos] in " \t\r\n,":
            pos += 1
        obj, end = decoder.raw_decode(text, pos)
        out.append((text.count("\n", 0, pos) + 1, obj))
        pos = end
    return out


def read_json(text: str, path: str) -> Context:
    """The tables of an ``nft -j`` document (objects, or add/insert/flush commands)."""
    ctx = Context(path)
    ctx.lines[path] = text.splitlines()
    for line, item in _items(text, path):
        if not isinstance(item, dict) or len(item) != 1:
            raise InputError(path, line, "not an nft JSON object")
        kind, body = next(iter(item.items()))
        verb = "add"
        if kind in ("add", "insert", "create", "flush", "delete") and isinstance(body, dict):
            verb = kind
            kind, body = next(iter(body.items()))
        try:
            _object(ctx, path, line, verb, kind, body)
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(path, line, f"{kind}: missing or wrong field {exc}") from None
    return ctx


def _table(ctx: Context, path: str, line: int, body: dict) -> TableDef:
    key = (body.get("family", "ip"), body["table"])
    table = ctx.tables.get(key)
    if table is None:
        raise InputError(path, line, f"no table {key[0]} {key[1]}")
    return table


def _object(ctx: Context, path: str, line: int, verb: str, kind: str, body: Any) -> None:
    if kind == "metainfo":
        return
    if verb == "flush" and kind == "ruleset":
        ctx.tables.clear()
        return
    if verb == "delete" or verb == "flush":
        raise InputError(
            path, line, f"JSON {verb} {kind} is not followed; give nft -j list ruleset"
        )
    origin_text = json.dumps({kind: body})[:200]
    if kind == "table":
        family = body.get("family", "ip")
        key = (family, body["name"])
        if key not in ctx.tables:
            ctx.tables[key] = TableDef(family, body["name"], Origin(path, line, origin_text))
        ctx.tables[key].dormant = "dormant" in (body.get("flags") or [])
    elif kind == "chain":
        table = _table(ctx, path, line, body)
        chain = table.chains.setdefault(
            body["name"],
            ChainDef(body["name"], Origin(path, line, origin_text), created=ctx.created + 1),
        )
        ctx.created = max(ctx.created, chain.created)
        if "hook" in body:
            chain.type, chain.hook = body.get("type", "filter"), body["hook"]
            chain.priority = int(body.get("prio", 0))
            chain.policy = body.get("policy", "accept")
            chain.policy_origin = chain.origin
    elif kind in ("set", "map"):
        table = _table(ctx, path, line, body)
        found = table.sets.setdefault(
            body["name"], SetDef(body["name"], Origin(path, line, origin_text), kind == "map")
        )
        flags = body.get("flags") or []
        found.flags = tuple(flags if isinstance(flags, list) else [flags])
        if {"timeout", "dynamic"} & set(found.flags):
            found.dynamic = f"set {found.name} has flags {', '.join(found.flags)}"
        if "elem" in body:
            rendered = "{ " + ", ".join(_element(e, False) for e in body["elem"]) + " }"
            toks = [t for t in tokenize(rendered, path) if t.kind != "nl"]
            found.elements.extend(elements(toks, toks[0]))
    elif kind == "rule":
        table = _table(ctx, path, line, body)
        into = table.chains.get(body["chain"])
        if into is None:
            raise InputError(path, line, f"no chain {body['chain']} in table {table.key}")
        text = _rule_text(body["expr"])
        handle = f" (handle {body['handle']})" if "handle" in body else ""
        toks = [t for t in tokenize(text, path) if t.kind != "nl"]
        toks = [type(t)(t.kind, t.text, line, path) for t in toks]
        if not toks:
            raise InputError(path, line, "a rule with no expressions")
        rule = RuleText(toks, Origin(path, line, text + handle))
        if verb == "insert":
            into.rules.insert(0, rule)
        else:
            into.rules.append(rule)
    elif kind == "element":
        table = _table(ctx, path, line, body)
        named = table.sets.get(body["name"])
        if named is None:
            raise InputError(path, line, f"no set {body['name']} in table {table.key}")
        rendered = "{ " + ", ".join(_element(e, False) for e in body["elem"]) + " }"
        toks = [t for t in tokenize(rendered, path) if t.kind != "nl"]
        named.elements.extend(elements(toks, toks[0]))
    # other objects (counters, quotas, flowtables, ct helpers...) decide no verdict
