"""Signed tokens (OAuth state, share links) on itsdangerous: a token verifies for its own
purpose and key only, not after tampering, not after its own expiry."""

from __future__ import annotations

import time

import pytest
from mapwright.api.signing import BadSignature, Signer


def test_a_token_round_trips_for_its_purpose() -> None:
    token = Signer("key-1").sign("template", {"id": 7, "h": "abc"}, ttl_seconds=60)
    data = Signer("key-1").verify("template", token)
    assert data["id"] == 7 and data["h"] == "abc" and data["p"] == "template"


@pytest.mark.parametrize(
    ("purpose", "key"),
    [("oauth:exact-online", "key-1"), ("template", "key-2"), ("template", "key-2,key-1")],
)
def test_another_purpose_or_key_is_refused(purpose: str, key: str) -> None:
    token = Signer("key-1").sign("template", {"id": 7}, ttl_seconds=60)
    with pytest.raises(BadSignature):
        Signer(key).verify(purpose, token)


def test_a_rotated_key_signs_with_the_newest() -> None:
    token = Signer("key-2,key-1").sign("template", {"id": 1}, ttl_seconds=60)
    assert Signer("key-2").verify("template", token)["id"] == 1


def test_a_tampered_token_is_refused() -> None:
    token = Signer("key-1").sign("template", {"id": 7}, ttl_seconds=60)
    body, _, mac = token.rpartition(".")
    forged = body.replace(body[-2:], "xx" if body[-2:] != "xx" else "yy") + "." + mac
    with pytest.raises(BadSignature):
        Signer("key-1").verify("template", forged)
    with pytest.raises(BadSignature):
        Signer("key-1").verify("template", "not a token")


def test_each_token_expires_after_its_own_lifetime() -> None:
    expired = Signer("key-1").sign("template", {"id": 7}, ttl_seconds=-1)
    with pytest.raises(BadSignature, match="expired"):
        Signer("key-1").verify("template", expired)
    assert Signer("key-1").verify("template", Signer("key-1").sign("template", {}, 3600))
    assert (
        int(time.time())
        < Signer("key-1").verify("template", Signer("key-1").sign("template", {}, 3600))["exp"]
    )
