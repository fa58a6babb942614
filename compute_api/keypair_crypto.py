"""Generating SSH key pairs and fingerprinting public keys."""
from __future__ import annotations

import base64
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from stratus import exception


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


def generate_ssh() -> tuple[str, str]:
    """A new RSA key: (private key PEM, OpenSSH public key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, public + " Generated-by-Stratus"


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
