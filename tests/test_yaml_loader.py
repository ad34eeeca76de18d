"""Safe YAML: lines on mappings, CloudFormation tags, and limits on hostile documents."""

from __future__ import annotations

import pytest
import yaml

from scanner.collect.iac.yaml_loader import YamlLimitError, YamlLimits, load_all, load_one


def test_lines_on_mappings_and_keys():
    doc = load_one("a: 1\nb:\n  c: 2\n  d: [1, 2]\n")
    assert doc["b"].start_line == 3 and doc.key_lines["b"] == 2
    assert doc["b"].key_lines == {"c": 3, "d": 4}
    assert doc["b"]["d"].start_line == 4


def test_cfn_short_tags():
    doc = load_one("A: !Ref P\nB: !GetAtt R.Arn\nC: !Sub ['${X}', {X: 1}]\nD: !If [c, a, b]\n", cfn=True)
    assert doc["A"] == {"Ref": "P"}
    assert doc["B"] == {"Fn::GetAtt": ["R", "Arn"]}
    assert doc["C"] == {"Fn::Sub": ["${X}", {"X": 1}]}
    assert doc["D"] == {"Fn::If": ["c", "a", "b"]}


def test_unknown_tag_is_an_error():
    with pytest.raises(yaml.YAMLError):
        load_one("A: !Bogus x\n", cfn=True)


def test_alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(YamlLimitError, match="alias bomb"):
        load_one("\n".join(lines))


def test_deep_nesting_is_refused():
    with pytest.raises(YamlLimitError, match="nesting"):
        load_one("[" * 300 + "]" * 300, limits=YamlLimits(max_depth=100))


def test_multi_document_and_json():
    assert len(load_all("a: 1\n---\nb: 2\n---\n")) == 3  # the trailing empty document is None
    assert load_one('{"kind": "Pod", "spec": {"containers": []}}')["kind"] == "Pod"


def test_timestamps_stay_strings():
    assert load_one("d: 2024-01-01")["d"] == "2024-01-01"
