"""Generating SSH key pairs and x509 certificates, and fingerprinting public keys."""
from __future__ import annotations

import base64
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from stratus import exception


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


def _new_key() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()).decode()


def generate_ssh() -> tuple[str, str]:
    """A new RSA key: (private key PEM, OpenSSH public key)."""
    key, private = _new_key()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, public + " Generated-by-Stratus"


def generate_x509(user_id: str) -> tuple[str, str]:
    """A new RSA key and a self-signed client certificate for it, as Nova makes for
    x509 (WinRM) key pairs: (private key PEM, certificate PEM), valid ten years."""
    key, private = _new_key()
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, user_id)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return private, cert.public_bytes(serialization.Encoding.PEM).decode()


def fingerprint(public_key: str, key_type: str = "ssh") -> str:
    try:
        if key_type == "x509":
            cert = x509.load_pem_x509_certificate(public_key.encode())
            return _colon_hex(hashlib.sha1(cert.public_bytes(
                serialization.Encoding.DER)).digest())
        serialization.load_ssh_public_key(" ".join(public_key.split()[:2]).encode())
        blob = base64.b64decode(public_key.split()[1])
        return _colon_hex(hashlib.md5(blob).digest())
    except (ValueError, IndexError, TypeError, base64.binascii.Error,
            NotImplementedError):
        raise exception.Invalid("Keypair data is invalid: failed to generate "
                                "fingerprint") from None
