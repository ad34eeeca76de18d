"""Cloud Run services and jobs (v2, per region) and Cloud Functions (v1 and v2, every
location at once), each with its own IAM policy."""

from __future__ import annotations

from .context import Raw, ScanContext


def collect_run(ctx: ScanContext, project: str, region: str) -> None:
    run = ctx.rest.service("run", "v2")
    loc = run.projects().locations()
    parent = f"projects/{project}/locations/{region}"
    for coll, kind, what in (
        (loc.services, "run.service", "Cloud Run services"),
        (loc.jobs, "run.job", "Cloud Run jobs"),
    ):
        with ctx.unit(f"{what} in project {project}, region {region}", project, "run.googleapis.com"):
            # consumed as it arrives: a later page that fails leaves the earlier ones scanned
            items = ctx.rest.pages(
                lambda t, coll=coll: coll().list(parent=parent, pageToken=t), kind.split(".")[1] + "s"
            )
            for item in items:
                policy, why = ctx.policy_of(
                    lambda item=item, coll=coll: ctx.rest.call(
                        coll().getIamPolicy(resource=item["name"], **{"options_requestedPolicyVersion": 3})
                    ),
                    f"IAM policy (invokers) of {item['name']}",
                )
                ctx.add(Raw(kind, project, item, region, policy=policy, policy_error=why))


def collect_functions(ctx: ScanContext, project: str) -> None:
    parent = f"projects/{project}/locations/-"  # every location at once
    for version, kind in (("v2", "functions.v2"), ("v1", "functions.v1")):
        what = f"Cloud Functions ({version}) in project {project}"
        with ctx.unit(what, project, "cloudfunctions.googleapis.com"):
            fns = ctx.rest.service("cloudfunctions", version).projects().locations().functions
            items = ctx.rest.pages(lambda t, fns=fns: fns().list(parent=parent, pageToken=t), "functions")
            for item in items:
                if version == "v2" and item.get("environment") == "GEN_1":
                    continue  # the v2 API lists 1st gen functions too; the v1 listing reads them
                policy, why = ctx.policy_of(
                    lambda item=item, fns=fns: ctx.rest.call(
                        fns().getIamPolicy(resource=item["name"], **{"options_requestedPolicyVersion": 3})
                    ),
                    f"IAM policy (invokers) of {item['name']}",
                )
                ctx.add(Raw(kind, project, item, policy=policy, policy_error=why))
