"""``backsafe serve --https``: the self-signed certificate (files, modes, names, reuse and renewal), the options'
errors, and a real server over TLS (the page answers, cookies are Secure, the start-up line says https and the
fingerprint)."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import re
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cryptography")
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from backsafe.web import tls  # noqa: E402
from webhelpers import HttpsServer, serve_subprocess  # noqa: E402

NAMES = ["localhost", "127.0.0.1", "::1", "gym-laptop", "192.168.1.20"]


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _sans(cert: x509.Certificate) -> x509.SubjectAlternativeName:
    ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    assert isinstance(ext, x509.SubjectAlternativeName)
    return ext


# --- the certificate -------------------------------------------------------------------------------------------------

def test_creates_cert_and_key_private_to_the_owner(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "tls"
    cert_path, key_path, _ = tls.ensure_self_signed(folder, NAMES)
    assert (cert_path, key_path) == (folder / "cert.pem", folder / "key.pem")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["cert.pem", "key.pem"]  # no temp file left behind
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert _cert(cert_path).public_key().public_bytes(*spki) == key.public_key().public_bytes(*spki)


def test_an_existing_lax_folder_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    tls.ensure_self_signed(folder, NAMES)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_names_go_in_as_the_right_type_and_the_certificate_is_a_server_leaf(tmp_path: Path) -> None:
    cert = _cert(tls.ensure_self_signed(tmp_path / "tls", NAMES)[0])
    san = _sans(cert)
    assert set(san.get_values_for_type(x509.IPAddress)) == {ipaddress.ip_address(a)
                                                             for a in ("127.0.0.1", "::1", "192.168.1.20")}
    assert set(san.get_values_for_type(x509.DNSName)) == {"localhost", "gym-laptop"}
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca is False
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == f"backsafe on {socket.gethostname()}"
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() / 86400
    assert 396 <= days <= 398  # browsers refuse server certificates valid for more than 398 days
    assert cert.not_valid_before_utc <= dt.datetime.now(dt.timezone.utc)


def test_fingerprint_is_the_sha256_of_the_der_certificate(tmp_path: Path) -> None:
    cert_path, _, fp = tls.ensure_self_signed(tmp_path / "tls", NAMES)
    der = ssl.PEM_cert_to_DER_cert(cert_path.read_text())  # the standard library's reading, not cryptography's
    assert fp == ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", fp)


def test_a_second_start_reuses_the_certificate(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    cert_path, key_path, fp1 = tls.ensure_self_signed(folder, NAMES)
    before = (cert_path.stat().st_mtime_ns, key_path.stat().st_mtime_ns, cert_path.read_bytes())
    time.sleep(0.02)
    _, _, fp2 = tls.ensure_self_signed(folder, NAMES[::-1])  # same names, any order
    _, _, fp3 = tls.ensure_self_signed(folder, NAMES[:2])  # fewer names: still covered
    assert fp1 == fp2 == fp3
    assert (cert_path.stat().st_mtime_ns, key_path.stat().st_mtime_ns, cert_path.read_bytes()) == before


def test_a_new_name_makes_a_new_certificate(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    _, _, fp1 = tls.ensure_self_signed(folder, NAMES)
    cert_path, _, fp2 = tls.ensure_self_signed(folder, [*NAMES, "10.0.0.7"])  # the laptop joined another network
    assert fp2 != fp1
    assert ipaddress.ip_address("10.0.0.7") in _sans(_cert(cert_path)).get_values_for_type(x509.IPAddress)


def test_a_certificate_near_its_end_is_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    _, _, short = tls.ensure_self_signed(folder, NAMES, days=tls.RENEW_DAYS - 1)
    cert_path, _, renewed = tls.ensure_self_signed(folder, NAMES)
    assert renewed != short
    left = _cert(cert_path).not_valid_after_utc - dt.datetime.now(dt.timezone.utc)
    assert left > dt.timedelta(days=390)
    # one that still has more than RENEW_DAYS left is kept
    _, _, ok = tls.ensure_self_signed(tmp_path / "tls2", NAMES, days=tls.RENEW_DAYS + 5)
    assert tls.ensure_self_signed(tmp_path / "tls2", NAMES)[2] == ok


def test_a_key_that_does_not_match_the_certificate_is_replaced(tmp_path: Path) -> None:
    """A renewal stopped after the new key was written but before the certificate: never serve a mismatched pair."""
    folder = tmp_path / "tls"
    _, key_path, fp1 = tls.ensure_self_signed(folder, NAMES)
    other = ec.generate_private_key(ec.SECP256R1())
    key_path.write_bytes(other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    cert_path, key_path, fp2 = tls.ensure_self_signed(folder, NAMES)
    assert fp2 != fp1
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)  # raises when the key is not the certificate's


def test_an_interrupted_write_leaves_the_old_files_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "tls"
    cert_path, key_path, _ = tls.ensure_self_signed(folder, NAMES)
    old = (cert_path.read_bytes(), key_path.read_bytes())

    def killed(*a: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)  # the rename that would put the new file in place
    with pytest.raises(KeyboardInterrupt):
        tls.ensure_self_signed(folder, [*NAMES, "new-name"])
    assert (cert_path.read_bytes(), key_path.read_bytes()) == old
    assert sorted(p.name for p in folder.iterdir()) == ["cert.pem", "key.pem"]


# --- the machine's names -------------------------------------------------------------------------------------------

class _NoNetwork:
    """A UDP socket on a machine with no route anywhere."""

    def __init__(self, *a: Any) -> None:
        pass

    def __enter__(self) -> _NoNetwork:
        return self

    def __exit__(self, *a: Any) -> None:
        pass

    def connect(self, addr: Any) -> None:
        raise OSError(101, "Network is unreachable")


def test_local_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "gym-laptop")
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, 2, 17, "", (ip, 0)) for ip in
                                                                ("127.0.1.1", "192.168.1.20", "192.168.1.20",
                                                                 "169.254.3.4")])
    monkeypatch.setattr(socket, "socket", _NoNetwork)
    assert tls.lan_ipv4() == ["192.168.1.20"]
    base = ["localhost", "127.0.0.1", "::1", "gym-laptop", "gym-laptop.local", "192.168.1.20"]
    assert tls.local_names("0.0.0.0") == base
    assert tls.local_names("::") == base
    assert tls.local_names("10.0.0.5") == [*base, "10.0.0.5"]
    assert tls.local_names("192.168.1.20") == base  # no duplicate
    assert tls.https_urls("0.0.0.0", 8443) == ["https://localhost:8443/", "https://192.168.1.20:8443/"]
    assert tls.https_urls("::1", 8443) == ["https://[::1]:8443/"]


def test_local_names_without_any_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*a: Any, **k: Any) -> Any:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(socket, "socket", _NoNetwork)
    assert tls.lan_ipv4() == []
    assert tls.local_names("0.0.0.0")[:3] == ["localhost", "127.0.0.1", "::1"]


def test_the_real_machine_has_names() -> None:
    names = tls.local_names("0.0.0.0")
    assert names[:3] == ["localhost", "127.0.0.1", "::1"] and socket.gethostname() in names
    assert len(names) == len({n.lower() for n in names})


# --- the options ------------------------------------------------------------------------------------------------

@pytest.fixture
def serve_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BACKSAFE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BACKSAFE_DATABASE_URL", f"sqlite:///{tmp_path / 'web.sqlite3'}")
    monkeypatch.setenv("BACKSAFE_SECRET_KEY", "https-" + "k" * 44)
    return tmp_path


@pytest.mark.parametrize("args", [["--certfile", "c.pem"], ["--keyfile", "k.pem"], ["--https", "--keyfile", "k.pem"]])
def test_certfile_and_keyfile_go_together(args: list[str], serve_env: Path) -> None:
    from backsafe.cli import app

    r = CliRunner().invoke(app, ["serve", *args])
    assert r.exit_code == 2, r.output
    assert "--certfile and --keyfile go together" in r.output


def test_a_missing_certificate_file_is_a_clear_error(serve_env: Path) -> None:
    from backsafe.cli import app

    key = tls.ensure_self_signed(serve_env / "mine", NAMES)[1]
    r = CliRunner().invoke(app, ["serve", "--certfile", str(serve_env / "nope.pem"), "--keyfile", str(key)])
    assert r.exit_code == 1, r.output
    assert f"cannot read the certificate file {serve_env / 'nope.pem'}" in r.output and "Traceback" not in r.output
    assert not (serve_env / "web.sqlite3").exists()  # refused before the app started


def test_a_key_of_another_certificate_is_a_clear_error(serve_env: Path) -> None:
    from backsafe.cli import app

    cert = tls.ensure_self_signed(serve_env / "a", NAMES)[0]
    key = tls.ensure_self_signed(serve_env / "b", NAMES)[1]
    r = CliRunner().invoke(app, ["serve", "--certfile", str(cert), "--keyfile", str(key)])
    assert r.exit_code == 1, r.output
    assert f"cannot use {cert} with {key}" in r.output


def test_https_without_cryptography_names_the_package(serve_env: Path) -> None:
    code = ("import sys; sys.modules['cryptography'] = None\n"
            "from backsafe.cli import main\nsys.argv = ['backsafe', 'serve', '--https']\nmain()\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=os.environ)
    assert r.returncode == 1, r.stderr
    assert "'cryptography' package" in r.stderr and "Traceback" not in r.stderr


# --- a real server --------------------------------------------------------------------------------------------------

@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[HttpsServer]:
    with serve_subprocess(tmp_path, ["--https"]) as s:
        yield s


def test_https_server_end_to_end(https_server: HttpsServer) -> None:
    import httpx

    s = https_server
    fp = tls.fingerprint(ssl.PEM_cert_to_DER_cert(s.ca.read_text()))
    with s.client() as c:  # 127.0.0.1: the IP entry of the certificate
        r = c.get("/")  # the home page sends a visitor to log in, on the same https origin
        assert r.status_code == 303 and not r.headers["location"].startswith("http:"), r.headers
        r = c.get("/health")
        assert r.status_code == 200, r.text
        assert r.headers["strict-transport-security"].startswith("max-age=")
        login = c.get("/login")
        assert login.status_code == 200
        anon = [v for v in login.headers.get_list("set-cookie") if v.startswith("bs_anon=")]
        assert anon and "; Secure" in anon[0], login.headers.get_list("set-cookie")
        r = c.post("/api/auth/signup", json={"name": "alice", "password": "correct horse battery staple"})
        assert r.status_code == 201, r.text
        r = c.post("/api/auth/login", json={"name": "alice", "password": "correct horse battery staple"})
        assert r.status_code == 200, r.text
        session = [v for v in r.headers.get_list("set-cookie") if v.startswith("bs_session=")]
        assert session and "; Secure" in session[0] and "HttpOnly" in session[0], r.headers.get_list("set-cookie")
    with s.client("localhost") as c:  # a DNS entry of the certificate
        assert c.get("/api/health").status_code == 200
    with pytest.raises(httpx.HTTPError):  # nothing in the clear
        httpx.get(f"http://127.0.0.1:{s.port}/api/health", timeout=5)
    out = s.log.read_text()
    assert f"https://127.0.0.1:{s.port}/" in out and "http://127.0.0.1" not in out
    assert f"SHA-256 fingerprint {fp}" in out
    assert "warns once" in out and "self-signed" in out


def test_own_certificate(tmp_path: Path) -> None:
    cert, key, fp = tls.ensure_self_signed(tmp_path / "mine", ["localhost", "127.0.0.1"])
    with serve_subprocess(tmp_path, ["--certfile", str(cert), "--keyfile", str(key)], ca=cert) as s:
        with s.client() as c:
            assert c.get("/login").status_code == 200
        out = s.log.read_text()
        assert f"https://127.0.0.1:{s.port}/" in out and "fingerprint" not in out
        assert not (tmp_path / "data" / "tls").exists()  # no certificate of its own made
