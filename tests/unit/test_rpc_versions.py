"""What a client sends: the version a method needs, capped by [upgrade_levels], with the
arguments rewritten for an older peer; and typed payloads across the wire."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from compute_agent.rpcapi import ComputeAPI
from scheduler.rpcapi import SchedulerAPI
from stratus import exception, rpc
from stratus.config import CONF
from stratus.context import get_admin_context
from stratus.objects.request_spec import Destination, GroupRef, RequestSpec


class Recorder:
    """Stands in for oslo.messaging's client: records what would go on the wire."""

    def __init__(self, cap: str | None) -> None:
        self.cap = cap
        self.sent: list[dict[str, Any]] = []

    def can_send_version(self, version: str) -> bool:
        if self.cap is None:
            return True
        return rpc._version(version) <= rpc._version(self.cap)

    def prepare(self, **options: Any) -> "Recorder":
        self.options = options
        return self

    def cast(self, ctxt: Any, method: str, **kwargs: Any) -> None:
        self.sent.append({"method": method, "options": self.options, "kwargs": kwargs})

    def call(self, ctxt: Any, method: str, **kwargs: Any) -> Any:
        self.cast(ctxt, method, **kwargs)
        return "answer"


@pytest.fixture
def capped() -> Iterator[Any]:
    def make(api: type[rpc.RPCAPI], cap: str | None) -> tuple[Any, Recorder]:
        client = api.__new__(api)
        client.version_cap = cap
        recorder = Recorder(cap)
        client._client = recorder  # type: ignore[attr-defined]
        return client, recorder
    yield make


ALTERNATES = [Destination(host="c2", node="c2"), Destination(host="c3", node="c3")]


def test_current_peer_gets_typed_alternates_at_the_new_version(capped: Any) -> None:
    client, wire = capped(ComputeAPI, None)
    client.build_and_run_instance(get_admin_context(), host="c1", instance={"uuid": "u"},
                                  alternates=ALTERNATES)
    [sent] = wire.sent
    assert sent["options"] == {"version": "1.3", "server": "c1"}
    assert sent["kwargs"] == {"instance": {"uuid": "u"}, "alternates": ALTERNATES}


def test_older_peer_gets_the_previous_form(capped: Any) -> None:
    client, wire = capped(ComputeAPI, "1.2")
    client.build_and_run_instance(get_admin_context(), host="c1", instance={"uuid": "u"},
                                  alternates=ALTERNATES)
    [sent] = wire.sent
    assert sent["options"] == {"version": "1.0", "server": "c1"}
    assert sent["kwargs"]["alternates"] == [{"host": "c2", "node": "c2"},
                                            {"host": "c3", "node": "c3"}]


def test_a_method_newer_than_the_cap_is_refused_clearly(capped: Any) -> None:
    client, wire = capped(ComputeAPI, "1.1")
    with pytest.raises(exception.RPCVersionTooNew, match="build_status.*1.2"):
        client.build_status(get_admin_context(), host="c1", instance_uuid="u")
    assert wire.sent == []


def test_declared_timeout_and_fanout_reach_the_client(capped: Any) -> None:
    client, wire = capped(ComputeAPI, None)
    assert client.build_status(get_admin_context(), host="c1", instance_uuid="u") == "answer"
    assert wire.sent[0]["options"] == {"version": "1.2", "server": "c1", "timeout": 5}
    scheduler, wire = capped(SchedulerAPI, None)
    scheduler.host_states_changed(get_admin_context())
    assert wire.sent[0]["options"] == {"version": "1.1", "fanout": True}


def test_arguments_are_keywords_checked_against_the_declaration(capped: Any) -> None:
    client, wire = capped(ComputeAPI, None)
    with pytest.raises(TypeError):
        client.terminate_instance(get_admin_context(), host="c1")  # no instance
    with pytest.raises(TypeError):
        client.terminate_instance(get_admin_context(), host="c1", instance={}, extra=1)
    assert wire.sent == []


def test_payloads_cross_the_wire_as_their_own_type() -> None:
    spec = RequestSpec(flavor={"vcpus": 1}, project_id="p", retry_hosts=["c1"],
                       group=GroupRef(uuid="g", policy="anti-affinity"))
    serializer = rpc.Serializer()
    wire = serializer.serialize_entity(None, [[spec, ALTERNATES[0]], {"plain": 1}])
    assert wire[0][0]["stratus_object"]["name"] == "RequestSpec"
    back = serializer.deserialize_entity(None, wire)
    assert back == [[spec, ALTERNATES[0]], {"plain": 1}]
    assert isinstance(back[0][0].group, GroupRef)


def test_a_newer_minor_version_of_a_payload_is_read_and_a_new_major_refused() -> None:
    newer = {"stratus_object": {"name": "Destination", "version": "1.7",
                                "data": {"host": "h", "node": "n", "added_in_1_7": True}}}
    assert rpc.Serializer().deserialize_entity(None, newer) == Destination(host="h", node="n")
    newer["stratus_object"]["version"] = "2.0"
    with pytest.raises(exception.UnsupportedPayload):
        rpc.Serializer().deserialize_entity(None, newer)


def test_clients_are_shared_per_process_until_the_settings_change() -> None:
    first = ComputeAPI.get()
    assert ComputeAPI.get() is first
    CONF.set_override("compute", "1.2", group="upgrade_levels")
    try:
        capped = ComputeAPI.get()
        assert capped is not first and capped.version_cap == "1.2"
    finally:
        CONF.clear_override("compute", group="upgrade_levels")
    assert ComputeAPI.get().version_cap is None


def test_an_image_list_a_1_0_conductor_can_answer_goes_at_1_0(capped: Any) -> None:
    from conductor.rpcapi.image import ImageAPI
    client, wire = capped(ImageAPI, "1.0")
    client.image_list(get_admin_context(), filters={"name": "x"}, sort=[], limit=1)
    assert wire.sent[0]["options"] == {"version": "1.0"}
    with pytest.raises(exception.RPCVersionTooNew, match="image_list.*1.1"):
        client.image_list(get_admin_context(), filters={"properties": {"a": "b"}}, sort=[],
                          limit=1)
    with pytest.raises(exception.RPCVersionTooNew, match="image_properties_update"):
        client.image_properties_update(get_admin_context(), image_id="i", updates={},
                                       deletes=[])
    assert len(wire.sent) == 1
    current, wire = capped(ImageAPI, None)
    current.image_list(get_admin_context(), filters={"min_ram": 1}, sort=[], limit=1)
    assert wire.sent[0]["options"] == {"version": "1.1"}
