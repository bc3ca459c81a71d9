"""The issuer's Ed25519 signing keys.

Keys live in `KEYS_DIR` (default ``instance/keys``): ``<kid>.pem`` is a private key (mode 0600), ``<kid>.pub.jwk``
its public half. The newest private key signs; every public key ever used stays published, so rotating keys
keeps older certificates verifiable. A retired key's private file can be deleted; its ``.pub.jwk`` must stay.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from joserfc.jwk import KeySet, OKPKey

from mso_academy.db import utcnow


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: OKPKey


def keys_dir() -> Path:
    configured = current_app.config.get("KEYS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "keys"


def _new_kid() -> str:
    return f"{utcnow():%Y%m%d%H%M%S%f}-{secrets.token_hex(3)}"


def create_key(folder: Path | None = None) -> SigningKey:
    """Generate a key and store both halves; it becomes the signing key (the newest one signs)."""
    folder = folder or keys_dir()
    folder.mkdir(parents=True, exist_ok=True)
    kid = _new_kid()
    key = OKPKey.generate_key("Ed25519", parameters={"kid": kid, "use": "sig", "alg": "Ed25519"})
    fd = os.open(folder / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.as_pem(private=True))
    (folder / f"{kid}.pub.jwk").write_text(json.dumps(key.as_dict(private=False), sort_keys=True))
    return SigningKey(kid, key)


def signing_key() -> SigningKey:
    """The newest private key, created on first use."""
    folder = keys_dir()
    private = sorted(folder.glob("*.pem")) if folder.is_dir() else []
    if not private:
        return create_key(folder)
    path = private[-1]
    kid = path.name.removesuffix(".pem")
    key = OKPKey.import_key(path.read_bytes(), parameters={"kid": kid, "use": "sig", "alg": "Ed25519"})
    return SigningKey(kid, key)


def public_jwks(folder: Path | None = None) -> dict[str, list[dict[str, str]]]:
    """Every public key, current and retired, as a JSON Web Key Set."""
    folder = folder or keys_dir()
    if not folder.is_dir():
        return {"keys": []}
    return {"keys": [json.loads(p.read_text()) for p in sorted(folder.glob("*.pub.jwk"))]}


def key_set(jwks: dict[str, list[dict[str, str]]]) -> KeySet:
    return KeySet([OKPKey.import_key(k) for k in jwks["keys"] if k.get("kty") == "OKP"])
