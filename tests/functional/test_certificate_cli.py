"""`mso-academy certificates …`: offline verification that explains every failure, list, export, keys, demo."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from mso_academy.certificates import keys
from mso_academy.certificates import services as certificates
from mso_academy.learning import services as learning
from mso_academy.plugins.manager import plugins
from tests.factories import make_course

COURSES = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture
def certificate(app, session, learner):
    course = make_course(
        session, title="Kassenprüfung", modules=[[("text_lesson", {"body": "x"})]], certificate_validity_months=12
    )
    with app.test_request_context():
        enrolment = learning.enrol(session, plugins(), learner, course)
        progress = learning.course_progress(session, course, enrolment)
        learning.submit(session, plugins(), progress, progress.states[0].activity.id, MultiDict({"done": "1"}), "t")
        session.commit()
        return certificates.latest_for_enrolment(session, enrolment)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def write(tmp_path: Path, token: str, name: str = "credential.json") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": "EnvelopedVerifiableCredential",
                "id": f"data:application/vc+jwt,{token}",
            }
        )
    )
    return path


def run_verify(app, path: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["certificates", "verify", str(path), *extra])


def test_exported_credential_verifies(app, certificate, tmp_path):
    result = app.test_cli_runner().invoke(args=["certificates", "export", certificate.code, str(tmp_path)])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / f"certificate-{certificate.code}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    verified = run_verify(app, tmp_path / f"certificate-{certificate.code}.json")
    assert verified.exit_code == 0 and "VALID: Kassenprüfung" in verified.output
    bare = tmp_path / "bare.jwt"
    bare.write_text(certificate.credential_jwt)
    assert run_verify(app, bare).exit_code == 0


def test_one_changed_byte_fails(app, certificate, tmp_path):
    header, payload, signature = certificate.credential_jwt.split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    document["name"] = "Kassenprüfunq"  # one letter
    forged = ".".join([header, b64(json.dumps(document, separators=(",", ":")).encode()), signature])
    result = run_verify(app, write(tmp_path, forged))
    assert result.exit_code == 1 and "signature does not match" in result.output
    flipped = (
        certificate.credential_jwt[:-3]
        + ("A" if certificate.credential_jwt[-3] != "A" else "B")
        + certificate.credential_jwt[-2:]
    )
    assert run_verify(app, write(tmp_path, flipped, "flipped.json")).exit_code == 1


def test_swapped_key_id_fails(app, certificate, tmp_path):
    other = keys.create_key()
    header, payload, signature = certificate.credential_jwt.split(".")
    new_header = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    new_header["kid"] = other.kid
    forged = ".".join([b64(json.dumps(new_header).encode()), payload, signature])
    result = run_verify(app, write(tmp_path, forged))
    assert result.exit_code == 1 and "signature does not match" in result.output
    new_header["kid"] = "made-up"
    forged = ".".join([b64(json.dumps(new_header).encode()), payload, signature])
    result = run_verify(app, write(tmp_path, forged))
    assert result.exit_code == 1 and "not one of the issuer's published keys" in result.output


def test_alg_none_and_hs256_with_the_public_key_fail(app, certificate, tmp_path):
    _header, payload, _signature = certificate.credential_jwt.split(".")
    none_token = ".".join([b64(json.dumps({"alg": "none", "kid": certificate.key_id}).encode()), payload, ""])
    result = run_verify(app, write(tmp_path, none_token))
    assert result.exit_code == 1 and "algorithm 'none' is not accepted" in result.output
    public = next(k for k in keys.public_jwks()["keys"] if k["kid"] == certificate.key_id)
    hs_header = b64(json.dumps({"alg": "HS256", "kid": certificate.key_id}).encode())
    for secret in (public["x"].encode(), json.dumps(public).encode()):
        mac = hmac.new(secret, f"{hs_header}.{payload}".encode(), hashlib.sha256).digest()
        result = run_verify(app, write(tmp_path, f"{hs_header}.{payload}.{b64(mac)}"))
        assert result.exit_code == 1 and "algorithm 'HS256' is not accepted" in result.output


def test_garbage_files_fail_with_a_reason(app, tmp_path):
    for content, reason in (
        ("{not json", "not valid JSON"),
        ('{"id": "x"}', "EnvelopedVerifiableCredential"),
        ("abc", "not a signed credential"),
    ):
        path = tmp_path / "bad.json"
        path.write_text(content)
        result = run_verify(app, path)
        assert result.exit_code == 1 and reason in result.output, content


def test_revoked_and_expired_fail_online_and_offline_says_only_the_signature(app, session, certificate, tmp_path):
    path = write(tmp_path, certificate.credential_jwt)
    certificate.revoked_at = certificate.issued_at
    session.commit()
    result = run_verify(app, path)
    assert result.exit_code == 1 and "revoked by the issuer" in result.output
    assert run_verify(app, path, "--offline").exit_code == 0
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keys.public_jwks()))
    assert run_verify(app, path, "--offline", "--keys", str(jwks)).exit_code == 0
    jwks.write_text(json.dumps({"keys": []}))
    assert run_verify(app, path, "--offline", "--keys", str(jwks)).exit_code == 1


def test_key_rotation_keeps_old_certificates_verifiable(app, client, session, certificate, tmp_path, learner):
    result = app.test_cli_runner().invoke(args=["certificates", "rotate-key"])
    assert result.exit_code == 0 and "2 key(s) published" in result.output
    published = client.get("/.well-known/jwks.json").json
    assert {k["kid"] for k in published["keys"]} >= {certificate.key_id}
    assert all("d" not in k for k in published["keys"])  # never the private part
    assert run_verify(app, write(tmp_path, certificate.credential_jwt)).exit_code == 0
    assert keys.signing_key().kid != certificate.key_id
    assert client.get("/issuer").json["name"] == "MSO Academy"


def test_list_shows_code_holder_course_state(app, certificate, learner):
    output = app.test_cli_runner().invoke(args=["certificates", "list"]).output
    assert f"{certificate.code}\t{learner.name}\tKassenprüfung 1.0\tvalid" in output


def test_demo_holder_has_a_valid_an_expired_and_a_revoked_certificate(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--courses-dir", str(COURSES)])
    assert result.exit_code == 0, result.output
    states = sorted(
        line.split("(")[1].split(")")[0].split(", ")[1]
        for line in result.output.splitlines()
        if line.startswith("certificate ")
    )
    assert states == ["expired", "revoked", "valid"]
    again = runner.invoke(args=["demo", "--courses-dir", str(COURSES)]).output
    assert not [line for line in again.splitlines() if line.startswith("certificate ")]
