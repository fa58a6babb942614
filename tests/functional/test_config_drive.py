"""The metadata tree and the config drive built from it."""
from __future__ import annotations

import base64
import json
import pathlib
import subprocess

from compute_agent.virt import configdrive
from stratus import instance_metadata

INSTANCE = {"uuid": "6f1c1a4e-0000-4000-8000-000000000001", "id": 42, "name": "web 1",
            "hostname": "web-1", "launch_index": 0, "availability_zone": "nova",
            "project_id": "p1", "metadata": {"role": "web"}, "key_name": "k",
            "key_data": "ssh-ed25519 AAAAC3Nz test", "image_ref": "img-1",
            "reservation_id": "r-1", "flavor": {"name": "m1.tiny"},
            "user_data": base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
            "config_drive": "True"}


def test_meta_data_content() -> None:
    meta = instance_metadata.meta_data(INSTANCE)
    assert meta["uuid"] == INSTANCE["uuid"] and meta["hostname"] == "web-1.novalocal"
    assert meta["public_keys"] == {"k": "ssh-ed25519 AAAAC3Nz test"}
    assert meta["meta"] == {"role": "web"}
    ec2 = instance_metadata.ec2_meta_data(INSTANCE)
    assert ec2["instance-id"] == "i-0000002a" and ec2["instance-type"] == "m1.tiny"
    files = instance_metadata.files(INSTANCE)
    assert files["openstack/latest/user_data"] == b"#!/bin/sh\necho hi\n"
    assert json.loads(files["openstack/2012-08-10/meta_data.json"])["name"] == "web 1"
    assert "openstack/latest/network_data.json" in files and "ec2/latest/user-data" in files
    without = instance_metadata.files({**INSTANCE, "user_data": None})
    assert "openstack/latest/user_data" not in without


def test_config_drive_is_an_iso_labelled_config_2(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "disk.config"
    configdrive.build(INSTANCE, path)
    info = subprocess.run(["isoinfo", "-d", "-i", str(path)], capture_output=True,
                          text=True).stdout
    assert "Volume id: config-2" in info
    listing = subprocess.run(["isoinfo", "-R", "-f", "-i", str(path)], capture_output=True,
                             text=True).stdout.split()
    assert "/openstack/latest/meta_data.json" in listing
    assert "/openstack/latest/user_data" in listing and "/ec2/2009-04-04/meta-data.json" in listing
    data = subprocess.run(["isoinfo", "-R", "-i", str(path), "-x",
                           "/openstack/latest/meta_data.json"], capture_output=True).stdout
    assert json.loads(data)["uuid"] == INSTANCE["uuid"]
