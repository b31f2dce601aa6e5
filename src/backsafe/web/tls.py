"""HTTPS for ``backsafe serve --https``: the machine's names and LAN addresses, a self-signed certificate kept in the
data folder, and a check of a person's own certificate.

Browsers give a page the camera only in a secure context (HTTPS or localhost), so a phone that opens the live page
by the laptop's LAN address needs HTTPS. A self-signed certificate is the one thing that needs no domain, no public
CA and no proxy: the phone warns once, and the person can compare the fingerprint printed at start-up.

``cryptography`` is imported only inside :func:`ensure_self_signed`, so the rest works (and ``serve`` with the
person's own certificate starts) without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import socket
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BacksafeError

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["CertificateError", "CERT_DAYS", "RENEW_DAYS", "local_names", "lan_ipv4", "ensure_self_signed",
           "fingerprint", "check_own_certificate", "https_urls"]

# Browsers refuse server certificates valid for more than 398 days (Apple since 2020, Chrome since 2022); 397 leaves
# a day for clock differences.
CERT_DAYS = 397
# A certificate this close to its end is replaced at start-up rather than expiring in the middle of a season.
RENEW_DAYS = 30
_ANY = {"", "0.0.0.0", "::", "[::]"}  # nosec B104 - compared with --host, never bound


class CertificateError(BacksafeError):
    """A certificate or key file cannot be used (missing, unreadable, not PEM, key not matching)."""


def lan_ipv4() -> list[str]:
    """This machine's IPv4 addresses other than loopback and link-local, in a stable order; [] without a network."""
    found: list[str] = []
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    except OSError:
        pass
    # The address of the interface that routes outward: connect() on a UDP socket only picks the route and sends
    # nothing, so this works with no network reachable and never leaves the machine.
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            found.append(str(s.getsockname()[0]))
    except OSError:
        pass
    out: list[str] = []
    for a in found:
        try:
            ip = ipaddress.ip_address(a)
        except ValueError:
            continue
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified or a in out:
            continue
        out.append(a)
    return out


def local_names(host: str) -> list[str]:
    """The names a browser may use to reach this server: loopback, the host name (and its ``.local`` mDNS name,
    which iPhones resolve), the LAN IPv4 addresses, and ``host`` when it is a specific address. No duplicates."""
    names = ["localhost", "127.0.0.1", "::1"]
    hostname = socket.gethostname()
    if hostname:
        names.append(hostname)
        if "." not in hostname:
            names.append(hostname + ".local")
    names += lan_ipv4()
    h = host.strip()
    if h not in _ANY:
        names.append(h[1:-1] if h.startswith("[") and h.endswith("]") else h)
    out: list[str] = []
    for n in names:
        key = n.lower()
        if key not in (o.lower() for o in out):
            out.append(n)
    return out


def https_urls(host: str, port: int) -> list[str]:
    """What to open: for a wildcard host, localhost and one URL per LAN IPv4 address; else the host itself."""
    h = host.strip()
    hosts = ["localhost", *lan_ipv4()] if h in _ANY else [h]
    return [f"https://{'[' + x + ']' if ':' in x and not x.startswith('[') else x}:{port}/" for x in hosts]


def fingerprint(der: bytes) -> str:
    """SHA-256 of a DER certificate as browsers show it: upper-case hex bytes joined by colons."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def _san_entries(names: list[str]) -> set[tuple[str, str]]:
    """(kind, value) of each name as it goes in subjectAltName: an address as an IP, anything else as a DNS name.
    A name that is not ASCII cannot be a DNS name in a certificate and is left out."""
    out: set[tuple[str, str]] = set()
    for n in names:
        try:
            out.add(("ip", str(ipaddress.ip_address(n))))
        except ValueError:
            if n and n.isascii():
                out.add(("dns", n.lower()))
    return out


def _cert_entries(cert: x509.Certificate) -> set[tuple[str, str]]:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID

    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        return set()
    assert isinstance(san, x509.SubjectAlternativeName)
    return ({("ip", str(a)) for a in san.get_values_for_type(x509.IPAddress)}
            | {("dns", d.lower()) for d in san.get_values_for_type(x509.DNSName)})


def _reusable(cert_path: Path, key_path: Path, names: list[str], now: dt.datetime) -> x509.Certificate | None:
    """The certificate in the folder when it still fits: its key is the key beside it (an interrupted renewal can
    leave a new key with the old certificate), it covers every name and lasts at least RENEW_DAYS more."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != cert.public_key().public_bytes(der, spki):
        return None
    if not _san_entries(names) <= _cert_entries(cert):
        return None
    if cert.not_valid_before_utc > now or cert.not_valid_after_utc < now + dt.timedelta(days=RENEW_DAYS):
        return None
    return cert


def ensure_self_signed(folder: Path, names: list[str], *, days: int = CERT_DAYS,
                       now: dt.datetime | None = None) -> tuple[Path, Path, str]:
    """(cert.pem, key.pem, SHA-256 fingerprint) in ``folder``: the existing certificate when it still fits
    (see :func:`_reusable`), else a new EC P-256 key and certificate for ``names`` valid ``days`` days.

    Raises ImportError without the ``cryptography`` package."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = now or dt.datetime.now(dt.timezone.utc)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # mkdir's mode is masked by the umask and ignored for an existing folder
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert = _reusable(cert_path, key_path, names, now)
    if cert is None:
        key = ec.generate_private_key(ec.SECP256R1())
        entries = sorted(_san_entries(names))
        alt: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address(v)) if kind == "ip" else x509.DNSName(v)
                                       for kind, v in entries]
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"backsafe on {socket.gethostname()}"[:64])])
        start = now - dt.timedelta(hours=1)  # a phone whose clock is a little behind still accepts it
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (x509.CertificateBuilder()
                .subject_name(subject).issuer_name(subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
                .add_extension(x509.SubjectAlternativeName(alt), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                                             key_cert_sign=False, crl_sign=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(ski, critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
                .sign(key, hashes.SHA256()))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        # key first: a run stopped between the two leaves a key that does not match the old certificate, which
        # _reusable notices, instead of a certificate whose key is gone
        from ..report.json_report import write_atomic

        write_atomic(key_path, key_pem, mode=0o600)
        write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert_path, key_path, fingerprint(cert.public_bytes(serialization.Encoding.DER))


def check_own_certificate(certfile: Path, keyfile: Path) -> None:
    """Raise CertificateError unless the files load as a certificate and its key (what uvicorn will do, but with
    a message instead of a traceback after start-up)."""
    for label, p in (("certificate", certfile), ("key", keyfile)):
        try:
            with open(p, "rb") as f:
                f.read(1)
        except OSError as e:
            raise CertificateError(f"cannot read the {label} file {p}: {e.strerror or e}") from None
    asked: list[bool] = []

    def no_passphrase() -> bytes:
        asked.append(True)
        return b""

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(str(certfile), str(keyfile), password=no_passphrase)
    except (ssl.SSLError, OSError) as e:
        if asked:
            raise CertificateError(f"the key {keyfile} is protected by a passphrase: give an unencrypted key "
                                   "(e.g. openssl pkey -in KEY -out plain.pem), kept readable only by you") from None
        raise CertificateError(f"cannot use {certfile} with {keyfile}: {e} (expected PEM files, the key belonging "
                               "to the certificate)") from None
