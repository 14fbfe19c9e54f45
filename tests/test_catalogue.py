"""The bundled Exchange 5.5 catalogue loads and says what KB 176466 says."""

from __future__ import annotations

import pytest

from exaudit.core.errors import InputError
from exaudit.exchange.catalogue import (
    available,
    load_catalogue,
    parse_catalogue,
    rules_dir,
)


def test_bundled_catalogue_is_found() -> None:
    assert "5.5" in available()
    assert (rules_dir() / "exchange-5.5.yaml").is_file()


def ports(reqs: tuple) -> list:
    return [r.port for r in reqs]


def test_kb176466_facts() -> None:
    cat = load_catalogue("5.5")
    cp = cat.client_protocols
    assert ports(cp["pop3"].needs(False)) == [110, 25]
    assert ports(cp["pop3"].needs(True)) == [995, 25]
    assert ports(cp["imap4"].needs(False)) == [143, 25]
    assert ports(cp["imap4"].needs(True)) == [993, 25]
    assert ports(cp["ldap"].needs(False)) == [389]
    assert ports(cp["ldap"].needs(True)) == [636]
    assert ports(cp["nntp"].needs(False)) == [119]
    assert ports(cp["smtp"].needs(False)) == [25]
    assert ports(cp["mapi"].needs(False)) == [135, "rpc.directory", "rpc.information_store"]
    assert ports(cat.intrasite) == [135, "rpc.directory", "rpc.mta"]
    assert ports(cat.connectors["rpc"]) == [135, "rpc.mta"]
    assert ports(cat.connectors["x400"]) == ["rfc1006"]  # no 135 for X.400
    assert {(p.plaintext, p.ssl) for p in cat.ssl_pairs} == {(110, 995), (143, 993), (389, 636)}
    assert cat.ephemeral == (1024, 65535)
    for proto in cp.values():
        for req in proto.plain + proto.ssl + proto.always:
            assert req.source in cat.sources


def test_unknown_version() -> None:
    with pytest.raises(InputError, match="no port catalogue for Exchange '4.0'"):
        load_catalogue("4.0")


def test_duplicate_ids_are_rejected() -> None:
    text = (rules_dir() / "exchange-5.5.yaml").read_text()
    text = text.replace("id: imap4-ssl", "id: pop3-ssl")
    with pytest.raises(InputError, match="duplicate requirement id 'pop3-ssl'"):
        parse_catalogue(text, "x.yaml")
