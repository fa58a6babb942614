"""/servers/{id}/tags (2.26) and the tag filters of the server lists."""
from __future__ import annotations

from tests.functional.conftest import Cloud
from tests.functional.microversions import at


def test_a_server_s_tags_are_listed_replaced_added_and_removed(cloud: Cloud) -> None:
    member = cloud.make_user("member")
    h = at(member["headers"], 26)
    sid = cloud.active_server(member["headers"])
    url = f"/v2.1/servers/{sid}/tags"
    assert cloud.compute.get(url, headers=at(member["headers"], 25)).status_code == 404
    assert cloud.compute.get(url, headers=h).json() == {"tags": []}
    replaced = cloud.compute.put(url, headers=h, json={"tags": ["web", "prod", "web"]})
    assert replaced.status_code == 200 and replaced.json() == {"tags": ["web", "prod"]}
    added = cloud.compute.put(f"{url}/blue", headers=h)
    assert added.status_code == 201 and added.headers["Location"].endswith(f"{url}/blue")
    assert cloud.compute.put(f"{url}/blue", headers=h).status_code == 204
    assert cloud.compute.get(f"{url}/blue", headers=h).status_code == 204
    assert cloud.compute.get(f"{url}/green", headers=h).status_code == 404
    assert cloud.compute.delete(f"{url}/prod", headers=h).status_code == 204
    assert cloud.compute.delete(f"{url}/prod", headers=h).status_code == 404
    shown = cloud.compute.get(f"/v2.1/servers/{sid}", headers=h).json()["server"]
    assert shown["tags"] == ["web", "blue"]
    for bad in ({"tags": ["a/b"]}, {"tags": ["x" * 61]}, {"tags": "web"},
                {"tags": [str(i) for i in range(51)]}):
        assert cloud.compute.put(url, headers=h, json=bad).status_code == 400, bad
    assert cloud.compute.put(f"{url}/a,b", headers=h).status_code == 400
    reader = cloud.make_user("reader", project=member["project_name"])["headers"]
    assert cloud.compute.get(url, headers=at(reader, 26)).status_code == 200
    assert cloud.compute.put(f"{url}/red", headers=at(reader, 26)).status_code == 403
    assert cloud.compute.delete(url, headers=h).status_code == 204
    assert cloud.compute.get(url, headers=h).json() == {"tags": []}


def test_the_tag_filters_of_server_lists(cloud: Cloud) -> None:
    admin = cloud.headers()
    h = at(admin, 26)
    a, b, c = (cloud.active_server(admin) for _ in range(3))
    for sid, tags in ((a, ["web", "prod"]), (b, ["web"]), (c, [])):
        cloud.compute.put(f"/v2.1/servers/{sid}/tags", headers=h, json={"tags": tags})
    created = cloud.boot(admin, cloud.create_image(admin)["id"], version="2.52",
                         tags=["db", "prod"])["id"]
    cloud.wait_for_server(admin, created)

    def ids(**params: str) -> set[str]:
        listed = cloud.compute.get("/v2.1/servers", params=params, headers=h).json()
        return {s["id"] for s in listed["servers"]}

    assert ids(tags="web,prod") == {a}
    assert ids(**{"tags-any": "web,db"}) == {a, b, created}
    assert ids(**{"not-tags": "web,prod"}) == {b, c, created}
    assert ids(**{"not-tags-any": "web,db"}) == {c}
    assert ids(tags="prod") == {a, created}
    # Deleted servers drop out of the filters with their tags.
    cloud.compute.delete(f"/v2.1/servers/{a}", headers=admin)
    cloud.wait_until_gone(admin, a)
    assert ids(tags="prod") == {created}
