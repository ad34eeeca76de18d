"""The canonical model: attribute views, unresolved values, inventory round trip."""

from __future__ import annotations

import json

import pytest

from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, SourceRef, Suppression, Unresolved, UnresolvedAccess


def make(uid="tf:aws_x.y", **attrs) -> Resource:
    return Resource(
        uid=uid,
        type="aws.lambda.function",
        provider="aws",
        name="y",
        attrs=attrs,
        source=SourceRef("iac", "main.tf", 3, 9, dialect="terraform"),
        lines={"environment": 5, "vpc_config.subnet_ids": 7},
    )


def test_view_raises_on_unresolved_with_its_path():
    r = make(vpc_config={"subnet_ids": [Unresolved("var.subnets")]}, runtime=Unresolved("var.rt"))
    with pytest.raises(UnresolvedAccess) as e:
        r.a["runtime"]
    assert e.value.path == "runtime" and e.value.expr == "var.rt"
    with pytest.raises(UnresolvedAccess) as e:
        list(r.a["vpc_config"]["subnet_ids"])
    assert e.value.path == "vpc_config.subnet_ids[0]"


def test_view_get_default_and_raw():
    r = make(tracing_mode=None, runtime=Unresolved("var.rt"))
    assert r.a.get("tracing_mode", "PassThrough") == "PassThrough"
    assert r.a.get("missing", 1) == 1
    assert r.a.is_unresolved("runtime")
    assert isinstance(r.a.raw("runtime"), Unresolved)


def test_line_of_walks_up_to_the_nearest_written_parent():
    r = make()
    assert r.line_of("vpc_config.subnet_ids[2]") == 7
    assert r.line_of("environment.TOKEN") == 5
    assert r.line_of("kms_key_arn") == 3


def test_inventory_round_trip_is_identical(tmp_path):
    inv = Inventory()
    role = Resource(
        "tf:aws_iam_role.exec",
        "aws.iam.role",
        "aws",
        "exec",
        attrs={"arn": "arn:aws:iam::1:role/exec", "managed_policy_arns": []},
    )
    fn = make(
        role_arn=Ref("tf:aws_iam_role.exec", "arn"),
        kms_key_arn=Unresolved("var.kms"),
        environment={"MODE": "prod"},
    )
    fn.suppressions = [Suppression("lambda-function-tracing-active", "batch job", "2030-01-01", 4)]
    fn.provenance = {"tracing_mode": "default", "kms_key_arn": "unresolved"}
    inv.add(role)
    inv.add(fn)
    inv.relate(fn.uid, "execution_role", "arn:aws:iam::1:role/exec", "role_arn")
    inv.link()
    path = tmp_path / "inv.json"
    inv.save(path)
    back = Inventory.load(path)
    assert json.dumps(back.to_json(), sort_keys=True) == json.dumps(inv.to_json(), sort_keys=True)
    assert back.resources[fn.uid].attrs["role_arn"] == Ref("tf:aws_iam_role.exec", "arn")
    assert back.resources[fn.uid].attrs["kms_key_arn"] == Unresolved("var.kms")
    assert [r.uid for r in back.related(fn.uid, "execution_role")] == [role.uid]
    assert back.resources[fn.uid] == inv.resources[fn.uid]


def test_link_resolves_arns_to_uids():
    inv = Inventory()
    inv.add(Resource("tf:aws_iam_role.r", "aws.iam.role", "aws", "r", attrs={"arn": "arn:aws:iam::1:role/r"}))
    inv.relate("x", "execution_role", "arn:aws:iam::1:role/r")
    inv.relate("x", "execution_role", "arn:aws:iam::1:role/not-here")
    inv.link()
    assert [rel.dst for rel in inv.outgoing("x")] == ["tf:aws_iam_role.r", "arn:aws:iam::1:role/not-here"]


def test_unsupported_inventory_version():
    with pytest.raises(ValueError):
        Inventory.from_json({"inventory_version": "99", "resources": []})
