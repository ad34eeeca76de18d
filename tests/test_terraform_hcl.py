"""The Terraform HCL front-end: parsing, expression evaluation, variables, references,
count/for_each, modules, errors, suppressions and line numbers, on TfResource output."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from scanner.collect.iac import terraform
from scanner.collect.iac.terraform import load_tf_resources
from scanner.model.batch import Batch
from scanner.model.resource import Ref, Unresolved


def write(root: Path, files: dict[str, str | bytes]) -> list[Path]:
    out = []
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text)
        out.append(p)
    return out


def scan(root: Path, files: dict[str, str | bytes], given: list[str] | None = None):
    paths = write(root, files)
    if given is not None:
        paths = [root / g for g in given]
    resources, errors, _ = load_tf_resources(paths, root)
    return {r.address: r for r in resources}, errors


def one(root: Path, body: str, extra: dict[str, str] | None = None) -> dict:
    """The config of resource `aws_x.t` written in `body`."""
    res, errors = scan(root, {"main.tf": f'resource "aws_x" "t" {{\n{body}\n}}\n', **(extra or {})})
    assert not errors, errors
    return res["aws_x.t"].config


# ------------------------------------------------------------------ literals and templates


def test_literals(tmp_path):
    c = one(
        tmp_path,
        'a = "s"\nb = 42\nc = 1.5\nd = true\ne = null\nf = [1, "x"]\ng = { k = "v", "q" = 2 }\n'
        'h = "esc\\t\\"q\\" $${x}"\ni = -3',
    )
    assert c == {
        "a": "s",
        "b": 42,
        "c": 1.5,
        "d": True,
        "e": None,
        "f": [1, "x"],
        "g": {"k": "v", "q": 2},
        "h": 'esc\t"q" ${x}',
        "i": -3,
    }


def test_templates_and_unknown_parts(tmp_path):
    c = one(
        tmp_path,
        'a = "x-${local.n}-${2 + 3}"\nb = "x-${var.nope}"\nc = "${local.n}"',
        {"l.tf": 'locals { n = "ok" }\nvariable "nope" {}\n'},
    )
    assert c["a"] == "x-ok-5"
    assert c["b"] == Unresolved('"x-${var.nope}"', "x-")
    assert c["c"] == "ok"


def test_heredocs(tmp_path):
    body = "a = <<EOT\n  keep ${local.n}\nEOT\nb = <<-EOT\n    one\n      two\n    EOT"
    c = one(tmp_path, body, {"l.tf": 'locals { n = "x" }'})
    assert c["a"] == "  keep x\n"
    assert c["b"] == "one\n  two\n"


def test_operators_conditionals_for(tmp_path):
    c = one(
        tmp_path,
        'a = 1 + 2 * 3 == 7 && !false\nb = var.u ? 1 : 2\nc = true ? "y" : var.u\n'
        'd = [for s in ["a", "b"] : upper(s) if s != "b"]\ne = {for k, v in {x = 1} : v => k}\n'
        "f = [{ id = 1 }, { id = 2 }][*].id\ng = false && var.u",
        {"v.tf": 'variable "u" {}'},
    )
    assert c["a"] is True
    assert isinstance(c["b"], Unresolved)
    assert c["c"] == "y"
    assert c["d"] == ["A"]
    assert c["e"] == {"1": "x"}
    assert c["f"] == [1, 2]
    assert c["g"] is False


def test_functions(tmp_path):
    c = one(
        tmp_path,
        """
      a = jsondecode("{\\"k\\": [1]}")
      b = base64decode(base64encode("hi"))
      c = merge({ a = 1 }, { b = 2 })
      d = concat(["a"], ["b"])
      e = lookup({ a = 1 }, "z", 9)
      f = format("%s-%d", "x", 3)
      g = join(",", split("/", "a/b"))
      h = coalesce("", "x")
      i = try(local.missing_map.key, "fallback")
      j = can(tonumber("x"))
      k = contains(distinct(flatten([["a"], ["a", "b"]])), "b")
      l = keys({ b = 1, a = 2 })
      m = file("${path.module}/policy.json")
      n = file("../outside.txt")
      o = nosuchfunction(1)
      p = length([var.u, 1])
      q = upper(var.u)
    """,
        {"policy.json": '{"x": 1}', "v.tf": 'variable "u" {}\nlocals { missing_map = {} }'},
    )
    assert c["a"] == {"k": [1]}
    assert c["b"] == "hi"
    assert c["c"] == {"a": 1, "b": 2}
    assert c["d"] == ["a", "b"]
    assert c["e"] == 9
    assert c["f"] == "x-3"
    assert c["g"] == "a,b"
    assert c["h"] == "x"
    assert c["i"] == "fallback"
    assert c["j"] is False
    assert c["k"] is True
    assert c["l"] == ["a", "b"]
    assert c["m"] == '{"x": 1}'
    assert isinstance(c["n"], Unresolved)
    assert c["o"] == Unresolved("nosuchfunction(1)")
    assert c["p"] == 2
    assert c["q"] == Unresolved("var.u")


# ------------------------------------------------------------------ variables and locals


def test_variable_precedence(tmp_path):
    files = {
        "main.tf": 'variable "a" { default = "def" }\nvariable "b" { default = "def" }\n'
        'variable "c" { default = "def" }\nvariable "d" {}\n'
        'resource "aws_x" "t" {\n a = var.a\n b = var.b\n c = var.c\n d = var.d\n}\n',
        "terraform.tfvars": 'b = "tfvars"\nc = "tfvars"\n',
        "x.auto.tfvars": 'c = "auto"\n',
        "prod.tfvars": 'a = "not-auto-loaded"\n',
    }
    res, errors = scan(tmp_path, files)
    assert not errors
    c = res["aws_x.t"].config
    assert c == {"a": "def", "b": "tfvars", "c": "auto", "d": Unresolved("var.d")}


def test_locals_and_cycles(tmp_path):
    c = one(
        tmp_path,
        "a = local.full\nb = local.x",
        {"l.tf": 'locals {\n base = "b"\n full = "${local.base}-1"\n x = local.y\n y = local.x\n}'},
    )
    assert c["a"] == "b-1"
    assert isinstance(c["b"], Unresolved)


# ------------------------------------------------------------------ references


def test_references_ref_and_literal_passthrough(tmp_path):
    res, errors = scan(
        tmp_path,
        {
            "main.tf": """
resource "aws_iam_role" "x" {
  name = "foo"
}
resource "aws_iam_role" "many" {
  count = 2
  name  = "r${count.index}"
}
resource "aws_lambda_function" "f" {
  role      = aws_iam_role.x.arn
  role_name = aws_iam_role.x.name
  second    = aws_iam_role.many[1].arn
  second_nm = aws_iam_role.many[1].name
  whole     = aws_iam_role.x
  caller    = data.aws_caller_identity.me.account_id
}
data "aws_caller_identity" "me" {}
"""
        },
    )
    assert not errors
    c = res["aws_lambda_function.f"].config
    assert c["role"] == Ref("tf:aws_iam_role.x", "arn")
    assert c["role_name"] == "foo"
    assert c["second"] == Ref("tf:aws_iam_role.many[1]", "arn")
    assert c["second_nm"] == "r1"
    assert c["whole"] == Ref("tf:aws_iam_role.x", "")
    assert c["caller"] == Unresolved("data.aws_caller_identity.me.account_id")
    assert "data.aws_caller_identity.me" in res


def test_jsonencode_policy_with_a_reference_keeps_structure(tmp_path):
    res, _ = scan(
        tmp_path,
        {
            "main.tf": """
resource "aws_s3_bucket" "b" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }]
  })
  partial = jsonencode({ Statement = [{ Resource = aws_s3_bucket.b.arn }] })
}
"""
        },
    )
    c = res["aws_iam_policy.p"].config
    assert json.loads(c["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
    }
    assert c["partial"] == {"Statement": [{"Resource": Ref("tf:aws_s3_bucket.b", "arn")}]}


def test_aws_iam_policy_document_rendering(tmp_path):
    res, _ = scan(
        tmp_path,
        {
            "main.tf": """
data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "Assume"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["123456789012"]
    }
  }
  statement {
    effect        = "Deny"
    not_actions   = ["iam:*"]
    not_resources = ["arn:aws:s3:::x"]
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""
        },
    )
    doc = json.loads(res["aws_iam_role.r"].config["assume_role_policy"])
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Assume",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Principal": {"Service": ["sagemaker.amazonaws.com"]},
                "Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012"]}},
            },
            {"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": ["arn:aws:s3:::x"]},
        ],
    }


# ------------------------------------------------------------------ count, for_each, dynamic


def test_count_and_for_each_expansion(tmp_path):
    res, _ = scan(
        tmp_path,
        {
            "main.tf": """
variable "n" {}
resource "aws_x" "c" {
  count = 2
  name  = "c-${count.index}"
}
resource "aws_x" "zero" {
  count = 0
}
resource "aws_x" "m" {
  for_each = { a = "A", b = "B" }
  name     = "${each.key}=${each.value}"
}
resource "aws_x" "s" {
  for_each = toset(["p", "q"])
  name     = each.value
}
resource "aws_x" "u" {
  count = var.n
  name  = "u-${count.index}"
}
resource "aws_x" "ufe" {
  for_each = var.n
  name     = each.key
}
"""
        },
    )
    assert res["aws_x.c[0]"].config["name"] == "c-0" and res["aws_x.c[1]"].name == "c[1]"
    assert not any(a.startswith("aws_x.zero") for a in res)
    assert res['aws_x.m["a"]'].config["name"] == "a=A"
    assert res['aws_x.m["b"]'].name == 'm["b"]'
    assert res['aws_x.s["q"]'].config["name"] == "q"
    assert isinstance(res["aws_x.u"].config["name"], Unresolved)
    assert res["aws_x.ufe"].config["name"] == Unresolved("each.key")


def test_dynamic_blocks(tmp_path):
    c = one(
        tmp_path,
        """
  dynamic "ingress" {
    for_each = [80, 443]
    content { port = ingress.value }
  }
  dynamic "egress" {
    for_each = var.rules
    iterator = r
    content { port = r.value }
  }
""",
        {"v.tf": 'variable "rules" {}'},
    )
    assert c["ingress"] == [{"port": 80}, {"port": 443}]
    assert isinstance(c["egress"], Unresolved)


# ------------------------------------------------------------------ modules


def test_local_module_with_inputs_and_outputs(tmp_path):
    res, errors = scan(
        tmp_path,
        {
            "env/main.tf": """
module "nb" {
  source = "../modules/notebook"
  name   = "team-a"
}
resource "aws_x" "uses" {
  bucket = module.nb.bucket_name
  role   = module.nb.role_arn
}
""",
            "modules/notebook/main.tf": """
variable "name" {}
variable "size" { default = "ml.t3.medium" }
resource "aws_s3_bucket" "b" { bucket = "${var.name}-data" }
resource "aws_iam_role" "r" { name = var.name }
resource "aws_sagemaker_notebook_instance" "n" {
  instance_type = var.size
  role_arn      = aws_iam_role.r.arn
}
output "bucket_name" { value = aws_s3_bucket.b.bucket }
output "role_arn" { value = aws_iam_role.r.arn }
""",
        },
    )
    assert not errors
    # the module directory is scanned only through its call, not again as a root
    assert "aws_s3_bucket.b" not in res
    nb = res["module.nb.aws_sagemaker_notebook_instance.n"]
    assert nb.module == "module.nb" and nb.root == "env" and nb.file == "modules/notebook/main.tf"
    assert nb.config == {
        "instance_type": "ml.t3.medium",
        "role_arn": Ref("tf:env:module.nb.aws_iam_role.r", "arn"),
    }
    uses = res["aws_x.uses"].config
    assert uses == {"bucket": "team-a-data", "role": Ref("tf:env:module.nb.aws_iam_role.r", "arn")}


def test_module_output_naming_a_resource_is_that_resources_ref(tmp_path):
    """`module.m.out`, where the output is a resource attribute, is the same `Ref` the
    module's own reference gives (module path and root in the uid), through nested and
    indexed modules; in a template it stays a Ref in `parts`. Outputs that are literals or
    variables stay values."""
    bucket_module = """
variable "name" {}
resource "aws_s3_bucket" "b" { bucket = "${var.name}-data" }
output "arn" { value = aws_s3_bucket.b.arn }
output "objects" { value = "${aws_s3_bucket.b.arn}/*" }
output "label" { value = "fixed" }
output "echo" { value = var.name }
"""
    res, errors = scan(
        tmp_path,
        {
            "env/main.tf": """
variable "unknown" {}
module "one" {
  source = "../modules/bucket"
  name   = "team"
}
module "outer" {
  source = "../modules/outer"
}
module "many" {
  source = "../modules/bucket"
  count  = 2
  name   = "n${count.index}"
}
module "each" {
  source   = "../modules/bucket"
  for_each = toset(["x"])
  name     = each.key
}
resource "aws_x" "uses" {
  arn      = module.one.arn
  objects  = "${module.one.arn}/*"
  wrapped  = "[${module.one.objects}]"
  nested   = module.outer.arn
  counted  = "${module.many[1].arn}/*"
  each     = module.each["x"].arn
  label    = module.one.label
  labelled = "${module.one.label}-x"
  echo     = module.one.echo
  mixed    = "${var.unknown}/${module.one.arn}"
}
""",
            "env/extra.tf.json": json.dumps(
                {"resource": {"aws_x": {"json": {"objects": "${module.one.arn}/*"}}}}
            ),
            "modules/bucket/main.tf": bucket_module,
            "modules/outer/main.tf": """
module "inner" {
  source = "../bucket"
  name   = "deep"
}
output "arn" { value = module.inner.arn }
""",
        },
    )
    assert not errors, errors
    one = Ref("tf:env:module.one.aws_s3_bucket.b", "arn")
    c = res["aws_x.uses"].config
    assert c["arn"] == one
    assert c["objects"] == Unresolved('"${module.one.arn}/*"', "", (one, "/*"))
    assert c["wrapped"].parts == ("[", one, "/*]")
    assert c["nested"] == Ref("tf:env:module.outer.module.inner.aws_s3_bucket.b", "arn")
    assert "module.outer.module.inner.aws_s3_bucket.b" in res
    assert c["counted"].parts == (Ref("tf:env:module.many[1].aws_s3_bucket.b", "arn"), "/*")
    assert res["module.many[1].aws_s3_bucket.b"].config["bucket"] == "n1-data"
    assert c["each"] == Ref('tf:env:module.each["x"].aws_s3_bucket.b', "arn")
    assert 'module.each["x"].aws_s3_bucket.b' in res
    assert (c["label"], c["labelled"], c["echo"]) == ("fixed", "fixed-x", "team")
    # another unknown in the template: nothing to resolve it to
    assert isinstance(c["mixed"], Unresolved) and c["mixed"].parts == ()
    assert res["aws_x.json"].config["objects"].parts == (one, "/*")


def test_template_parts_survive_the_inventory_round_trip():
    from scanner.model.resource import decode_value, encode_value

    u = Unresolved('"${module.one.arn}/*"', "", (Ref("tf:env:module.one.aws_s3_bucket.b", "arn"), "/*"))
    assert encode_value(u) == {
        "$unresolved": '"${module.one.arn}/*"',
        "parts": [{"$ref": "tf:env:module.one.aws_s3_bucket.b", "attr": "arn"}, "/*"],
    }
    assert decode_value(json.loads(json.dumps(encode_value(u)))) == u
    assert decode_value({"$unresolved": "var.x", "prefix": "ab"}) == Unresolved("var.x", "ab")


def test_remote_module_is_an_error_not_a_crash(tmp_path):
    res, errors = scan(
        tmp_path,
        {
            "main.tf": """
module "vpc" {
  source = "terraform-aws-modules/vpc/aws"
}
resource "aws_x" "t" { v = module.vpc.vpc_id }
"""
        },
    )
    assert [(e.reason, e.file, e.unscanned) for e in errors] == [
        (
            "remote module source not fetched: terraform-aws-modules/vpc/aws",
            "main.tf",
            "resources of module vpc",
        )
    ]
    assert isinstance(res["aws_x.t"].config["v"], Unresolved)


def test_module_cycle_is_detected(tmp_path):
    res, errors = scan(
        tmp_path,
        {
            "a/main.tf": 'module "b" { source = "../b" }\nresource "aws_x" "in_a" {}',
            "b/main.tf": 'module "a" { source = "../a" }\nresource "aws_x" "in_b" {}',
        },
    )
    assert any("module cycle" in e.reason for e in errors)
    assert any(a.endswith("aws_x.in_a") for a in res) and any(a.endswith("aws_x.in_b") for a in res)


# ------------------------------------------------------------------ errors, suppressions, lines


def test_syntax_error_file_does_not_stop_others(tmp_path):
    res, errors = scan(
        tmp_path,
        {
            "bad.tf": 'resource "aws_x" "bad" {\n  a = \n  b = 1\n}\n',
            "good.tf": 'resource "aws_x" "good" { a = 1 }\n',
            "latin1.tf": b'resource "aws_x" "l" { a = "caf\xe9" }\n',
        },
    )
    assert "aws_x.good" in res and "aws_x.bad" not in res
    by_file = {e.file: e for e in errors}
    assert "line 2" in by_file["bad.tf"].reason
    assert by_file["bad.tf"].unscanned == "every resource in this file"
    assert by_file["bad.tf"].source == "terraform"
    assert "UTF-8" in by_file["latin1.tf"].reason


def test_tf_json_files(tmp_path):
    res, errors = scan(
        tmp_path,
        {
            "main.tf.json": json.dumps(
                {
                    "variable": {"env": {"default": "dev"}},
                    "resource": {
                        "aws_lambda_function": {
                            "f": {
                                "function_name": "fn-${var.env}",
                                "tags": {"a": "b"},
                                "vpc_config": {"subnet_ids": ["s-1"]},
                            }
                        }
                    },
                },
                indent=2,
            )
        },
    )
    assert not errors
    c = res["aws_lambda_function.f"].config
    assert c == {"function_name": "fn-dev", "tags": {"a": "b"}, "vpc_config": [{"subnet_ids": ["s-1"]}]}


def test_suppressions(tmp_path):
    res, _ = scan(
        tmp_path,
        {
            "main.tf": """
# mlposture:ignore sagemaker-notebook-no-direct-internet reason="lab only" expires=2030-01-31
resource "aws_x" "a" {
  // mlposture:ignore lambda-x reason=short
  #checkov:skip=CKV_AWS_20:public by design
  v = 1
}

resource "aws_x" "b" {}
"""
        },
    )
    sup = res["aws_x.a"].suppressions
    assert [(s.rule, s.reason, s.expires, s.line) for s in sup] == [
        ("sagemaker-notebook-no-direct-internet", "lab only", "2030-01-31", 2),
        ("lambda-x", "short", None, 4),
        ("CKV_AWS_20", "public by design", None, 5),
    ]
    assert res["aws_x.b"].suppressions == []


def test_line_numbers(tmp_path):
    res, _ = scan(
        tmp_path,
        {
            "main.tf": """resource "aws_lambda_function" "f" {
  function_name = "x"

  vpc_config {
    subnet_ids = ["a"]
  }
  environment {
    variables = {
      TOKEN = "x"
    }
  }
}
"""
        },
    )
    r = res["aws_lambda_function.f"]
    assert (r.file, r.start_line, r.end_line) == ("main.tf", 1, 12)
    assert r.lines["function_name"] == 2
    assert r.lines["vpc_config[0]"] == 4
    assert r.lines["vpc_config[0].subnet_ids"] == 5
    assert r.lines["environment[0].variables.TOKEN"] == 9


def test_single_file_is_its_own_root(tmp_path):
    res, _ = scan(
        tmp_path, {"a.tf": 'resource "aws_x" "a" {}', "b.tf": 'resource "aws_x" "b" {}'}, given=["a.tf"]
    )
    assert list(res) == ["aws_x.a"]
    assert res["aws_x.a"].root == "." and res["aws_x.a"].uid == "tf:aws_x.a"


def test_load_hands_records_to_the_mapping(tmp_path, monkeypatch):
    seen = []

    def normalize(tf_resources):
        seen.extend(tf_resources)
        return Batch("terraform")

    monkeypatch.setitem(
        sys.modules, "scanner.normalize.terraform.mapping", types.SimpleNamespace(normalize=normalize)
    )
    paths = write(tmp_path, {"main.tf": 'resource "aws_x" "a" {}\nmodule "r" { source = "git::https://x" }'})
    batch = terraform.load(paths, tmp_path)
    assert [r.address for r in seen] == ["aws_x.a"]
    assert batch.files == 1
    assert [e.reason for e in batch.errors] == ["remote module source not fetched: git::https://x"]


@pytest.mark.parametrize("source", ['"${var.x}"', "<<EOT\n${var.x}\nEOT"])
def test_unknown_never_passes_as_known(tmp_path, source):
    c = one(tmp_path, f"a = {source}", {"v.tf": 'variable "x" {}'})
    assert isinstance(c["a"], Unresolved)
