"""SageMaker jobs declared inside another resource: the steps of a SageMaker pipeline
definition and the SageMaker tasks of a Step Functions state machine (Amazon States
Language). Both carry the job's request in the API's own shape (CreateTrainingJob,
CreateProcessingJob, CreateTransformJob), so one mapping turns either into canonical attrs.

Pure and dialect-neutral: the Terraform and CloudFormation normalizers hand over the
definition (a JSON string, or the structure already parsed with its `Ref`/`Unresolved`
values) and wrap what comes back into resources. Values the definition computes at run
time (a pipeline ``{"Get": ...}`` or ``Std:`` function, an ASL ``Key.$`` JSONPath or a
JSONata ``{% ... %}`` expression) are `Unresolved`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from scanner.model.resource import Ref, Unresolved
from scanner.secrets import Detection, scrub_mapping

TRAINING = "aws.sagemaker.training_job"
PROCESSING = "aws.sagemaker.processing_job"
TRANSFORM = "aws.sagemaker.transform_job"
JOB_TYPES = (TRAINING, PROCESSING, TRANSFORM)

_PIPELINE_STEP_TYPES = {"Training": TRAINING, "Processing": PROCESSING, "Transform": TRANSFORM}
_ASL_RESOURCE = re.compile(
    r"^arn:aws[\w-]*:states:::sagemaker:create(TrainingJob|ProcessingJob|TransformJob)"
    r"(?:\.sync|\.waitForTaskToken)?$"
)
_ASL_KINDS = {"TrainingJob": TRAINING, "ProcessingJob": PROCESSING, "TransformJob": TRANSFORM}
_MAX_DEPTH = 32


class DefinitionError(ValueError):
    """The definition cannot be read (not JSON, not known statically, not the right shape)."""


@dataclass
class JobSpec:
    rtype: str  # one of JOB_TYPES
    step: str  # pipeline step name or state name (unique within its container)
    args: Any  # the request in API shape (dict), or Unresolved


# ------------------------------------------------------------------------- reading
def _load(definition: Any, what: str) -> dict:
    if isinstance(definition, Unresolved | Ref):
        raise DefinitionError(f"{what} is not known statically")
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError as e:
            raise DefinitionError(f"{what} is not valid JSON: {e.msg} at line {e.lineno}") from None
    if not isinstance(definition, dict):
        raise DefinitionError(f"{what} is not a JSON object")
    return definition


def _unique(step: Any, seen: set[str]) -> str:
    name = step if isinstance(step, str) and step else "step"
    out, n = name, 1
    while out in seen:
        n += 1
        out = f"{name}#{n}"
    seen.add(out)
    return out


def pipeline_jobs(definition: Any) -> list[JobSpec]:
    """The Training, Processing and Transform steps of a SageMaker pipeline definition
    (also those under a Condition step's IfSteps/ElseSteps), and the training jobs of its
    Tuning steps."""
    doc = _load(definition, "pipeline definition")
    steps = doc.get("Steps", [])
    if not isinstance(steps, list):
        raise DefinitionError("pipeline definition: Steps is not a list")
    out: list[JobSpec] = []
    seen: set[str] = set()

    def walk(items: list, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        for s in items:
            if not isinstance(s, dict):
                continue
            args = s.get("Arguments")
            rtype = _PIPELINE_STEP_TYPES.get(s.get("Type"))
            if rtype is not None:
                out.append(JobSpec(rtype, _unique(s.get("Name"), seen), _pipeline_values(args, 0)))
            elif s.get("Type") == "Tuning":
                out.extend(_tuning_jobs(s.get("Name"), _pipeline_values(args, 0), seen))
            elif s.get("Type") == "Condition" and isinstance(args, dict):
                for branch in ("IfSteps", "ElseSteps"):
                    if isinstance(args.get(branch), list):
                        walk(args[branch], depth + 1)

    walk(steps, 0)
    return out


def _tuning_jobs(step: Any, args: Any, seen: set[str]) -> list[JobSpec]:
    """A Tuning step (CreateHyperParameterTuningJob) runs training jobs: one per training job
    definition, as a training job request (StaticHyperParameters are its HyperParameters).
    Steps: "<step>" for TrainingJobDefinition, "<step>/<DefinitionName>" for each of
    TrainingJobDefinitions."""
    if not isinstance(args, dict):
        return [JobSpec(TRAINING, _unique(step, seen), args)]
    defs: list[tuple[str, Any]] = []
    if "TrainingJobDefinition" in args:
        defs.append((step if isinstance(step, str) and step else "step", args["TrainingJobDefinition"]))
    many = args.get("TrainingJobDefinitions")
    if isinstance(many, list):
        for i, d in enumerate(many):
            label = d.get("DefinitionName") if isinstance(d, dict) else None
            defs.append((f"{step}/{label if isinstance(label, str) and label else i}", d))
    elif many is not None:  # an unresolved list of definitions: one job whose request is unknown
        defs.append(
            (f"{step}/definitions", many if isinstance(many, Unresolved) else Unresolved("not a list"))
        )
    out = []
    for name, d in defs:
        if isinstance(d, dict):
            d = {("HyperParameters" if k == "StaticHyperParameters" else k): v for k, v in d.items()}
        out.append(JobSpec(TRAINING, _unique(name, seen), d))
    return out


def _pipeline_values(v: Any, depth: int) -> Any:
    """Pipeline expressions ({"Get": ...}, {"Std:Join": ...}) are run-time values."""
    if depth > _MAX_DEPTH:
        return Unresolved("definition nested too deeply")
    if isinstance(v, dict):
        if (len(v) == 1 and "Get" in v) or any(str(k).startswith("Std:") for k in v):
            return Unresolved(f"pipeline expression {_short(v)}")
        return {k: _pipeline_values(x, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [_pipeline_values(x, depth + 1) for x in v]
    return v


def state_machine_jobs(definition: Any) -> list[JobSpec]:
    """The SageMaker createTrainingJob/createProcessingJob/createTransformJob tasks of a
    Step Functions definition, in Parallel branches and Map iterators too."""
    doc = _load(definition, "state machine definition")
    out: list[JobSpec] = []
    seen: set[str] = set()

    def walk(states: Any, depth: int) -> None:
        if not isinstance(states, dict) or depth > _MAX_DEPTH:
            return
        for name, st in states.items():
            if not isinstance(st, dict):
                continue
            res = st.get("Resource")
            m = _ASL_RESOURCE.match(res) if isinstance(res, str) and st.get("Type") == "Task" else None
            if m:
                params = st.get("Parameters", st.get("Arguments"))
                if params is None:
                    params = Unresolved("the task has no Parameters: the job request is its input")
                out.append(JobSpec(_ASL_KINDS[m.group(1)], _unique(name, seen), _asl_values(params, 0)))
            branches = st.get("Branches")
            for branch in branches if isinstance(branches, list) else []:
                if isinstance(branch, dict):
                    walk(branch.get("States"), depth + 1)
            for key in ("Iterator", "ItemProcessor"):
                if isinstance(st.get(key), dict):
                    walk(st[key].get("States"), depth + 1)

    walk(doc.get("States"), 0)
    return out


def _asl_values(v: Any, depth: int) -> Any:
    """``Key.$`` (JSONPath, intrinsic functions) and ``{% %}`` (JSONata) are run-time values."""
    if depth > _MAX_DEPTH:
        return Unresolved("definition nested too deeply")
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if isinstance(k, str) and k.endswith(".$"):
                out[k[:-2]] = Unresolved(f"JSONPath {_short(x)}")
            else:
                out[k] = _asl_values(x, depth + 1)
        return out
    if isinstance(v, list):
        return [_asl_values(x, depth + 1) for x in v]
    if isinstance(v, str) and v.strip().startswith("{%") and v.strip().endswith("%}"):
        return Unresolved(f"JSONata {v.strip()[:80]}")
    return v


def _short(v: Any) -> str:
    try:
        return json.dumps(v, sort_keys=True, default=str)[:80]
    except (TypeError, ValueError):
        return str(v)[:80]


# ------------------------------------------------------------------------- canonical attrs
@dataclass
class JobAttrs:
    attrs: dict[str, Any]
    provenance: dict[str, str]
    detections: list[Detection]


_MISSING = object()


def _get(args: Any, *path: str) -> Any:
    cur = args
    for k in path:
        if isinstance(cur, Unresolved | Ref):
            return cur
        if not isinstance(cur, dict) or k not in cur:
            return _MISSING
        cur = cur[k]
    return cur


def _bool(v: Any) -> Any:
    if isinstance(v, bool | Unresolved):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    if isinstance(v, Ref):
        return Unresolved(f"value of {v.uid} {v.attr}".strip())
    return Unresolved(f"not a boolean: {_short(v)}")


def _str(v: Any) -> Any:
    if isinstance(v, str | Ref | Unresolved):
        return v
    return Unresolved(f"not a string: {_short(v)}")


def _list(v: Any) -> Any:
    if isinstance(v, Unresolved):
        return v
    if isinstance(v, Ref):
        return Unresolved(f"list from {v.uid}")
    if not isinstance(v, list):
        return Unresolved(f"not a list: {_short(v)}")
    return [_str(x) for x in v]


def _vpc(v: Any) -> Any:
    if isinstance(v, Unresolved):
        return v
    if not isinstance(v, dict):
        return Unresolved(f"not a VPC configuration: {_short(v)}")
    return {
        "subnet_ids": _list(v.get("Subnets", [])),
        "security_group_ids": _list(v.get("SecurityGroupIds", [])),
    }


# canonical attr -> (path in the request, conversion, default) per job type
_NET = ("NetworkConfig",)
_FIELDS: dict[str, list[tuple[str, tuple[str, ...], Any, Any]]] = {
    TRAINING: [
        ("enable_network_isolation", ("EnableNetworkIsolation",), _bool, False),
        ("vpc_config", ("VpcConfig",), _vpc, None),
        (
            "enable_inter_container_traffic_encryption",
            ("EnableInterContainerTrafficEncryption",),
            _bool,
            False,
        ),
        ("volume_kms_key_id", ("ResourceConfig", "VolumeKmsKeyId"), _str, None),
        ("output_kms_key_id", ("OutputDataConfig", "KmsKeyId"), _str, None),
        ("role_arn", ("RoleArn",), _str, None),
        ("image", ("AlgorithmSpecification", "TrainingImage"), _str, None),
        ("instance_type", ("ResourceConfig", "InstanceType"), _str, None),
    ],
    PROCESSING: [
        ("enable_network_isolation", (*_NET, "EnableNetworkIsolation"), _bool, False),
        ("vpc_config", (*_NET, "VpcConfig"), _vpc, None),
        (
            "enable_inter_container_traffic_encryption",
            (*_NET, "EnableInterContainerTrafficEncryption"),
            _bool,
            False,
        ),
        ("volume_kms_key_id", ("ProcessingResources", "ClusterConfig", "VolumeKmsKeyId"), _str, None),
        ("output_kms_key_id", ("ProcessingOutputConfig", "KmsKeyId"), _str, None),
        ("role_arn", ("RoleArn",), _str, None),
        ("image", ("AppSpecification", "ImageUri"), _str, None),
        ("instance_type", ("ProcessingResources", "ClusterConfig", "InstanceType"), _str, None),
    ],
    TRANSFORM: [
        ("volume_kms_key_id", ("TransformResources", "VolumeKmsKeyId"), _str, None),
        ("output_kms_key_id", ("TransformOutput", "KmsKeyId"), _str, None),
        ("model_name", ("ModelName",), _str, None),
        ("instance_type", ("TransformResources", "InstanceType"), _str, None),
    ],
}
_MAPS = {
    TRAINING: [("environment", "Environment"), ("hyperparameters", "HyperParameters")],
    PROCESSING: [("environment", "Environment")],
    TRANSFORM: [("environment", "Environment")],
}


def job_attrs(spec: JobSpec, container_uid: str, container_kind: str, line: int | None) -> JobAttrs:
    """Canonical attrs of one job; `line` is where its container's definition is written
    (every detection points there)."""
    attrs: dict[str, Any] = {}
    prov: dict[str, str] = {}
    dets: list[Detection] = []
    args = spec.args
    if not isinstance(args, dict | Unresolved | Ref):
        args = Unresolved(f"the job request is not an object: {_short(args)}")
    if isinstance(args, Ref):
        args = Unresolved(f"value of {args.uid}")
    for attr, path, conv, default in _FIELDS[spec.rtype]:
        v = _get(args, *path)
        if v is _MISSING or v is None:
            attrs[attr] = default
            prov[attr] = "default"
            continue
        attrs[attr] = conv(v)
    if spec.rtype == TRAINING:
        algo = _get(args, "AlgorithmSpecification", "AlgorithmName")
        if attrs["image"] is None and algo is not _MISSING and algo is not None:
            attrs["image"] = _str(algo)
            prov.pop("image", None)
    for attr, key in _MAPS[spec.rtype]:
        m = _get(args, key)
        if m is _MISSING or m is None:
            attrs[attr] = {}
            prov[attr] = "default"
        elif isinstance(m, dict):
            plain = {str(k): x for k, x in m.items()}
            scrubbable = {k: x for k, x in plain.items() if isinstance(x, str)}
            clean, found = scrub_mapping(scrubbable, attr, dict.fromkeys(scrubbable, line) if line else None)
            dets.extend(found)
            attrs[attr] = {k: clean.get(k, x) for k, x in plain.items()}
        elif isinstance(m, Unresolved):
            attrs[attr] = m
        else:
            attrs[attr] = Unresolved(f"{key} is not a map")
    attrs["defined_in"] = {"uid": container_uid, "kind": container_kind, "step": spec.step}
    attrs["secrets"] = [d.to_json() for d in dets]
    _mark(attrs, "", prov)
    return JobAttrs(attrs, prov, dets)


def _mark(v: Any, path: str, prov: dict[str, str]) -> None:
    if isinstance(v, Unresolved):
        if path:
            prov[path] = "unresolved"
    elif isinstance(v, dict):
        for k, x in v.items():
            _mark(x, f"{path}.{k}" if path else str(k), prov)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            _mark(x, f"{path}[{i}]", prov)
