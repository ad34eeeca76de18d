"""The CI gate's extras: --update-baseline, --report-unused-suppressions, --diff-base, and the
integration files (GitHub Action, pre-commit hook, GitLab job)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import json_report_errors

from scanner.cli import main
from scanner.diff import in_changed, relative_changes

ROOT = Path(__file__).parent.parent
NB_RULE = "sagemaker-notebook-no-direct-internet"
FLAWED_NB = (
    'resource "aws_sagemaker_notebook_instance" "{name}" {{\n'
    '  name          = "{name}"\n  role_arn      = "arn:aws:iam::123456789012:role/x"\n'
    '  instance_type = "ml.t3.medium"\n  direct_internet_access = "Enabled"\n}}\n'
)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_update_baseline_rewrites_file_and_gates_on_the_old_one(tmp_path):
    tf = tmp_path / "tf"
    tf.mkdir()
    (tf / "a.tf").write_text(FLAWED_NB.format(name="a"))
    base = tmp_path / "baseline.json"
    # no baseline yet: --update-baseline creates it; everything is new, so the gate fails
    first = run("scan", "iac", str(tf), "-q", "--baseline", str(base), "--update-baseline")
    assert first.exit_code == 1, first.output
    data = json.loads(base.read_text())
    assert data["baseline_version"] == "1"
    old = {f["fingerprint"] for f in data["findings"]}
    assert any(f["rule_id"] == NB_RULE for f in data["findings"])
    # a new flaw: the gate judges against the old baseline (fails), the file now holds it
    (tf / "b.tf").write_text(FLAWED_NB.format(name="b"))
    second = run("scan", "iac", str(tf), "-q", "--baseline", str(base), "--update-baseline")
    assert second.exit_code == 1, second.output
    now = {f["fingerprint"] for f in json.loads(base.read_text())["findings"]}
    assert old < now
    # against the updated baseline, the same tree passes
    assert run("scan", "iac", str(tf), "-q", "--baseline", str(base)).exit_code == 0
    # --update-baseline without --baseline is a usage error
    assert run("scan", "iac", str(tf), "-q", "--update-baseline").exit_code == 2


def test_report_unused_suppressions(tmp_path):
    tf = tmp_path / "tf"
    tf.mkdir()
    (tf / "a.tf").write_text(
        'resource "aws_sagemaker_notebook_instance" "a" {\n'
        f'  # mlposture:ignore {NB_RULE} reason="lab"\n'
        '  # mlposture:ignore lambda-function-in-vpc reason="not a lambda"\n'
        '  name          = "a"\n  role_arn      = "arn:aws:iam::123456789012:role/x"\n'
        '  instance_type = "ml.t3.medium"\n  direct_internet_access = "Enabled"\n}\n'
    )
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        "suppressions:\n"
        f"  - rule: {NB_RULE}\n    resource: 'tf:aws_sagemaker_notebook_instance.a'\n    reason: used\n"
        f"  - rule: {NB_RULE}\n    resource: 'tf:no_such_resource.*'\n    reason: stale\n"
    )
    out = tmp_path / "r.json"
    r = run("scan", "iac", str(tf), "--config", str(cfg), "--report-unused-suppressions", "-o", f"json={out}")
    assert r.exit_code in (0, 1), r.output
    doc = json.loads(out.read_text())
    assert json_report_errors(doc) == []
    unused = doc["scan"]["unused_suppressions"]
    kinds = {(u["kind"], u["rule"], u["resource"]) for u in unused}
    assert ("inline", "lambda-function-in-vpc", "tf:aws_sagemaker_notebook_instance.a") in kinds
    assert ("config", NB_RULE, "tf:no_such_resource.*") in kinds
    assert not any(u["rule"] == NB_RULE and u["kind"] == "inline" for u in unused)  # it matched
    assert not any(
        u["resource"] == "tf:aws_sagemaker_notebook_instance.a" for u in unused if u["kind"] == "config"
    )
    inline = next(u for u in unused if u["kind"] == "inline")
    assert inline["where"].startswith("a.tf")
    assert any(u["where"].endswith("suppressions[1]") for u in unused)
    assert "unused suppressions: 2" in r.output and "lambda-function-in-vpc" in r.output
    # without the flag, nothing is reported
    plain = tmp_path / "p.json"
    run("scan", "iac", str(tf), "--config", str(cfg), "-q", "-o", f"json={plain}")
    assert "unused_suppressions" not in json.loads(plain.read_text())["scan"]


def test_diff_paths_pure():
    changed = relative_changes(["infra/new.tf", "other/x.tf"], "/repo", "/repo/infra")
    assert in_changed("new.tf", changed, "/repo/infra")
    assert in_changed("./new.tf", changed, "/repo/infra")
    assert in_changed("/repo/other/x.tf", changed, "/repo/infra")
    assert not in_changed("old.tf", changed, "/repo/infra")
    assert not in_changed(None, changed, "/repo/infra")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_base_gates_only_changed_files(tmp_path):
    repo = tmp_path / "repo"
    tf = repo / "tf"
    tf.mkdir(parents=True)
    (tf / "ok.tf").write_text('variable "x" {\n  default = 1\n}\n')
    (tf / "old.tf").write_text(FLAWED_NB.format(name="old"))
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    (tf / "readme.txt").write_text("x\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "second")
    # a flaw already there before the base does not gate
    out = tmp_path / "a.json"
    r = run("scan", "iac", str(tf), "-q", "--diff-base", "HEAD~1", "-o", f"json={out}")
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert json_report_errors(doc) == []
    assert doc["scan"]["diff_base"] == "HEAD~1"
    fails = [f for f in doc["findings"] if f["status"] == "fail"]
    assert fails and all(f["in_diff"] is False for f in fails)
    # a new flawed file (committed on the branch) gates; the old flaw is still reported
    (tf / "new.tf").write_text(FLAWED_NB.format(name="new"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "third")
    r = run("scan", "iac", str(tf), "-q", "--diff-base", "HEAD~1", "-o", f"json={out}")
    assert r.exit_code == 1, r.output
    doc = json.loads(out.read_text())
    by_file = {(f["location"]["file"], f["in_diff"]) for f in doc["findings"] if f["status"] == "fail"}
    assert ("new.tf", True) in by_file and ("old.tf", False) in by_file
    assert not any(file == "old.tf" and d for file, d in by_file)
    # an uncommitted (untracked) flawed file counts as changed too
    (tf / "wip.tf").write_text(FLAWED_NB.format(name="wip"))
    r = run("scan", "iac", str(tf), "-q", "--diff-base", "HEAD", "-o", f"json={out}")
    assert r.exit_code == 1, r.output
    files = {f["location"]["file"] for f in json.loads(out.read_text())["findings"] if f.get("in_diff")}
    assert files == {"wip.tf"}
    # usage errors: an unknown ref, a directory outside any repository
    assert run("scan", "iac", str(tf), "-q", "--diff-base", "no-such-ref").exit_code == 2
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.tf").write_text(FLAWED_NB.format(name="a"))
    bad = run("scan", "iac", str(outside), "-q", "--diff-base", "HEAD")
    assert bad.exit_code == 2 and "git" in bad.output


def test_action_yml():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"path", "fail-on", "sarif-file", "baseline", "extra-args"} <= set(action["inputs"])
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@v3"))
    assert upload["if"] == "always()"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "pip install" in runs and "mlposture scan iac" in runs
    assert "GITHUB_STEP_SUMMARY" in runs and "sarif=" in runs and "md=" in runs
    assert all(s.get("shell") == "bash" for s in steps if "run" in s)


def test_pre_commit_hook():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "mlposture")
    assert hook["entry"].startswith("mlposture scan iac")
    assert hook["language"] == "python" and hook["pass_filenames"] is False


def test_gitlab_job():
    doc = yaml.safe_load((ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text())
    job = next(v for v in doc.values() if isinstance(v, dict) and "script" in v)
    script = "\n".join(job["script"])
    assert "mlposture scan iac" in script and "junit=" in script and "sarif=" in script
    reports = job["artifacts"]["reports"]
    assert reports["junit"]
    assert any(p.endswith(".sarif") for p in job["artifacts"]["paths"])
