"""`scan inventory A.json B.json`: saved inventories are joined into one estate, so a scan
of a cluster and a scan of its cloud account are evaluated (and graphed) together."""

from __future__ import annotations

import json

from click.testing import CliRunner

from scanner.cli import main
from scanner.model.inventory import Inventory
from scanner.model.resource import Relation, Resource


def _inv(resources, relations=(), aliases=None) -> Inventory:
    inv = Inventory()
    inv.extend(resources, relations)
    for a, uid in (aliases or {}).items():
        inv.add_alias(a, uid)
    return inv


def test_join_keeps_everything_and_links_across(tmp_path):
    role_arn = "arn:aws:iam::123456789012:role/trainer"
    cloud = _inv([Resource("tf:aws_iam_role.trainer", "aws.iam.role", "aws", "trainer", {"arn": role_arn})])
    cluster = _inv(
        [Resource("k8s:prod/ml/ServiceAccount/trainer", "k8s.service_account", "k8s", "trainer", {})],
        [Relation("k8s:prod/ml/ServiceAccount/trainer", "assumes_cloud_role", role_arn, "annotations")],
    )
    a, b = tmp_path / "cloud.json", tmp_path / "cluster.json"
    cloud.save(a)
    cluster.save(b)

    joined = Inventory.load(a)
    joined.merge(Inventory.load(b))
    joined.link()
    assert len(joined) == 2
    rel = joined.outgoing("k8s:prod/ml/ServiceAccount/trainer", "assumes_cloud_role")
    assert rel and rel[0].dst == "tf:aws_iam_role.trainer"  # the ARN resolved across inventories

    out = tmp_path / "joined.json"
    res = CliRunner().invoke(main, ["scan", "inventory", str(a), str(b), "-q", "-o", f"json={out}"])
    assert res.exit_code in (0, 1, 3), res.output
    report = json.loads(out.read_text())
    assert report["summary"]["resources"] == 2


def test_a_bad_inventory_among_several_is_a_usage_error(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    _inv([Resource("x", "aws.iam.role", "aws", "x", {})]).save(good)
    bad.write_text('{"inventory_version": "99"}')
    res = CliRunner().invoke(main, ["scan", "inventory", str(good), str(bad), "-q"])
    assert res.exit_code == 2
    assert "bad.json" in res.output and "not a mlposture inventory" in res.output
