"""The GCP part of the privilege graph, on small Terraform files run through the real IaC
pipeline (fixtures/graph/gcp/<scenario>/): token minting, actAs with compute creation,
three-valued conditions, public invokers, custom roles, unknown roles."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pytest

from scanner.collect.iac import collect_iac
from scanner.engine import build_inventory
from scanner.graph import gcp_roles
from scanner.graph.build import build_graph
from scanner.graph.gcp_iam import evaluate_condition
from scanner.graph.model import INTERNET, PrivilegeGraph, load_techniques

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "graph" / "gcp"
ADMIN = "ADMIN@gcp:p1"


def graph_of(scenario: str) -> PrivilegeGraph:
    batches, found = collect_iac([FIXTURES / scenario])
    errors = list(found.errors) + [e for b in batches for e in b.errors]
    assert not errors, errors
    return build_graph(build_inventory(batches), ("scanner.graph.gcp", "scanner.graph.k8s"))


def member(m: str) -> str:
    return f"gcp:member:{m}"


def edges(g: PrivilegeGraph, src: str, dst: str) -> dict:
    return {e.technique: e for e in g.edges() if e.src == src and e.dst == dst}


def test_token_creator_on_an_owner_service_account_reaches_admin():
    g = graph_of("token-creator")
    alice, deployer = member("user:alice@example.com"), "tf:google_service_account.deployer"
    assert g.resolve("deployer@p1.iam.gserviceaccount.com") == deployer
    assert nx.shortest_path(g.g, alice, ADMIN) == [alice, deployer, ADMIN]
    e = edges(g, alice, deployer)["gcp-sa-get-access-token"]
    assert e.confidence == "certain" and e.permissions == ("iam.serviceAccounts.getAccessToken",)
    assert e.granted_by == ("tf:google_service_account.deployer#iam_members[0]",)
    assert (e.location.file, e.location.start_line) == ("main.tf", 13)  # the iam_member block
    owner = edges(g, deployer, ADMIN)["gcp-project-set-iam-policy"]
    assert (
        owner.granted_by == ("tf:google_project_iam_member.deployer_owner",) and owner.confidence == "certain"
    )


def test_an_unknown_role_makes_its_edges_conditional():
    g = graph_of("token-creator")
    zed = member("user:zed@example.com")
    e = edges(g, zed, "tf:google_service_account.deployer")["gcp-sa-get-access-token"]
    assert e.confidence == "conditional"
    assert any("serviceAccountTokenMagician" in c for c in e.conditions)
    # guessed as "anything of iam.*": nothing outside that service
    assert not edges(g, zed, ADMIN)


def test_organization_owner_is_admin_of_the_projects_of_the_scan():
    g = graph_of("token-creator")
    group = member("group:platform-admins@example.com")
    # roles/owner holds resourcemanager.projects.setIamPolicy, inherited by every project under
    # the organization, but no resourcemanager.organizations permission (Google's role list)
    got = edges(g, group, ADMIN)
    assert got["gcp-project-set-iam-policy"].confidence == "certain"
    assert "gcp-org-set-iam-policy" not in got
    assert not g.has("ADMIN@gcp:unknown")  # an org grant is in no project of its own


def test_act_as_with_run_services_create_reaches_the_account_it_may_act_as_only():
    g = graph_of("actas-run")
    bob, runner = member("user:bob@example.com"), "tf:google_service_account.runner"
    e = edges(g, bob, runner)["gcp-run-service-create"]
    assert e.permissions == ("run.services.create", "iam.serviceAccounts.actAs")
    assert set(e.granted_by) == {
        "tf:google_project_iam_member.bob_run_developer",
        "tf:google_service_account.runner#iam_members[0]",
    }
    assert not nx.has_path(g.g, bob, "tf:google_service_account.other")
    assert not nx.has_path(g.g, member("user:cleo@example.com"), runner)  # actAs alone creates nothing


def test_conditions_are_three_valued():
    g = graph_of("conditions")
    batch = "tf:google_service_account.batch"
    undecided = edges(g, member("user:carol@example.com"), batch)["gcp-sa-get-access-token"]
    assert undecided.confidence == "conditional"
    assert any("resource.name.startsWith" in c for c in undecided.conditions)
    assert not g.has(member("user:dave@example.com")) or not edges(g, member("user:dave@example.com"), batch)
    in_force = edges(g, member("user:erin@example.com"), batch)["gcp-sa-get-access-token"]
    assert in_force.confidence == "certain" and in_force.conditions == ()


def test_all_users_invoker_is_an_internet_path_to_the_run_account_and_its_bucket():
    g = graph_of("public-run")
    service, web = "tf:google_cloud_run_v2_service.predict", "tf:google_service_account.web"
    bucket = "tf:google_storage_bucket.models"
    path = nx.shortest_path(g.g, INTERNET, bucket)
    assert path == [INTERNET, member("allUsers"), service, web, bucket]
    invoke = edges(g, member("allUsers"), service)["gcp-invoke"]
    assert invoke.confidence == "certain" and invoke.granted_by == (f"{service}#invoker_members[0]",)
    assert edges(g, web, bucket)["gcp-storage-read"].permissions == ("storage.objects.get",)
    assert g.node(bucket).kind == "data" and g.node(bucket).sensitive
    assert not nx.has_path(g.g, INTERNET, "tf:google_storage_bucket.private")
    assert not nx.has_path(g.g, INTERNET, ADMIN)


def test_custom_roles_expand_from_the_scan():
    g = graph_of("custom-role")
    frank = edges(g, member("user:frank@example.com"), ADMIN)["gcp-project-set-iam-policy"]
    assert frank.confidence == "certain" and frank.granted_by == (
        "tf:google_project_iam_member.frank_policy_editor",
    )
    grace = edges(g, member("user:grace@example.com"), ADMIN)["gcp-custom-role-update"]
    assert grace.permissions == ("iam.roles.update",) and "selfUpdating" in grace.note
    assert not nx.has_path(g.g, member("user:hank@example.com"), ADMIN)


# ------------------------------------------------------------------ units
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expr", "verdict"),
    [
        ('request.time < timestamp("2020-01-01T00:00:00Z")', False),
        ('request.time < timestamp("2999-01-01T00:00:00Z")', True),
        ('request.time > timestamp("2999-01-01T00:00:00Z")', False),
        ('resource.name.startsWith("projects/p1/buckets/x")', None),
        ('request.time < timestamp("2020-01-01T00:00:00Z") && resource.type == "x"', False),
        ('request.time < timestamp("2020-01-01T00:00:00Z") || resource.type == "x"', None),
        ('(request.time < timestamp("2999-01-01T00:00:00Z")) || resource.type == "x"', True),
        ("request.time < timestamp(var.until)", None),
    ],
)
def test_condition_evaluation(expr, verdict):
    assert evaluate_condition(expr, NOW) is verdict


def test_role_catalogue_expands_basic_and_predefined_roles():
    owner, editor, viewer = (gcp_roles.lookup(f"roles/{r}") for r in ("owner", "editor", "viewer"))
    assert owner.allows("resourcemanager.projects.setIamPolicy") and owner.known
    assert editor.allows("iam.serviceAccounts.actAs") and editor.allows("iam.serviceAccountKeys.create")
    assert not editor.allows("resourcemanager.projects.setIamPolicy")
    assert viewer.allows("run.services.get") and not viewer.allows("storage.objects.get")
    user = gcp_roles.lookup("roles/iam.serviceAccountUser")
    assert user.allows("iam.serviceAccounts.actAs") and not user.allows("iam.serviceAccounts.getAccessToken")
    guess = gcp_roles.lookup("roles/bigquery.dataOwner")
    assert (
        not guess.known and guess.allows("bigquery.tables.getData") and not guess.allows("iam.roles.update")
    )


def test_every_gcp_technique_names_permissions_its_kind_can_check():
    templates = {
        "project-admin": {"{project}"},
        "org-admin": {"{organization}", "{folder}"},
        "custom-role": {"{role}"},
        "sa": {"{target}"},
        "create": {"{project}", "{target}"},
        "existing": {"{resource}", "{target}"},
        "data": {"{resource}"},
    }
    techs = [t for t in load_techniques().values() if t.provider == "gcp"]
    assert len(techs) >= 30
    for t in techs:
        kind = t.extra["kind"]
        if kind == "structural":
            continue
        assert t.permissions and {p.resource for p in t.permissions} <= templates[kind], t.id
        if kind in ("existing", "data"):
            assert t.requires_resource, t.id


def test_workloads_reach_their_secrets_and_keys_and_redeploying_reaches_the_workload():
    g = graph_of("workloads")
    api_sa, service = "tf:google_service_account.api", "tf:google_cloud_run_v2_service.api"
    assert (
        edges(g, api_sa, "tf:google_secret_manager_secret.hf_token")["gcp-secret-access"].confidence
        == "certain"
    )
    assert edges(g, api_sa, "tf:google_kms_crypto_key.features")["gcp-kms-decrypt"]
    ivan = member("user:ivan@example.com")
    update = edges(g, ivan, service)["gcp-run-service-update"]
    assert update.permissions == ("run.services.update", "iam.serviceAccounts.actAs")
    assert nx.shortest_path(g.g, service, "tf:google_secret_manager_secret.hf_token") == [
        service,
        api_sa,
        "tf:google_secret_manager_secret.hf_token",
    ]
    assert not g.has("ADMIN@gcp:unknown")  # the key's project is read from its key ring


def test_folder_grants_ingress_and_public_endpoints_are_conditional():
    g = graph_of("workloads")
    judy = edges(g, member("user:judy@example.com"), ADMIN)["gcp-project-set-iam-policy"]
    assert judy.confidence == "conditional" and any("folder" in c for c in judy.conditions)
    hook = edges(g, member("allUsers"), "tf:google_cloudfunctions2_function.hook")["gcp-invoke"]
    assert hook.confidence == "conditional" and hook.permissions == ("run.routes.invoke",)
    assert any("ALLOW_INTERNAL_ONLY" in c for c in hook.conditions)
    chat = edges(g, INTERNET, "tf:google_vertex_ai_endpoint.chat")["gcp-vertex-public-endpoint"]
    assert chat.confidence == "conditional"


def test_a_convenience_member_on_a_bucket_holds_for_the_project_role_it_names():
    """A bucket binding for "projectEditor:p1" reaches whoever is editor of p1 without a
    condition; a viewer, or an editor only under a condition, is not reached by it."""
    g = graph_of("convenience")
    bucket = "tf:google_storage_bucket.training"
    read = edges(g, member("user:ed@example.com"), bucket)["gcp-storage-read"]
    assert read.confidence == "certain"
    assert read.granted_by == (f"{bucket}#iam_members[0]",)  # the projectEditor:p1 binding
    for who in ("user:vic@example.com", "user:cai@example.com"):
        assert not g.has(member(who)) or not edges(g, member(who), bucket)
