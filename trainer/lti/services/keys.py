"""Our RSA signing keys: the newest unretired key signs; every unretired key is published at the JWKS
endpoint. ``flask lti rotate-keys`` makes a new key the signing one and retires keys that a newer key
replaced more than the grace period ago (platforms cache our keys, so an old key stays published
until every token it signed has long expired and every cache has refreshed).

Private keys are stored encrypted with a key derived from the site's SECRET_KEY, so a copy of the
database alone signs nothing. After a SECRET_KEY change the old keys can no longer sign (they stay
published until they retire) and the next signature makes a new key."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from joserfc.jwk import KeyParameters, RSAKey
from sqlalchemy import select

from trainer.core.time import utcnow
from trainer.extensions import db
from trainer.lti.models import LtiKey
from trainer.lti.rules import new_token

KEY_BITS = 2048
DEFAULT_GRACE = timedelta(days=7)




def _parameters(kid: str) -> KeyParameters:
    return {"kid": kid, "alg": "RS256", "use": "sig"}


def _fernet() -> Fernet:
    secret = str(current_app.secret_key or "").encode("utf-8")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"trainer-lti-keys", info=b"lti signing keys").derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def _load(row: LtiKey) -> RSAKey | None:
    """The private key, or None when this site's SECRET_KEY cannot decrypt it (it was changed)."""
    try:
        pem = _fernet().decrypt(row.private_pem.encode("ascii"))
    except (InvalidToken, ValueError):
        return None
    return RSAKey.import_key(pem, parameters=_parameters(row.kid))


def _unretired() -> list[LtiKey]:
    query = select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.created_at.desc(), LtiKey.id.desc())
    return list(db.session.scalars(query).all())


def _new_key(moment: datetime) -> LtiKey:
    kid = new_token()[:32]
    key = RSAKey.generate_key(KEY_BITS, parameters=_parameters(kid), private=True)
    row = LtiKey(kid=kid, private_pem=_fernet().encrypt(key.as_pem(private=True)).decode("ascii"),
                 public_jwk=json.dumps(key.as_dict(private=False), sort_keys=True), created_at=moment)
    db.session.add(row)
    db.session.flush()
    return row


def ensure_key() -> None:
    """A signing key exists (the first one is made when the first platform is registered); no commit."""
    if not _unretired():
        _new_key(utcnow())


def signing_key() -> RSAKey:
    """The key that signs now (made on first use: callers are POSTs and commands, which commit)."""
    unreadable = []
    for row in _unretired():
        key = _load(row)
        if key is not None:
            return key
        unreadable.append(row)
    moment = utcnow()
    for row in unreadable:  # encrypted under an earlier SECRET_KEY: published until they retire
        row.superseded_at = row.superseded_at or moment
    key = _load(_new_key(moment))
    assert key is not None
    return key


def public_keyset() -> dict[str, Any]:
    """The JWKS document: the public half of every unretired key."""
    return {"keys": [json.loads(row.public_jwk) for row in _unretired()]}


@dataclass(frozen=True)
class KeyRow:
    kid: str
    created_at: datetime
    superseded_at: datetime | None
    retired_at: datetime | None

    @property
    def state(self) -> str:
        if self.retired_at is not None:
            return "retired"
        return "published" if self.superseded_at is not None else "signing"


def key_rows(limit: int = 20) -> list[KeyRow]:
    query = select(LtiKey).order_by(LtiKey.created_at.desc(), LtiKey.id.desc()).limit(limit)
    return [KeyRow(r.kid, r.created_at, r.superseded_at, r.retired_at) for r in db.session.scalars(query).all()]


@dataclass(frozen=True)
class Rotation:
    new_kid: str
    retired: list[str]
    still_published: list[str]


def rotate(grace: timedelta = DEFAULT_GRACE, moment: datetime | None = None) -> Rotation:
    """A new signing key; the old signing key stays published; keys replaced longer than ``grace``
    ago retire. Committed."""
    moment = moment or utcnow()
    retired: list[str] = []
    for row in _unretired():
        if row.superseded_at is None:
            row.superseded_at = moment
        elif row.superseded_at <= moment - grace:
            row.retired_at = moment
            retired.append(row.kid)
    new = _new_key(moment)
    db.session.commit()
    published = [row.kid for row in _unretired() if row.kid != new.kid]
    return Rotation(new_kid=new.kid, retired=retired, still_published=published)
