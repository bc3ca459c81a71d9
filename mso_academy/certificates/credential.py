"""Open Badges 3.0 credentials (W3C VC Data Model 2.0), secured as VC-JWT (JOSE, alg Ed25519).

The signed form is a compact JWS whose payload is the `OpenBadgeCredential`. As a JSON file it is wrapped as a
VC 2.0 ``EnvelopedVerifiableCredential`` (``id: data:application/vc+jwt,<jws>``). Verification accepts only
alg ``Ed25519`` (RFC 9864's name for EdDSA over Ed25519) with a published key id; anything else fails with the
reason, so ``alg: none`` or an HMAC token keyed with the public key can never pass.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError

from mso_academy.certificates.keys import SigningKey, key_set

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
ENVELOPE_PREFIX = "data:application/vc+jwt,"
ALGORITHMS = ["Ed25519"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def recipient_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityObject hash: ``sha256$`` + hex(sha256(email + salt))."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


@dataclass(frozen=True)
class Issuer:
    id: str
    name: str
    url: str
    address: str = ""

    def profile(self) -> dict[str, Any]:
        profile: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name, "url": self.url}
        if self.address:
            profile["description"] = self.address
        return profile


def build(
    *,
    credential_id: str,
    issuer: Issuer,
    achievement_id: str,
    title: str,
    description: str,
    criteria: str,
    language: str,
    version: str,
    holder_name: str,
    identity_hash: str,
    salt: str,
    issued_at: datetime,
    valid_until: datetime | None,
    outcomes: list[str],
) -> dict[str, Any]:
    """The unsigned `OpenBadgeCredential` document."""
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": description or title,
        "criteria": {"narrative": criteria},
        "inLanguage": language,
        "version": version,
    }
    if outcomes:
        achievement["tag"] = outcomes
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "issuer": issuer.profile(),
        "validFrom": iso(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": identity_hash,
                    "salt": salt,
                },
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": holder_name},
            ],
            "achievement": achievement,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if valid_until is not None:
        credential["validUntil"] = iso(valid_until)
    return credential


def sign(credential: Mapping[str, Any], key: SigningKey) -> str:
    header = {"alg": "Ed25519", "kid": key.kid, "typ": "vc+jwt", "cty": "vc"}
    payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key.key, algorithms=ALGORITHMS)


def envelope(token: str) -> dict[str, Any]:
    return {"@context": [VC_CONTEXT], "id": ENVELOPE_PREFIX + token, "type": "EnvelopedVerifiableCredential"}


@dataclass
class Verification:
    valid: bool = False
    problems: list[str] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    kid: str | None = None
    status: str | None = None

    @property
    def code(self) -> str | None:
        credential_id = (self.credential or {}).get("id", "")
        return credential_id.rstrip("/").rsplit("/", 1)[-1] if credential_id else None


def extract_token(text: str) -> str:
    """The compact JWS from a downloaded file: an enveloped credential (JSON) or the bare token."""
    text = text.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the file is not valid JSON ({exc.msg}, line {exc.lineno})") from None
        identifier = document.get("id", "") if isinstance(document, dict) else ""
        if not isinstance(identifier, str) or not identifier.startswith(ENVELOPE_PREFIX):
            raise ValueError("the JSON is not an EnvelopedVerifiableCredential with a data:application/vc+jwt id")
        return identifier.removeprefix(ENVELOPE_PREFIX)
    return text


def _b64json(part: str) -> dict[str, Any]:
    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))


def verify(
    text: str,
    jwks: dict[str, list[dict[str, str]]],
    now: datetime,
    status_of: Callable[[str], str | None] | None = None,
) -> Verification:
    """Check a credential: format, algorithm, key id, signature, dates and (if `status_of` given) revocation."""
    result = Verification()
    try:
        token = extract_token(text)
        header_part, _payload_part, _signature = token.split(".")
        header = _b64json(header_part)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        result.problems.append(f"not a signed credential: {exc}" if str(exc) else "not a signed credential")
        return result
    alg = header.get("alg")
    if alg != "Ed25519":
        result.problems.append(f"algorithm {alg!r} is not accepted; credentials are signed with Ed25519")
        return result
    kid = header.get("kid")
    result.kid = kid
    known = {k.get("kid") for k in jwks.get("keys", [])}
    if kid not in known:
        result.problems.append(f"key id {kid!r} is not one of the issuer's published keys")
        return result
    try:
        candidates = key_set({"keys": [k for k in jwks["keys"] if k.get("kid") == kid]})
        obj = jws.deserialize_compact(token, candidates, algorithms=ALGORITHMS)
    except JoseError as exc:
        result.problems.append(f"the signature does not match the content ({exc.error})")
        return result
    try:
        credential = json.loads(obj.payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        result.problems.append("the signed content is not JSON")
        return result
    result.credential = credential
    types = credential.get("type", [])
    if "VerifiableCredential" not in types or "OpenBadgeCredential" not in types:
        result.problems.append("the content is not an OpenBadgeCredential")
    try:
        valid_from = datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
        valid_until = credential.get("validUntil")
        until = datetime.fromisoformat(valid_until.replace("Z", "+00:00")) if valid_until else None
    except (KeyError, AttributeError, ValueError):
        result.problems.append("validFrom/validUntil are missing or not dates")
        return result
    if valid_from > now:
        result.problems.append(f"not valid before {iso(valid_from)}")
    if until is not None and until <= now:
        result.problems.append(f"expired on {iso(until)}")
    if status_of is not None and result.code:
        result.status = status_of(result.code)
        if result.status == "revoked":
            result.problems.append("revoked by the issuer")
        elif result.status is None:
            result.problems.append("the issuer does not know this certificate")
    result.valid = not result.problems
    return result
