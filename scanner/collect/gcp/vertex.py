"""Vertex AI (regional endpoints) and Workbench instances."""

from __future__ import annotations

from .context import Raw, ScanContext
from .faults import GcpCallError
from .settings import DEFAULT_REGIONS

# collection name in aiplatform v1 -> (raw kind, JSON list key, what it is)
VERTEX_COLLECTIONS = {
    "endpoints": ("vertex.endpoint", "endpoints", "Vertex AI endpoints"),
    "models": ("vertex.model", "models", "Vertex AI models"),
    "customJobs": ("vertex.custom_job", "customJobs", "Vertex AI custom jobs"),
    "pipelineJobs": ("vertex.pipeline_job", "pipelineJobs", "Vertex AI pipeline jobs"),
    "featurestores": ("vertex.featurestore", "featurestores", "Vertex AI featurestores"),
    "tensorboards": ("vertex.tensorboard", "tensorboards", "Vertex AI TensorBoards"),
    "indexEndpoints": ("vertex.index_endpoint", "indexEndpoints", "Vertex AI index endpoints"),
    "notebookRuntimeTemplates": (
        "vertex.notebook_runtime_template",
        "notebookRuntimeTemplates",
        "Vertex AI notebook runtime templates",
    ),
}


def vertex_regions(ctx: ScanContext, project: str) -> list[str]:
    """The regions Vertex AI is offered in for `project` (projects.locations.list), so a new
    region is scanned without a release; the fixed list when that call fails, with a note."""
    try:
        ai = ctx.rest.service("aiplatform", "v1")
        locs = ctx.rest.pages(
            lambda t: ai.projects().locations().list(name=f"projects/{project}", pageToken=t), "locations"
        )
        regions = sorted({loc.get("locationId") for loc in locs if loc.get("locationId")})
    except GcpCallError as e:
        ctx.remark(
            f"project {project}: Vertex AI regions not listed ({str(e)[:200]}); "
            f"scanned the fixed list instead: {', '.join(DEFAULT_REGIONS)}"
        )
        return list(DEFAULT_REGIONS)
    if not regions:
        ctx.remark(f"project {project}: Vertex AI listed no regions; scanned the fixed list instead")
        return list(DEFAULT_REGIONS)
    return regions


def collect_vertex(ctx: ScanContext, project: str, region: str) -> None:
    ai = ctx.rest.service("aiplatform", "v1", region)
    parent = f"projects/{project}/locations/{region}"
    for coll, (kind, key, what) in VERTEX_COLLECTIONS.items():
        with ctx.unit(f"{what} in project {project}, region {region}", project, "aiplatform.googleapis.com"):
            res = getattr(ai.projects().locations(), coll)()
            for item in ctx.rest.pages(lambda t, res=res: res.list(parent=parent, pageToken=t), key):
                ctx.add(Raw(kind, project, item, region))


def collect_workbench(ctx: ScanContext, project: str) -> None:
    """Workbench instances (Notebooks API v2) and legacy user-managed notebooks (v1); both
    are zonal, so every zone is listed at once with the `-` location."""
    parent = f"projects/{project}/locations/-"
    for version, kind in (("v2", "notebooks.instance"), ("v1", "notebooks.legacy_instance")):
        what = f"Workbench instances (Notebooks API {version}) in project {project}"
        with ctx.unit(what, project, "notebooks.googleapis.com"):
            nb = ctx.rest.service("notebooks", version)
            inst = nb.projects().locations().instances()
            for item in ctx.rest.pages(
                lambda t, inst=inst: inst.list(parent=parent, pageToken=t), "instances"
            ):
                ctx.add(Raw(kind, project, item))
