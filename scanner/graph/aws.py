"""AWS nodes and edges of the privilege graph (a `Contributor`).

Nodes: users, roles and groups; compute that runs as a role (Lambda, SageMaker notebooks,
jobs, models, endpoints, Studio user profiles, Bedrock agents and knowledge bases); data
(buckets, secrets, KMS keys, model package groups, feature groups, ECR repositories of model
images); ``ADMIN@aws:<account>``.

Every permission of a principal is asked under the SCPs of its account
(`scanner.graph.aws_scp`). Reading data asks the resource policy too (bucket, secret,
repository, key policies): in one account an identity or the resource policy may allow, a
principal of another account needs both, and an explicit Deny in either wins; a secret under
a customer key needs kms:Decrypt on it as well, and only such a secret can be read from
another account.

Edges come from the technique catalogue (rules/techniques/aws.yaml), applied by its
``kind``, with every permission asked of the principal's policies together
(`scanner.graph.aws_access`); structural edges (runs-as, public invoke, data read) come
from the inventory. An edge that rests on something the scanner cannot decide is
``conditional``; one that needs a resource the scan does not hold is ``requires-resource``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from scanner.graph import aws_managed
from scanner.graph.aws_access import (
    Access,
    ArnIndex,
    AwsPrincipal,
    Grant,
    PolicyRef,
    compile_ref,
    grant_of,
    index_services,
    may_use,
)
from scanner.graph.aws_eval import _unresolved_key, evaluate, with_placeholder_account
from scanner.graph.aws_resolve import UNKNOWN_ACCOUNT, UNKNOWN_REGION, Arns, Scope, infer_scope, resolve_refs
from scanner.graph.aws_scp import OrgPolicies
from scanner.graph.model import (
    EVERY,
    INTERNET,
    STAND_IN,
    Edge,
    Node,
    PrivilegeGraph,
    Technique,
    admin_node,
    load_techniques,
    weakest,
)
from scanner.model.finding import Location
from scanner.model.inventory import Inventory
from scanner.model.resource import Ref, Resource, Unresolved

PRINCIPAL_TYPES = {"aws.iam.user": "user", "aws.iam.role": "role", "aws.iam.group": "group"}
COMPUTE_TYPES = (
    "aws.lambda.function",
    "aws.sagemaker.notebook_instance",
    "aws.sagemaker.training_job",
    "aws.sagemaker.processing_job",
    "aws.sagemaker.model",
    "aws.sagemaker.endpoint",
    "aws.sagemaker.data_quality_job_definition",
    "aws.sagemaker.domain",
    "aws.sagemaker.user_profile",
    "aws.bedrock.agent",
    "aws.bedrock.knowledge_base",
    "aws.bedrock.custom_model",
)
# data type -> (the read action, the resource the action is asked on, the attr with a resource policy)
DATA_TYPES: dict[str, tuple[str, str, str | None]] = {
    "aws.s3.bucket": ("s3:GetObject", "{arn}/*", "policy"),
    "aws.secretsmanager.secret": ("secretsmanager:GetSecretValue", "{arn}", "policy"),
    "aws.ecr.repository": ("ecr:BatchGetImage", "{arn}", "policy"),  # pulling an image
    "aws.sqs.queue": ("sqs:ReceiveMessage", "{arn}", "policy"),  # reading its messages
    "aws.sns.topic": ("sns:Subscribe", "{arn}", "policy"),  # receiving what is published
    "aws.kms.key": ("kms:Decrypt", "{arn}", "policy"),
    "aws.sagemaker.model_package_group": (
        "sagemaker:DescribeModelPackage",
        "{arn}",
        "policy",
    ),
    "aws.sagemaker.feature_group": ("sagemaker:GetRecord", "{arn}", None),
}
# A hub ("every X of an account", scanner.graph.model.EVERY) only for at least this many
# members: below it, one edge into the hub would just lengthen every path by a step.
HUB_MIN = 8
# Actions that only "*" (or NotAction) allows all together: the admin probe.
ANY_MEMBER = "aws-any-member"  # from an "every" hub to one of its members
ADMIN_PROBE = ("iam:PutRolePolicy", "iam:CreateUser", "ec2:RunInstances", "s3:GetObject", "mlposture:Probe")
# A resource of a type the inventory does not model, as an ARN pattern a policy can match
EXAMPLE_ARNS = {
    "aws.ec2.instance": "arn:aws:ec2:{region}:{account}:instance/*",
    "aws.glue.dev_endpoint": "arn:aws:glue:{region}:{account}:devEndpoint/*",
    "aws.bedrock_agentcore.code_interpreter": "arn:aws:bedrock-agentcore:{region}:{account}:code-interpreter/*",
    "aws.lambda.function": "arn:aws:lambda:{region}:{account}:function:*",
    "aws.sagemaker.notebook_instance": "arn:aws:sagemaker:{region}:{account}:notebook-instance/*",
    "aws.sagemaker.user_profile": "arn:aws:sagemaker:{region}:{account}:user-profile/*",
}
_SENSITIVE_BUCKET = re.compile(r"train|dataset|model|artifact|feature|corpus|label", re.I)
_NOT_DATA_BUCKET = re.compile(r"log|trail|audit", re.I)
_ML_MESSAGES = re.compile(r"inferen|predict|train|model|label|feature|embedding|llm|sagemaker", re.I)
_ML_REPOSITORY = re.compile(r"inferen|serving|llm|sagemaker|pytorch|tensorflow|triton|vllm", re.I)
_OUTSIDER = "arn:aws:iam::999999999999:user/outsider"  # an AWS principal in no account of the scan


@dataclass
class _State:
    inv: Inventory
    scope: Scope
    arns: Arns
    principals: dict[str, AwsPrincipal] = field(default_factory=dict)
    runs_as: dict[str, list[str]] = field(default_factory=dict)  # compute uid -> role uids
    trusted_services: dict[str, set[str]] = field(default_factory=dict)  # role uid -> services
    groups_by_name: dict[Any, Resource] | None = None


# --------------------------------------------------------------------------- nodes


def add_nodes(inv: Inventory, graph: PrivilegeGraph) -> None:
    scope = infer_scope(inv)
    st = _State(inv, scope, Arns(inv, scope))
    graph.state["aws"] = st
    if not any(r.provider == "aws" for r in inv.resources.values()):
        return
    graph.add_node(Node(INTERNET, "source", "internet", "the internet", ""))
    _add_admin(graph, scope.account)
    for rtype in PRINCIPAL_TYPES:
        for r in inv.of_type(rtype):
            arn, _ = st.arns.of(r)
            graph.add_node(
                Node(r.uid, "principal", rtype, r.name, "aws", r.account or scope.account, _loc(r))
            )
            if arn:
                graph.alias(arn, r.uid)
    for r in inv.of_type(*COMPUTE_TYPES):
        graph.add_node(Node(r.uid, "compute", r.type, r.name, "aws", r.account or scope.account, _loc(r)))
        if (arn := st.arns.of(r)[0]) is not None:
            graph.alias(arn, r.uid)
    ml_buckets = _ml_buckets(inv)
    ml_buckets |= _ml_repositories(inv)
    ml_buckets |= {q.uid for q, _ in _queue_triggers(inv, st)}
    for rtype in DATA_TYPES:
        for r in inv.of_type(rtype):
            graph.add_node(
                Node(
                    r.uid,
                    "data",
                    rtype,
                    r.name,
                    "aws",
                    r.account or scope.account,
                    _loc(r),
                    _sensitive(r, ml_buckets),
                )
            )
            if (arn := st.arns.of(r)[0]) is not None:
                graph.alias(arn, r.uid)


def _own_policy(st: _State, r: Resource, doc: Any, arn: str) -> Any:
    """A resource policy with its references to the resource itself (``Resource =
    aws_sqs_queue.q.arn``) as the resource's ARN, and its other references resolved."""

    def own(v: Any) -> Any:
        if isinstance(v, Ref) and v.uid == r.uid and v.attr.lower() in ("", "arn"):
            return arn
        if isinstance(v, dict):
            return {k: own(x) for k, x in v.items()}
        if isinstance(v, list):
            return [own(x) for x in v]
        return v

    return resolve_refs(own(doc), st.inv, st.arns, r.uid)


def _admin(account: str) -> str:
    return admin_node("aws", None if account == UNKNOWN_ACCOUNT else account)


def _add_admin(graph: PrivilegeGraph, account: str) -> None:
    known = account != UNKNOWN_ACCOUNT
    label = f"admin of AWS account {account}" if known else "admin of the AWS account"
    graph.add_node(Node(_admin(account), "sink", "aws.admin", label, "aws", account if known else None))


def _loc(r: Resource) -> Location | None:
    if not r.source.file:
        return None
    return Location(r.source.file, r.source.start_line, r.source.end_line)


def _ml_buckets(inv: Inventory) -> set[str]:
    """Buckets that ML resources read or write: model artifacts, training data."""
    out: set[str] = set()
    text_types = ("aws.sagemaker.model", "aws.sagemaker.training_job", "aws.sagemaker.processing_job")
    for r in inv.of_type(*text_types):
        for m in re.finditer(r"s3://([a-z0-9.\-]+)", _flat(r.attrs)):
            out.add(m.group(1))
    return out


_ECR_IMAGE = re.compile(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?/([a-z0-9._/-]+)")
_TF_REPOSITORY = re.compile(r"aws_ecr_repository\.([A-Za-z0-9_-]+)\.repository_url")
_IMAGE_TYPES = (
    "aws.sagemaker.model",
    "aws.sagemaker.training_job",
    "aws.sagemaker.processing_job",
    "aws.sagemaker.data_quality_job_definition",
    "aws.lambda.function",
)


def _queue_triggers(inv: Inventory, st: _State) -> list[tuple[Resource, Resource]]:
    """(queue, function) for every event source mapping by which a queue in the scan invokes
    a function in the scan."""
    queues = {q.uid: q for q in inv.of_type("aws.sqs.queue")}
    by_arn = {a: q for q in queues.values() if (a := st.arns.of(q)[0])}
    out = []
    for m in inv.of_type("aws.lambda.event_source_mapping"):
        src = m.attrs.get("event_source_arn")
        q = queues.get(src.uid) if isinstance(src, Ref) else by_arn.get(src) if isinstance(src, str) else None
        if q is None:
            continue
        for fn in inv.related(m, "triggers"):
            out.append((q, fn))
    return out


def _ml_repositories(inv: Inventory) -> set[str]:
    """ECR repositories that ML compute runs images from, as ``ecr:<name>`` (by the image URI)
    and ``ecr-tf:<name>`` (a Terraform reference to the repository's URL)."""
    out: set[str] = set()
    for r in inv.of_type(*_IMAGE_TYPES):
        text = _flat(r.attrs) + _unresolved_text(r.attrs)
        out.update(f"ecr:{m.group(1)}" for m in _ECR_IMAGE.finditer(text))
        out.update(f"ecr-tf:{m.group(1)}" for m in _TF_REPOSITORY.finditer(text))
    return out


def _unresolved_text(v: Any) -> str:
    if isinstance(v, Unresolved):
        return v.expr + " "
    if isinstance(v, dict):
        return "".join(_unresolved_text(x) for x in v.values())
    if isinstance(v, list):
        return "".join(_unresolved_text(x) for x in v)
    return ""


def _flat(v: Any) -> str:
    if isinstance(v, str):
        return v + " "
    if isinstance(v, dict):
        return "".join(_flat(x) for x in v.values())
    if isinstance(v, list):
        return "".join(_flat(x) for x in v)
    return ""


def _sensitive(r: Resource, ml_buckets: set[str]) -> str | None:
    if r.type == "aws.secretsmanager.secret":
        return "secret"
    if r.type == "aws.sagemaker.model_package_group":
        return "model registry"
    if r.type == "aws.sagemaker.feature_group":
        return "feature store"
    if r.type in ("aws.sqs.queue", "aws.sns.topic"):
        name = r.attrs.get("name")
        name = name if isinstance(name, str) else r.name
        if r.uid in ml_buckets:
            return "messages that trigger ML compute"
        if _ML_MESSAGES.search(f"{name} {r.name}"):
            return "ML messages (by name)"
        return None
    if r.type == "aws.ecr.repository":
        name = r.attrs.get("name")
        name = name if isinstance(name, str) else r.name
        if f"ecr:{name}" in ml_buckets or f"ecr-tf:{r.uid.rsplit('.', 1)[-1]}" in ml_buckets:
            return "model images (run by ML compute)"
        if _SENSITIVE_BUCKET.search(f"{name} {r.name}") or _ML_REPOSITORY.search(f"{name} {r.name}"):
            return "model images (by name)"
        return None
    if r.type == "aws.s3.bucket":
        name = r.attrs.get("bucket")
        name = name if isinstance(name, str) else r.name
        if name in ml_buckets:
            return "model artifacts or training data"
        tags = " ".join(f"{k} {v}" for k, v in (r.tags or {}).items())
        words = f"{name} {r.name} {tags}"
        if _SENSITIVE_BUCKET.search(words) and not _NOT_DATA_BUCKET.search(f"{name} {r.name}"):
            return "training data or model artifacts (by name)"
    return None


# --------------------------------------------------------------------------- principals


def _policy_doc(st: _State, ref: Any) -> tuple[str, Any, Location | None]:
    """(label, document, location) of a managed policy given by Ref or ARN; the document is
    `Unresolved` when the policy is not known (an AWS managed ARN missing from the snapshot,
    a customer policy outside the scan), so edges that depend on it are conditional."""
    inv = st.inv
    if isinstance(ref, Ref):
        target = inv.get(ref.uid)
    elif isinstance(ref, str):
        target = inv.get(ref)
        if target is None:
            doc = aws_managed.lookup(ref)
            if doc is not None:
                return ref, doc, None
            return ref, Unresolved(f"managed policy {ref} is not in the scan"), None
    else:
        return "unresolved policy", Unresolved(getattr(ref, "expr", "") or "policy ARN"), None
    if target is None or target.type != "aws.iam.policy":
        uid = ref.uid if isinstance(ref, Ref) else str(ref)
        return uid, Unresolved(f"policy {uid} is not in the scan"), None
    label = st.arns.of(target)[0] or target.uid
    doc = resolve_refs(target.attrs.get("document"), inv, st.arns, target.uid)
    return label, doc, _loc(target)


def _inline(st: _State, r: Resource, owner: str) -> list[PolicyRef]:
    out = []
    for i, p in enumerate(r.attrs.get("inline_policies") or []):
        if not isinstance(p, dict):
            continue
        line = r.lines.get(f"inline_policies[{i}]") or r.source.start_line
        loc = Location(r.source.file, line, line) if r.source.file else None
        name = p.get("name") if isinstance(p.get("name"), str) else str(i)
        doc = resolve_refs(p.get("document"), st.inv, st.arns, r.uid)
        out.append(compile_ref(f"{owner} inline policy {name}", doc, loc))
    return out


def _managed(st: _State, r: Resource, cache: dict) -> tuple[list[PolicyRef], list[tuple[str, str]]]:
    refs, own = [], []
    for m in r.attrs.get("managed_policy_arns") or []:
        key = m.uid if isinstance(m, Ref) else m if isinstance(m, str) else repr(m)
        pr = cache.get(key)
        if pr is None:
            label, doc, loc = _policy_doc(st, m)
            pr = cache[key] = compile_ref(label, doc, loc)
        refs.append(pr)
        target = st.inv.get(m.uid) if isinstance(m, Ref) else st.inv.get(m) if isinstance(m, str) else None
        if target is not None and target.type == "aws.iam.policy":
            own.append((st.arns.of(target)[0] or target.uid, target.uid))
    return refs, own


def _groups_of(st: _State, user: Resource) -> list[Resource]:
    inv = st.inv
    found = {g.uid: g for g in inv.related(user, "member_of") if g.type == "aws.iam.group"}
    names = [g for g in user.attrs.get("groups") or [] if isinstance(g, str)]
    if names:
        if st.groups_by_name is None:  # once per build, not once per user
            st.groups_by_name = {g.attrs.get("group_name"): g for g in inv.of_type("aws.iam.group")}
        by_name = st.groups_by_name
        for n in names:
            g = by_name.get(n) or inv.get(n)
            if g is not None:
                found.setdefault(g.uid, g)
    return list(found.values())


def _build_principals(st: _State) -> None:
    cache: dict[str, PolicyRef] = {}
    org = OrgPolicies(st.inv, st.arns)
    group_policies: dict[str, tuple[list[PolicyRef], list[tuple[str, str]]]] = {}
    for g in st.inv.of_type("aws.iam.group"):
        refs, own = _managed(st, g, cache)
        group_policies[g.uid] = (_inline(st, g, g.uid) + refs, own)
    for rtype, kind in PRINCIPAL_TYPES.items():
        for r in st.inv.of_type(rtype):
            arn, exact = st.arns.of(r)
            name = r.attrs.get(f"{kind}_name")
            p = AwsPrincipal(
                uid=r.uid,
                kind=kind,
                arn=arn or r.uid,
                exact=exact,
                name=name if isinstance(name, str) else r.name,
                account=r.account or st.scope.account,
                location=_loc(r),
            )
            refs, own = _managed(st, r, cache)
            p.policies = _inline(st, r, r.uid) + refs
            p.own_policies = own
            if kind == "user":
                for g in _groups_of(st, r):
                    p.groups.append(g.uid)
                    grefs, gown = group_policies.get(g.uid, ([], []))
                    p.policies += grefs
                    p.own_policies += gown
            b = r.attrs.get("permissions_boundary")
            if b is not None:
                label, doc, loc = _policy_doc(st, b)
                p.boundary = compile_ref(f"boundary {label}", doc, loc)
            if kind == "role":
                p.trust = resolve_refs(r.attrs.get("assume_role_policy"), st.inv, st.arns, r.uid)
                st.trusted_services[r.uid] = _services_trusted(p.trust)
            if kind != "group":
                p.scps = org.for_principal(kind, p.arn, p.account)
            index_services(p)
            st.principals[r.uid] = p


def _services_trusted(trust: Any) -> set[str]:
    out: set[str] = set()
    if not isinstance(trust, dict) or not isinstance(trust.get("Statement"), list):
        return out
    for s in trust["Statement"]:
        if not isinstance(s, dict) or str(s.get("Effect", "Allow")).lower() != "allow":
            continue
        pr = s.get("Principal")
        if isinstance(pr, dict):
            for v in pr.get("Service") or []:
                if isinstance(v, str):
                    out.add(v.lower())
    return out


def _trust_allows_service(p: AwsPrincipal, service: str) -> Grant | None:
    res = evaluate("sts:AssumeRole", p.arn, [], resource_policy=p.trust_policy, principal=service, context={})
    return grant_of(res)


# --------------------------------------------------------------------------- edges


def add_edges(inv: Inventory, graph: PrivilegeGraph) -> None:
    st: _State | None = graph.state.get("aws")
    if st is None or not graph.has(INTERNET):
        return
    _build_principals(st)
    for p in st.principals.values():  # principals in other accounts get their own sink
        _add_admin(graph, p.account)
    _runs_as_edges(st, graph)
    _public_edges(st, graph)
    access = Access(reference=bool(graph.state.get("aws_reference")))
    techniques = [t for t in load_techniques().values() if t.provider == "aws"]
    by_kind: dict[str, list[Technique]] = defaultdict(list)
    for t in techniques:
        by_kind[t.extra.get("kind", "")].append(t)
    ctx = _EdgeContext(st, graph, access)
    for p in st.principals.values():
        for t in by_kind["admin"]:
            ctx.admin(p, t)
        if p.uid in ctx.admins:  # already admin: its other edges could only add longer paths
            continue
        for t in by_kind["self"]:
            ctx.self_escalation(p, t)
        for t in by_kind["group"]:
            ctx.to_group(p, t)
        for t in by_kind["principal"]:
            ctx.to_principal(p, t)
        for t in by_kind["passrole"]:
            ctx.passrole(p, t)
        for t in by_kind["existing"]:
            ctx.existing(p, t)
    for t in by_kind["assume"]:
        ctx.assume(t)
    for t in by_kind["trusted-by-anyone"]:
        ctx.trusted_by_anyone(t)
    for t in by_kind["data-read"]:
        ctx.data_read(t)


def _role_uids(st: _State, graph: PrivilegeGraph, r: Resource) -> list[str]:
    out = [x.uid for x in st.inv.related(r, "execution_role") if x.type == "aws.iam.role"]
    if not out:
        for key in ("role_arn", "execution_role_arn", "execution_role", "default_execution_role"):
            v = r.attrs.get(key)
            if isinstance(v, str) and (nid := graph.resolve(v)) and nid in st.principals:
                out.append(nid)
    return out


def _runs_as_edges(st: _State, graph: PrivilegeGraph) -> None:
    inv = st.inv
    for r in inv.of_type(*COMPUTE_TYPES):
        roles = _role_uids(st, graph, r)
        note = ""
        if not roles and r.type == "aws.sagemaker.endpoint":  # endpoint -> config -> model -> role
            for cfg in inv.related(r, "uses_config"):
                for model in inv.related(cfg, "serves_model"):
                    roles += _role_uids(st, graph, model)
                    note = f"serves model {model.name}"
        if not roles and r.type == "aws.sagemaker.user_profile":  # the domain's default role
            for dom in inv.related(r, "in_domain"):
                roles += _role_uids(st, graph, dom)
                note = f"the default execution role of domain {dom.name}"
        st.runs_as[r.uid] = roles
        for role in roles:
            loc = _attr_loc(r, "role_arn", "execution_role_arn", "execution_role")
            graph.add_edge(Edge(r.uid, role, "aws-runs-as", location=loc, granted_by=(r.uid,), note=note))


def _attr_loc(r: Resource, *keys: str) -> Location | None:
    if not r.source.file:
        return None
    for k in keys:
        if k in r.lines:
            return Location(r.source.file, r.lines[k], r.lines[k])
    return Location(r.source.file, r.source.start_line, r.source.end_line)


def _unread(v: Any) -> bool:
    """A value the scan could not read or resolve (not merely absent)."""
    return isinstance(v, Unresolved | Ref)


def _public_edges(st: _State, graph: PrivilegeGraph) -> None:
    """INTERNET -> compute that anyone can invoke without AWS credentials."""
    inv = st.inv
    for url in inv.of_type("aws.lambda.function_url"):
        # an auth type the scan could not read (live AccessDenied, a Terraform variable) may be
        # NONE: a conditional edge, never none (an unseen URL is not a private one)
        auth = url.attrs.get("auth_type")
        if auth != "NONE" and not _unread(auth):
            continue
        unknown = (_unresolved_key(auth),) if _unread(auth) else ()
        for fn in inv.related(url, "url_of"):
            graph.add_edge(
                Edge(
                    INTERNET,
                    fn.uid,
                    "aws-public-invoke",
                    ("lambda:InvokeFunctionUrl",),
                    "conditional" if unknown else "certain",
                    conditions=unknown,
                    granted_by=(url.uid,),
                    location=_attr_loc(url, "auth_type"),
                    note="function URL whose auth type is not known"
                    if unknown
                    else "function URL with auth NONE",
                )
            )
    for perm in inv.of_type("aws.lambda.permission"):
        action, principal = perm.attrs.get("action"), perm.attrs.get("principal")
        invoke = _unread(action) or (
            isinstance(action, str)
            and action.lower() in ("lambda:invokefunction", "lambda:*", "lambda:invokefunctionurl")
        )
        if not invoke or not (principal == "*" or _unread(principal)):
            continue
        # limits that are set (or not known to be unset) make the edge conditional
        limits = [k for k in ("source_arn", "source_account", "principal_org_id") if perm.attrs.get(k)]
        unknown = [_unresolved_key(v) for v in (principal, action) if _unread(v)]
        for fn in inv.related(perm, "grants_on"):
            graph.add_edge(
                Edge(
                    INTERNET,
                    fn.uid,
                    "aws-public-invoke",
                    (action if isinstance(action, str) else "lambda:InvokeFunction",),
                    "conditional" if limits or unknown else "certain",
                    conditions=tuple(unknown + limits),
                    granted_by=(perm.uid,),
                    location=_attr_loc(perm, "principal"),
                    note="resource policy not read: it may allow anyone"
                    if unknown
                    else 'resource policy allows Principal "*"',
                )
            )
    for queue, fn in _queue_triggers(inv, st):  # anyone may send what the function is given
        arn = st.arns.of(queue)[0]
        policy = queue.attrs.get("policy")
        if not arn or not policy or not graph.has(fn.uid):
            continue
        if isinstance(policy, Unresolved):  # not read at all (live): who may send is not known
            g = Grant("conditional", (_unresolved_key(policy),))
        else:
            doc = _own_policy(st, queue, policy, arn)
            g = _public(
                grant_of(
                    evaluate("sqs:SendMessage", arn, [], resource_policy=doc, principal=_OUTSIDER, context={})
                )
            )
        if g is not None:
            graph.add_edge(
                Edge(
                    INTERNET,
                    fn.uid,
                    "aws-public-invoke",
                    ("sqs:SendMessage",),
                    g.confidence,
                    g.undecided,
                    granted_by=(queue.uid,),
                    location=_attr_loc(queue, "policy"),
                    note=f"queue {queue.name} accepts messages from anyone and triggers the function",
                )
            )
    for route in inv.of_type("aws.apigateway.rest_method", "aws.apigateway.http_route"):
        if route.attrs.get("authorization", "NONE") != "NONE" or route.attrs.get("api_key_required") is True:
            continue
        conf, conds = "certain", []
        for api in inv.related(route, "in_api"):
            types = api.attrs.get("endpoint_types") or []
            if isinstance(types, list) and "PRIVATE" in types:
                conf = "none"
            elif api.attrs.get("policy"):
                conf, conds = "conditional", ["API resource policy"]
        if conf == "none":
            continue
        for target in inv.related(route, "invokes"):
            if graph.has(target.uid):
                graph.add_edge(
                    Edge(
                        INTERNET,
                        target.uid,
                        "aws-public-invoke",
                        ("execute-api:Invoke",),
                        conf,
                        tuple(conds),
                        granted_by=(route.uid,),
                        location=_attr_loc(route, "authorization"),
                        note="API Gateway route with no authorization",
                    )
                )


class _EdgeContext:
    """Applies techniques for one build: indexes of targets, shared by every principal."""

    def __init__(self, st: _State, graph: PrivilegeGraph, access: Access):
        self.st, self.graph, self.access = st, graph, access
        roles = [p for p in st.principals.values() if p.kind == "role"]
        self.role_index = ArnIndex([(p.arn, p.uid) for p in roles])
        self.user_index = ArnIndex([(p.arn, p.uid) for p in st.principals.values() if p.kind == "user"])
        self.group_index = ArnIndex([(p.arn, p.uid) for p in st.principals.values() if p.kind == "group"])
        self._by_service: dict[str, ArnIndex] = {}
        self.admins: set[str] = set()  # principals certainly allowed everything
        self._hubs: dict[str, bool] = {}
        self._every: set[str] = set()  # "every" hubs made so far
        self._open_members: dict[str, dict[str, AwsPrincipal]] = {}  # account -> roles trusting it
        self._existing: dict[tuple[str, ...], ArnIndex] = {}
        self._trust: dict[tuple[str, str], Grant | None] = {}
        self._runners: dict[tuple[str, ...], Any] = {}
        # (index, members) -> (members all in index, the rest of index); holds both objects so
        # their ids are not reused while cached
        self._pairs: dict[tuple[int, int], tuple[ArnIndex, Any, tuple[bool, list[str]]]] = {}

    # -- helpers --------------------------------------------------------------------
    def _edge(
        self,
        p: AwsPrincipal,
        dst: str,
        t: Technique,
        asked: list[tuple[str, str, Grant, dict | None]],
        confidence: str | None = None,
        note: str = "",
    ) -> None:
        conf = weakest([g.confidence for _, _, g, _ in asked] + ([confidence] if confidence else []))
        conds = tuple(dict.fromkeys(k for _, _, g, _ in asked for k in g.undecided))
        granted: list[str] = []
        loc = None
        for action, resource, _, extra in asked:
            for ref in self.access.granting(self.st.principals[p.uid], action, resource, extra):
                where = ref.label
                if ref.location is not None:
                    where = f"{ref.label} ({ref.location.file}:{ref.location.start_line})"
                    loc = loc or ref.location
                if where not in granted:
                    granted.append(where)
        perms = tuple(dict.fromkeys(a for a, _, _, _ in asked))
        self.graph.add_edge(Edge(p.uid, dst, t.id, perms, conf, conds, tuple(granted), loc, note))

    def _ask_all(self, p: AwsPrincipal, t: Technique, subst: dict[str, str], extra=None) -> list | None:
        """Ask every permission of `t` with its resource template filled; None if one is denied."""
        asked = []
        for perm in t.permissions:
            resource = _fill(perm.resource, subst)
            if resource is None:
                return None
            ex = extra if perm.action.lower() == "iam:passrole" else None
            g = self.access.ask(p, perm.action, resource, extra=ex)
            if g is None:
                return None
            asked.append((perm.action, resource, g, ex))
        return asked

    def _example(self, rtype: str, p: AwsPrincipal) -> str:
        tmpl = EXAMPLE_ARNS.get(rtype, "*")
        return tmpl.format(region=self.st.scope.region, account=p.account)

    def _service_trust(self, rid: str, service: str) -> Grant | None:
        """Whether the role's trust admits the service: the same for every caller."""
        key = (rid, service)
        if key not in self._trust or self.access.reference:
            self._trust[key] = _trust_allows_service(self.st.principals[rid], service)
        return self._trust[key]

    def _account_trust(self, role: AwsPrincipal, p: AwsPrincipal, ctx: dict) -> Grant | None:
        """Whether the role's trust admits the caller through its account: the same for every
        caller of that account unless the trust tests the request (a condition, a variable)."""
        key = (role.uid, p.account) if not _request_dependent(role.trust) else (role.uid, p.uid)
        if key not in self._trust or self.access.reference:
            self._trust[key] = _trust_grant(role, p, ctx)
        return self._trust[key]

    def _trusting(self, service: str) -> ArnIndex:
        idx = self._by_service.get(service)
        if idx is None:
            items = [
                (p.arn, p.uid)
                for p in self.st.principals.values()
                if p.kind == "role" and service in self.st.trusted_services.get(p.uid, ())
            ]
            idx = self._by_service[service] = ArnIndex(items)
        return idx

    def _shared(self, found: list[tuple[str, str, Grant]], members) -> Grant | None:
        """The grant `found` gives every one of `members`, when it is one and the same grant
        for all of them (and there are enough of them for a hub)."""
        if len(members) < HUB_MIN:
            return None
        first, n = None, 0
        for nid, _, g in found:
            if nid in members:
                if first is None:
                    first = g
                elif g != first:
                    return None
                n += 1
        return first if n == len(members) else None

    def _found(
        self, p: AwsPrincipal, action: str, index: ArnIndex, members, extra: dict | None = None
    ) -> tuple[Grant | None, list[tuple[str, str, Grant]], str]:
        """What `p` may do `action` on in `index`, as (g, found, example). When every one of
        `members` (enough of them for a hub) is found with one and the same grant: g, the
        targets found outside `members`, and the ARN of the first member found. Else (None,
        every target found, "").

        A principal allowed on "*" answers alike for nearly all of the index: `Access.wide`
        says so without walking the index, so such principals cost no more in a bigger
        account (walking it for each of them grew with principals x targets)."""
        if not may_use(p, action):  # most principals, for most techniques
            return None, [], ""
        if len(members) < HUB_MIN or not self._within(index, members):
            return None, self.access.targets(p, action, index, extra=extra), ""
        w = self.access.wide(p, action, index, extra=extra)
        if w is not None:
            g, asked = w
            if g is not None and all(x == g for n, x in asked.items() if n in members):
                arn = index.arn_of
                example = next((arn[n] for n in asked if n in members), "") or next(
                    a for a, n in index.items if n in members
                )
                found = [(n, arn[n], x) for n, x in asked.items() if x and n not in members]
                found += [(n, arn[n], g) for n in self._outside(index, members) if n not in asked]
                return g, found, example
        found = self.access.targets(p, action, index, extra=extra)
        g = self._shared(found, members)
        if g is None:
            return None, found, ""
        example = next(a for n, a, _ in found if n in members)
        return g, [x for x in found if x[0] not in members], example

    def _within(self, index: ArnIndex, members) -> bool:
        """Whether every member is a target of the index (once per index and member set)."""
        return self._pair(index, members)[0]

    def _outside(self, index: ArnIndex, members) -> list[str]:
        """The targets of the index that are not members, in index order (once per pair)."""
        return self._pair(index, members)[1]

    def _pair(self, index: ArnIndex, members) -> tuple[bool, list[str]]:
        key = (id(index), id(members))
        hit = self._pairs.get(key)
        if hit is None or hit[0] is not index or hit[1] is not members:
            within = all(m in index.arn_of for m in members)
            rest = [n for _, n in index.items if n not in members]
            hit = self._pairs[key] = (index, members, (within, rest))
        return hit[2]

    def _every_hub(self, hub: str, label: str, members, edge_to: Callable[[str], Edge]) -> str:
        """The "every" hub `hub` with an edge to each member (made once per build)."""
        if hub not in self._every:
            self._every.add(hub)
            kind = "data" if self.graph.node(next(iter(members))).kind == "data" else "compute"
            self.graph.add_node(Node(hub, kind, "aws.hub", label, "aws", self.st.scope.account))
            for m in members:
                self.graph.add_edge(edge_to(m))
        return hub

    # -- kinds ----------------------------------------------------------------------
    def admin(self, p: AwsPrincipal, t: Technique) -> None:
        if not p.any_service:  # only a service wildcard or NotAction can allow every probe
            return
        asked = []
        for action in ADMIN_PROBE:
            g = self.access.ask(p, action, "*")
            if g is None:
                return
            asked.append((action, "*", g, None))
        g = weakest(x[2].confidence for x in asked)
        undecided = tuple(k for x in asked for k in x[2].undecided)
        self._edge(p, _admin(p.account), t, [("*", "*", Grant(g, undecided), None)])
        if g == "certain":
            self.admins.add(p.uid)

    def self_escalation(self, p: AwsPrincipal, t: Technique) -> None:
        if p.kind not in t.extra.get("applies_to", ["user", "role"]):
            return
        targets: list[str] = []
        templates = {perm.resource for perm in t.permissions}
        if "{group}" in templates:
            targets = [self.st.principals[g].arn for g in p.groups if g in self.st.principals]
        elif "{own_policy}" in templates:
            targets = [arn for arn, _ in p.own_policies]
        else:
            targets = [p.arn]
        for target in targets:
            asked = self._ask_all(p, t, {"principal": p.arn, "group": target, "own_policy": target})
            if asked:
                conf = "requires-resource" if t.requires_resource else None
                note = "" if target == p.arn else f"on {target}"
                self._edge(p, _admin(p.account), t, asked, conf, note)
                return

    def to_group(self, p: AwsPrincipal, t: Technique) -> None:
        if p.kind not in t.extra.get("applies_to", ["user"]):
            return
        first = t.permissions[0]
        members = self._account_principals("group", p.account)
        for gid, garn, g in self._hub_or_targets(p, t, "{target}", self.group_index, members, "group"):
            if gid in p.groups:
                continue
            asked = [(first.action, garn, g, None)]
            self._edge(p, gid, t, asked)

    def to_principal(self, p: AwsPrincipal, t: Technique) -> None:
        kind = t.extra.get("target") or "role"
        index = self.user_index if kind == "user" else self.role_index
        first, rest = t.permissions[0], t.permissions[1:]
        members = self._account_principals(kind, p.account)
        for tid, tarn, g in self._hub_or_targets(p, t, "{target}", index, members, kind):
            if tid == p.uid:
                continue
            asked = [(first.action, tarn, g, None)]
            for perm in rest:
                res = tarn if perm.resource == "{target}" else "*"
                g2 = self.access.ask(p, perm.action, res)
                if g2 is None:
                    break
                asked.append((perm.action, res, g2, None))
            else:
                self._edge(p, tid, t, asked)

    def _hub_or_targets(
        self, p: AwsPrincipal, t: Technique, placeholder: str, index: ArnIndex, members, noun: str
    ) -> list[tuple[str, str, Grant]]:
        """The targets in `index` that t's first permission (on `placeholder`) reaches, each
        to get its own edge. When every permission of `t` is granted alike on every member (a
        user, role or function of p's account), one edge into the hub "any <noun> of the
        account" instead, and the members are left out."""
        action = t.permissions[0].action
        g, others, example = self._found(p, action, index, members)
        if g is None:
            return others
        asked = []
        first = True
        for perm in t.permissions:
            if perm.resource == placeholder:
                g2 = g if first else self._found(p, perm.action, index, members)[0]
                first = False
            else:
                g2 = self.access.ask(p, perm.action, "*")
            if g2 is None:  # no hub: every target on its own
                return self.access.targets(p, action, index)
            asked.append((perm.action, example if perm.resource == placeholder else "*", g2, None))
        # one hub per member set, shared by every technique on it: the technique is on the
        # edge into the hub, the edges out of it only pick a member
        hub = f"aws{EVERY}any-{noun.replace(' ', '-')}:{p.account}"
        label = f"any {noun} of account {p.account} ({len(members)})"
        hub = self._every_hub(
            hub, label, members, lambda m: Edge(hub, m, ANY_MEMBER, location=self._location(m))
        )
        self._edge(p, hub, t, asked, note=f"on every {noun} of the account")
        return others

    def _location(self, uid: str) -> Location | None:
        q = self.st.principals.get(uid)
        return q.location if q is not None else _loc(self.st.inv.get(uid))

    def _service_roles(self, service: str, account: str) -> dict[str, None]:
        """The roles of the account whose trust certainly admits the service."""
        key = ("service", service, account)
        hit = self._runners.get(key)
        if hit is None:
            certain = Grant("certain")
            hit = self._runners[key] = {
                rid: None
                for _, rid in self._trusting(service).items
                if self.st.principals[rid].account == account and self._service_trust(rid, service) == certain
            }
        return hit

    def _account_principals(self, kind: str, account: str) -> dict[str, None]:
        key = ("principals", kind, account)
        hit = self._runners.get(key)
        if hit is None:
            hit = self._runners[key] = {
                uid: None for uid, q in self.st.principals.items() if q.kind == kind and q.account == account
            }
        return hit

    def passrole(self, p: AwsPrincipal, t: Technique) -> None:
        service = t.trusted_service or ""
        others = [perm for perm in t.permissions if perm.action.lower() != "iam:passrole"]
        asked_others = []
        for perm in others:  # the permissions on "*" first: a cheap way out
            g = self.access.ask(p, perm.action, "*" if perm.resource == "*" else perm.resource)
            if g is None:
                return
            asked_others.append((perm.action, "*", g, None))
        extra = {"iam:PassedToService": [service]}
        conf = (
            "requires-resource"
            if t.requires_resource and not self.st.inv.of_type(*t.requires_resource)
            else None
        )
        members = self._service_roles(service, p.account)
        g, found, example = self._found(p, "iam:PassRole", self._trusting(service), members, extra)
        if g is not None:  # any role that trusts it: a hub, and `found` leaves its members out
            hub = f"aws{EVERY}trusts-{service}:{p.account}"  # shared by the techniques of the service
            label = f"any role of account {p.account} that trusts {service} ({len(members)})"
            note = f"passed to {service}"
            hub = self._every_hub(
                hub, label, members, lambda m: Edge(hub, m, ANY_MEMBER, location=self._location(m))
            )
            self._edge(p, hub, t, [("iam:PassRole", example, g, extra), *asked_others], conf, note)
        for rid, rarn, g in found:
            if rid == p.uid:
                continue
            trust = self._service_trust(rid, service)
            if trust is None:
                continue
            asked = [("iam:PassRole", rarn, g, extra), *asked_others]
            self._edge(
                p, rid, t, asked, weakest([trust.confidence, conf or "certain"]), f"passed to {service}"
            )

    def existing(self, p: AwsPrincipal, t: Technique) -> None:
        types = t.requires_resource
        resources = self._running(types)
        on_resource = [perm for perm in t.permissions if perm.resource == "{resource}"]
        on_any = [perm for perm in t.permissions if perm.resource != "{resource}"]
        base = []
        for perm in on_any:
            g = self.access.ask(p, perm.action, "*")
            if g is None:
                return
            base.append((perm.action, "*", g, None))
        covered: set[str] = set()
        if resources:
            key = tuple(types)
            idx = self._existing.get(key)
            if idx is None:
                idx = self._existing[key] = ArnIndex(
                    [(a, r.uid) for r in resources if (a := self.st.arns.of(r)[0])]
                )
            first = on_resource[0]
            members = self._account_running(types, p.account)
            noun = " or ".join(x.rsplit(".", 1)[-1].replace("_", " ") for x in types)
            for rid, rarn, g in self._hub_or_targets(p, t, "{resource}", idx, members, noun):
                asked = [*base, (first.action, rarn, g, None)]
                for perm in on_resource[1:]:
                    g2 = self.access.ask(p, perm.action, rarn)
                    if g2 is None:
                        break
                    asked.append((perm.action, rarn, g2, None))
                else:
                    if p.uid not in self.st.runs_as.get(rid, ()):
                        self._edge(p, rid, t, asked)
            covered = self._covered(types)
        # Roles that could run such a resource, none of which is in the scan: requires-resource.
        service = t.trusted_service or ""
        example = self._example(types[0], p) if types else "*"
        asked = list(base)
        for perm in on_resource:
            g = self.access.ask(p, perm.action, example)
            if g is None:
                return
            asked.append((perm.action, example, g, None))
        hub = self._hub(types, service, covered)
        if hub is not None:
            note = f"needs an existing {' or '.join(types)} running as a role that trusts {service}"
            self._edge(p, hub, t, asked, "requires-resource", note)

    def _running(self, types: tuple[str, ...]) -> list[Resource]:
        """Resources of these types that run as some role (once per build, not per principal)."""
        hit = self._runners.get(types)
        if hit is None:
            hit = self._runners[types] = [
                r for r in self.st.inv.of_type(*types) if self.st.runs_as.get(r.uid)
            ]
        return hit

    def _account_running(self, types: tuple[str, ...], account: str) -> dict[str, None]:
        key = ("running", account, *types)
        hit = self._runners.get(key)
        if hit is None:
            hit = self._runners[key] = {
                r.uid: None for r in self._running(types) if (r.account or self.st.scope.account) == account
            }
        return hit

    def _covered(self, types: tuple[str, ...]) -> set[str]:
        """The roles that resources of these types in the scan run as."""
        key = ("covered", *types)
        hit = self._runners.get(key)
        if hit is None:
            hit = self._runners[key] = {
                rid for r in self._running(types) for rid in self.st.runs_as.get(r.uid, ())
            }
        return hit

    def _hub(self, types: tuple[str, ...], service: str, covered: set[str]) -> str | None:
        """A stand-in for "some existing resource of these types, not in the scan": principals
        that could act on one get one edge to it, and it leads to every role such a resource
        could run as (P + R edges, not P x R)."""
        hub = f"aws{STAND_IN}{'|'.join(types)}:{service}"
        if hub in self._hubs:
            return hub if self._hubs[hub] else None
        roles = [rid for _, rid in self._trusting(service).items if rid not in covered]
        self._hubs[hub] = bool(roles)
        if not roles:
            return None
        label = f"an existing {' or '.join(t.rsplit('.', 1)[-1] for t in types)} (not in the scan)"
        self.graph.add_node(Node(hub, "compute", types[0], label, "aws", self.st.scope.account))
        for rid in roles:
            self.graph.add_edge(
                Edge(hub, rid, "aws-runs-as", (), "requires-resource", note=f"a role that trusts {service}")
            )
        return hub

    def assume(self, t: Technique) -> None:
        """sts:AssumeRole: the role's trust must allow the caller (by ARN, or its account, or
        anyone) and, unless the trust names the caller itself, so must the caller's policies."""
        by_arn: dict[str, list[AwsPrincipal]] = defaultdict(list)
        open_roles: list[AwsPrincipal] = []  # trusts an account, anyone, or something unresolved
        for role in self.st.principals.values():
            if role.kind != "role":
                continue
            named, wide = _trusted_aws_principals(role.trust)
            for arn in named:  # and a caller whose ARN was built without its account
                for name in {arn, with_placeholder_account(arn) or arn}:
                    by_arn[name].append(role)
            if wide:
                open_roles.append(role)
        open_index = ArnIndex([(r.arn, r.uid) for r in open_roles])
        for p in self.st.principals.values():
            if p.kind == "group" or p.uid in self.admins:
                continue
            ctx = self.access.context(p)
            for role in by_arn.get(p.arn, ()):  # the trust names the caller: enough in one account
                if role.uid == p.uid:
                    continue
                res = evaluate(
                    "sts:AssumeRole",
                    role.arn,
                    p.compiled,
                    resource_policy=role.trust_policy,
                    principal=p.arn,
                    context=ctx,
                    boundary=p.boundary.compiled if p.boundary else None,
                    scps=p.scps or None,
                    infer_region=True,
                )
                g = grant_of(res)
                if g is not None:
                    self._edge(
                        p,
                        role.uid,
                        t,
                        [("sts:AssumeRole", role.arn, g, None)],
                        note="the trust policy names this principal",
                    )
            found = self.access.targets(p, "sts:AssumeRole", open_index)
            skip = self._assume_hub(p, t, open_roles, found, ctx) if found else ()
            for rid, rarn, g in found:
                if rid == p.uid or rid in skip:
                    continue
                tr = self._account_trust(self.st.principals[rid], p, ctx)
                if tr is None:
                    continue
                self._edge(
                    p,
                    rid,
                    t,
                    [("sts:AssumeRole", rarn, g, None)],
                    tr.confidence,
                    "the trust policy allows the caller's account",
                )

    def _assume_hub(
        self, p: AwsPrincipal, t: Technique, open_roles: list[AwsPrincipal], found, ctx
    ) -> set[str]:
        """When p may assume every role whose trust allows p's account (with no condition),
        alike: one edge into the hub "any role that trusts the account"; the members."""
        members = self._open_members.get(p.account)
        if members is None:
            certain = Grant("certain")
            members = self._open_members[p.account] = {
                r.uid: None
                for r in open_roles
                if not _request_dependent(r.trust) and self._account_trust(r, p, ctx) == certain
            }
        g = self._shared(found, members)
        if g is None:
            return ()
        hub = f"aws{EVERY}sts-assume-role:{p.account}"
        label = f"any role that trusts account {p.account} ({len(members)})"
        note = "the trust policy allows the caller's account"
        hub = self._every_hub(
            hub,
            label,
            members,
            lambda m: Edge(
                hub, m, t.id, ("sts:AssumeRole",), granted_by=(m,), location=self._location(m), note=note
            ),
        )
        asked = [("sts:AssumeRole", self.st.principals[next(iter(members))].arn, g, None)]
        self._edge(p, hub, t, asked, note="on every role that trusts the account")
        return members

    def _data_hub(self, p: AwsPrincipal, t: Technique, ds: _DataSet, g: Grant, members) -> Collection[str]:
        """p may read every sensitive item of this type in its account that no resource policy
        guards, alike (with grant g): one edge into the hub of them; the members."""
        hub = f"aws{EVERY}{ds.rtype}:{p.account}"
        noun = ds.rtype.rsplit(".", 1)[-1].replace("_", " ")
        label = f"any sensitive {noun} of account {p.account} without a resource policy ({len(members)})"
        hub = self._every_hub(
            hub,
            label,
            members,
            lambda m: Edge(hub, m, t.id, (ds.action,), location=self._location(m)),
        )
        asked = [(ds.action, ds.arn[next(iter(members))], g, None)]
        self._edge(p, hub, t, asked, note=f"on every {noun} of the account")
        return members

    def _prefix_reads(
        self, p: AwsPrincipal, t: Technique, action: str, buckets: dict, ds: _DataSet, reached, hubbed
    ):
        """A grant on objects under a prefix of a sensitive bucket reads some of its data: the
        edge is conditional on the prefix (whether the sensitive objects lie under it)."""
        for pat in self.access.patterns(p, action).allows:
            if not isinstance(pat, str) or not pat.startswith("arn:aws:s3:::"):
                continue
            hit = buckets.get(pat.split("/", 1)[0])
            if hit is None or hit[0] in reached or hit[0] in hubbed:
                continue
            did, objects = hit
            under = _object_under(objects[: -len("/*")], pat)
            if under is None:
                continue
            obj, key = under
            asked = self._read(p, ds, did, obj, self.access.ask(p, action, obj))
            if asked is None:
                continue
            g = asked[0][2]
            g = Grant("conditional", (*g.undecided, f"s3 object key {key}"))
            self._edge(p, did, t, [(action, obj, g, None)], note=f"objects matching {key} only")
            reached.add(did)

    def trusted_by_anyone(self, t: Technique) -> None:
        for role in self.st.principals.values():
            if role.kind != "role" or not isinstance(role.trust, dict):
                continue
            g = grant_of(
                evaluate(
                    "sts:AssumeRole",
                    role.arn,
                    [],
                    resource_policy=role.trust_policy,
                    principal=_OUTSIDER,
                    context={},
                )
            )
            if g is not None:
                self.graph.add_edge(
                    Edge(
                        INTERNET,
                        role.uid,
                        t.id,
                        ("sts:AssumeRole",),
                        g.confidence,
                        g.undecided,
                        (role.uid,),
                        role.location,
                        "any AWS account may assume it",
                    )
                )

    def data_read(self, t: Technique) -> None:
        inv = self.st.inv
        for rtype, (action, template, policy_attr) in DATA_TYPES.items():
            ds = _DataSet(rtype, action)
            for r in inv.of_type(rtype):
                arn = self.st.arns.of(r)[0]
                if not arn:
                    continue
                if not self.graph.node(r.uid).sensitive:
                    continue  # only sensitive data ends a path; who-can asks policies directly
                darn = template.format(arn=arn)
                ds.items.append((darn, r.uid))
                ds.arn[r.uid] = darn
                ds.owner[r.uid] = r.account or self.st.scope.account
                if policy_attr and r.attrs.get(policy_attr):
                    ds.policies[r.uid] = _own_policy(self.st, r, r.attrs.get(policy_attr), arn)
                elif policy_attr and r.provenance.get(policy_attr) == "unresolved":
                    ds.unread.add(r.uid)  # not read (live secrets): not the same as none
                if rtype == "aws.secretsmanager.secret":
                    ds.keys[r.uid] = self._secret_key(r)
            if not ds.items:
                continue
            index = ArnIndex(ds.items)
            buckets = {a[: -len("/*")]: (n, a) for a, n in ds.items} if rtype == "aws.s3.bucket" else {}
            # hub members: what the identity grant alone decides (own account, no resource
            # policy, no customer key to pass)
            plain: dict[str, dict[str, None]] = defaultdict(dict)
            if rtype != "aws.kms.key":
                for _, did in ds.items:
                    if did not in ds.policies and did not in ds.unread and ds.keys.get(did) is None:
                        plain[ds.owner[did]][did] = None
            for p in self.st.principals.values():
                if p.kind == "group" or p.uid in self.admins:
                    continue
                members = plain.get(p.account, {})
                g, found, _ = self._found(p, action, index, members)
                hubbed = self._data_hub(p, t, ds, g, members) if g is not None else ()
                reached: set[str] = set()
                for did, darn, g in found:  # those outside the hub
                    asked = self._read(p, ds, did, darn, g)
                    if asked is None:
                        continue
                    self._edge(p, did, t, asked)
                    reached.add(did)
                if buckets:
                    self._prefix_reads(p, t, action, buckets, ds, reached, hubbed)
            # a resource policy that admits principals by ARN, or anyone
            for did, rp in ds.policies.items():
                darn = ds.arn[did]
                named, wide = _trusted_aws_principals(rp)
                for arn in named:
                    pid = self.graph.resolve(arn)
                    if pid in self.st.principals and self.st.principals[pid].kind != "group":
                        p = self.st.principals[pid]
                        asked = self._read(p, ds, did, darn, None)
                        if asked is not None:
                            g = Grant(
                                weakest(x[2].confidence for x in asked),
                                tuple(dict.fromkeys(k for x in asked for k in x[2].undecided)),
                            )
                            self.graph.add_edge(
                                Edge(
                                    pid,
                                    did,
                                    t.id,
                                    tuple(dict.fromkeys(x[0] for x in asked)),
                                    g.confidence,
                                    g.undecided,
                                    (did,),
                                    _loc(inv.get(did)),
                                    "the resource policy names this principal",
                                )
                            )
                g = _public(
                    grant_of(evaluate(action, darn, [], resource_policy=rp, principal=_OUTSIDER, context={}))
                )
                if g is not None and rtype == "aws.secretsmanager.secret":
                    g = self._outsider_key(ds.keys.get(did), g)
                if g is not None and not _public_blocked(inv.get(did)):
                    self.graph.add_edge(
                        Edge(
                            INTERNET,
                            did,
                            t.id,
                            (action,),
                            g.confidence,
                            g.undecided,
                            (did,),
                            _loc(inv.get(did)),
                            "the resource policy allows anyone",
                        )
                    )

    def _read(
        self, p: AwsPrincipal, ds: _DataSet, did: str, darn: str, g: Grant | None
    ) -> list[tuple[str, str, Grant, dict | None]] | None:
        """What `p` is asked to read `did` (its identity grant `g`, None when the resource
        policy names it), with the resource policy and, for a secret under a customer key in
        the scan, the key; None when something denies. A principal of another account needs
        the resource policy to allow it too (AWS's cross-account rule)."""
        action = ds.action
        cross = _cross_account(p.account, ds.owner[did])
        rp = ds.policies.get(did)
        if rp is not None:
            g = self.access.ask(p, action, darn, resource_policy=rp, cross_account=cross)
            if g is None:
                return None
            if ds.rtype == "aws.kms.key" and not _key_policy_admits(action, darn, rp, p):
                return None
        elif g is None:
            return None
        elif cross:
            if did not in ds.unread:
                return None  # no resource policy: no other account may read it
            g = Grant("conditional", (*g.undecided, f"the resource policy of {did} (not read)"))
        asked = [(action, darn, g, None)]
        if ds.rtype == "aws.secretsmanager.secret":
            key = self._key_read(p, ds.keys.get(did), cross, ds.owner[did])
            if key is None:
                return None
            if key:
                asked.append(key)
        return asked

    def _secret_key(self, r: Resource) -> tuple[str, Any, str, str] | str | None:
        """The customer-managed key a secret is encrypted with: (ARN, key policy or None for
        the default one, account) when the key is in the scan, its name when not; None for
        the AWS-managed aws/secretsmanager key."""
        ref = r.attrs.get("kms_key_id")
        if ref is None:
            return None
        key = None
        if isinstance(ref, Ref):
            key = self.st.inv.get(ref.uid)
        elif isinstance(ref, str) and (nid := self.graph.resolve(ref)):
            key = self.st.inv.get(nid)
        if key is None or key.type != "aws.kms.key":
            return ref if isinstance(ref, str) else (ref.uid if isinstance(ref, Ref) else "an unresolved key")
        karn = self.st.arns.of(key)[0]
        if not karn:
            return key.uid
        kpol = key.attrs.get("policy")
        kpol = resolve_refs(kpol, self.st.inv, self.st.arns, key.uid) if kpol else None
        region = r.region or self.st.scope.region
        return karn, kpol, key.account or self.st.scope.account, region

    def _key_read(self, p: AwsPrincipal, key: Any, cross: bool, owner: str):
        """kms:Decrypt on the secret's key for `p`: () when nothing more is needed (the
        AWS-managed key in the secret's own account), the asked tuple, or None when denied."""
        if key is None:  # aws/secretsmanager: usable only inside the secret's account
            return None if cross else ()
        if isinstance(key, str):  # a customer key outside the scan: its policy decides
            return (
                "kms:Decrypt",
                key,
                Grant("conditional", (f"the key policy of {key} (not in the scan)",)),
                None,
            )
        karn, kpol, kowner, region = key
        extra = (
            {"kms:ViaService": [f"secretsmanager.{region}.amazonaws.com"]}
            if region != UNKNOWN_REGION
            else None
        )
        kcross = _cross_account(p.account, kowner)
        if kpol is None:  # the default key policy: the key's account, through IAM
            g = None if kcross else self.access.ask(p, "kms:Decrypt", karn, extra=extra)
        else:
            g = self.access.ask(
                p, "kms:Decrypt", karn, extra=extra, resource_policy=kpol, cross_account=kcross
            )
            if g is not None and not _key_policy_admits("kms:Decrypt", karn, kpol, p):
                g = None
        return None if g is None else ("kms:Decrypt", karn, g, extra)

    def _outsider_key(self, key: Any, g: Grant) -> Grant | None:
        """A public secret is readable from another account only through a customer key that
        admits it."""
        if key is None:
            return None
        if isinstance(key, str):
            return Grant("conditional", (*g.undecided, f"the key policy of {key} (not in the scan)"))
        karn, kpol, _, _ = key
        if kpol is None:
            return None
        kg = grant_of(
            evaluate("kms:Decrypt", karn, [], resource_policy=kpol, principal=_OUTSIDER, context={})
        )
        kg = _public(kg)
        if kg is None:
            return None
        return Grant(
            weakest([g.confidence, kg.confidence]), tuple(dict.fromkeys((*g.undecided, *kg.undecided)))
        )


@dataclass
class _DataSet:
    """The sensitive resources of one data type, as `data_read` asks about them."""

    rtype: str
    action: str
    items: list[tuple[str, str]] = field(default_factory=list)  # (ARN asked, node id)
    arn: dict[str, str] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)  # node id -> account
    policies: dict[str, Any] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)  # a resource policy the scan did not read
    keys: dict[str, Any] = field(default_factory=dict)  # secret -> `_secret_key`


def _cross_account(principal: str, owner: str) -> bool:
    return principal != owner and UNKNOWN_ACCOUNT not in (principal, owner)


def _object_under(bucket_arn: str, pattern: Any) -> tuple[str, str] | None:
    """(an object the pattern grants, its key pattern) when `pattern` names objects under a
    prefix (or key pattern) of the bucket rather than all of them."""
    if not isinstance(pattern, str) or "${" in pattern or not pattern.startswith(bucket_arn + "/"):
        return None
    key = pattern[len(bucket_arn) + 1 :]
    if not key or key == "*":
        return None
    return f"{bucket_arn}/{key.replace('*', 'x').replace('?', 'x')}", key


def _public(g: Grant | None) -> Grant | None:
    """A grant to anyone counts only when the policy itself is known to admit anyone: a
    principal the scanner could not resolve is far more often the account than "*"."""
    if g is None or any(k.startswith("unresolved:") for k in g.undecided):
        return None
    return g


def _trust_grant(role: AwsPrincipal, p: AwsPrincipal, ctx: dict) -> Grant | None:
    """Whether the role's trust admits the caller through its account (root ARN or bare id)."""
    best = None
    for who in (f"arn:aws:iam::{p.account}:root", p.account):
        g = grant_of(
            evaluate(
                "sts:AssumeRole", role.arn, [], resource_policy=role.trust_policy, principal=who, context=ctx
            )
        )
        if g is not None and (best is None or g.confidence == "certain"):
            best = g
    return best


def _request_dependent(doc: Any) -> bool:
    """Whether a policy may decide differently for two callers of one account: it has a
    condition, a policy variable, or a part the scanner could not resolve."""
    if isinstance(doc, dict):
        return "Condition" in doc or any(_request_dependent(v) for v in doc.values())
    if isinstance(doc, list):
        return any(_request_dependent(v) for v in doc)
    if isinstance(doc, str):
        return "${" in doc
    return doc is not None and not isinstance(doc, int | float | bool)


def _key_policy_admits(action: str, arn: str, policy: Any, p: AwsPrincipal) -> bool:
    """A KMS key policy must itself admit the caller or its account; IAM alone is not enough."""
    for who in (p.arn, f"arn:aws:iam::{p.account}:root"):
        if evaluate(action, arn, [], resource_policy=policy, principal=who, context={}).possible:
            return True
    return False


def _public_blocked(r: Resource | None) -> bool:
    pab = r.attrs.get("public_access_block") if r is not None else None
    return isinstance(pab, dict) and (
        pab.get("restrict_public_buckets") is True or pab.get("block_public_policy") is True
    )


def _trusted_aws_principals(doc: Any) -> tuple[set[str], bool]:
    """(the AWS principal ARNs an Allow statement names, whether one names an account, "*"
    or something unresolved, so that the caller's own policies decide)."""
    named: set[str] = set()
    wide = False
    if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list):
        return named, isinstance(doc, Unresolved)
    for s in doc["Statement"]:
        if not isinstance(s, dict):
            wide = True
            continue
        if str(s.get("Effect", "Allow")).lower() != "allow":
            continue
        pr = s.get("Principal")
        if pr == "*":
            wide = True
            continue
        if not isinstance(pr, dict):
            wide = wide or isinstance(pr, Unresolved | Ref)
            continue
        vals = pr.get("AWS") or []
        for v in vals if isinstance(vals, list) else [vals]:
            if not isinstance(v, str) or v == "*" or v.endswith(":root") or re.fullmatch(r"\d{12}", v):
                wide = True
            else:
                named.add(v)
    return named, wide


def _fill(template: str, subst: dict[str, str]) -> str | None:
    if not template.startswith("{"):
        return template
    return subst.get(template.strip("{}"))
