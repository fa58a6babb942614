"""/os-keypairs: generate, import, per-user isolation, quota."""
from __future__ import annotations

from compute_api import keypair_crypto
from tests.functional.conftest import Cloud

V22 = {"OpenStack-API-Version": "compute 2.2"}


def test_generate_and_import(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = {**member["headers"], **V22}
    resp = cloud.compute.post("/v2.1/os-keypairs", headers=h, json={"keypair": {"name": "gen"}})
    assert resp.status_code == 201
    generated = resp.json()["keypair"]
    assert generated["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert generated["public_key"].startswith("ssh-rsa ")
    assert generated["type"] == "ssh" and generated["user_id"] == member["user_id"]
    assert generated["fingerprint"] == keypair_crypto.fingerprint(generated["public_key"])

    _private, public = keypair_crypto.generate_ssh()
    imported = cloud.compute.post("/v2.1/os-keypairs", headers=h, json={
        "keypair": {"name": "mine", "public_key": public}}).json()["keypair"]
    assert "private_key" not in imported and imported["public_key"] == public

    listed = cloud.compute.get("/v2.1/os-keypairs", headers=h).json()["keypairs"]
    assert sorted(k["keypair"]["name"] for k in listed) == ["gen", "mine"]
    shown = cloud.compute.get("/v2.1/os-keypairs/mine", headers=h).json()["keypair"]
    assert shown["user_id"] == member["user_id"] and shown["fingerprint"] == imported[
        "fingerprint"]

    dup = cloud.compute.post("/v2.1/os-keypairs", headers=h, json={"keypair": {"name": "mine"}})
    assert dup.status_code == 409
    bad = cloud.compute.post("/v2.1/os-keypairs", headers=h, json={
        "keypair": {"name": "bad", "public_key": "ssh-rsa not-a-key"}})
    assert bad.status_code == 400 and "Keypair data is invalid" in bad.text
    badname = cloud.compute.post("/v2.1/os-keypairs", headers=h,
                                 json={"keypair": {"name": "no/slash"}})
    assert badname.status_code == 400

    other = cloud.make_user("member", project=member["project_name"])
    assert cloud.compute.get("/v2.1/os-keypairs/mine", headers=other["headers"]).status_code \
        == 404
    assert cloud.compute.delete("/v2.1/os-keypairs/mine", headers=h).status_code == 204
    old = cloud.compute.delete("/v2.1/os-keypairs/gen", headers=member["headers"])
    assert old.status_code == 202
    assert cloud.compute.get("/v2.1/os-keypairs", headers=h).json() == {"keypairs": []}


def test_generated_x509_key_pair(cloud: Cloud) -> None:
    """2.2 `type: x509` with no public key: a private key and a self-signed certificate
    for the user, fingerprinted as SHA-1 of the certificate."""
    from cryptography import x509
    member = cloud.make_user("member")
    h = {**member["headers"], **V22}
    resp = cloud.compute.post("/v2.1/os-keypairs", headers=h,
                              json={"keypair": {"name": "win", "type": "x509"}})
    assert resp.status_code == 201, resp.text
    created = resp.json()["keypair"]
    assert created["type"] == "x509"
    assert created["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    cert = x509.load_pem_x509_certificate(created["public_key"].encode())
    assert cert.subject.rfc4514_string() == f"CN={member['user_id']}"
    assert created["fingerprint"] == keypair_crypto.fingerprint(created["public_key"], "x509")
    shown = cloud.compute.get("/v2.1/os-keypairs/win", headers=h).json()["keypair"]
    assert (shown["type"], shown["public_key"]) == ("x509", created["public_key"])


def test_key_pair_quota(cloud: Cloud) -> None:
    admin = cloud.headers()
    member = cloud.make_user("member")
    cloud.compute.put(f"/v2.1/os-quota-sets/{member['project_id']}", headers=admin,
                      json={"quota_set": {"key_pairs": 1}})
    _p, public = keypair_crypto.generate_ssh()
    first = cloud.compute.post("/v2.1/os-keypairs", headers=member["headers"],
                               json={"keypair": {"name": "one", "public_key": public}})
    assert first.status_code == 200
    second = cloud.compute.post("/v2.1/os-keypairs", headers=member["headers"],
                                json={"keypair": {"name": "two", "public_key": public}})
    assert second.status_code == 403 and "key pairs" in second.json()["forbidden"]["message"]


def test_server_with_key_pair(cloud: Cloud) -> None:
    admin = cloud.headers()
    kp = cloud.compute.post("/v2.1/os-keypairs", headers=admin,
                            json={"keypair": {"name": "k"}}).json()["keypair"]
    sid = cloud.boot(admin, cloud.create_image(admin)["id"], key_name="k")["id"]
    server = cloud.wait_for_server(admin, sid)
    assert server["key_name"] == "k"
    from conductor import rpcapi as conductor_rpcapi
    from stratus.context import get_admin_context
    row = conductor_rpcapi.client().instance_get(get_admin_context(), instance_uuid=sid)
    assert row["key_data"] == kp["public_key"]
