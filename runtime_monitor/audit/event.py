"""The one event model every audit reader produces.

Resources are written in one canonical form whatever the log, so a policy location matches
them the same way: ARNs as logged, ``s3://bucket/key`` for S3 objects and buckets,
``gs://bucket/object`` for Cloud Storage, GCP resource names as logged
(``projects/p/locations/l/endpoints/e``), and ``k8s:<namespace>/<resource>/<name>``
(``k8s:<namespace>/pods/<name>/exec`` with a subresource) for Kubernetes objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

SUCCESS, FAILURE, UNKNOWN = "success", "failure", "unknown"


@dataclass(slots=True)
class AuditEvent:
    provider: str  # aws | gcp | k8s
    time: float  # epoch seconds, UTC
    principal: str  # canonical: role ARN (sessions folded), user ARN, GCP email, K8s username
    action: str  # "s3:GetObject", "google.storage.objects.get", "create pods/exec"
    resources: tuple[str, ...]
    source_ip: str
    user_agent: str
    outcome: str  # success | failure | unknown
    error_code: str
    file: str
    line: int | None  # line in the file (JSON lines); None inside a record array
    record: int  # 1-based position of the record in its file
    event_version: str
    raw_id: str  # eventID, insertId, auditID
    service: str = ""  # s3.amazonaws.com, storage.googleapis.com, k8s
    session: str = ""  # the concrete identity behind `principal` (an STS session ARN, impersonator)
    vpc_endpoint: str = ""
    bytes_out: int | None = None  # bytes sent to the caller, where the log says
    log_type: str = ""  # aws: Management|Data; gcp: activity|data_access|...; k8s: the audit level
    namespace: str = ""  # k8s
    # What the request asked for, reduced to the few facts detections read (never the raw
    # parameters, which may carry secrets): e.g. {"privileged": True, "host_path": ["/"]}.
    request: dict = field(default_factory=dict)

    @property
    def where(self) -> str:
        """file:line, or file#record for records inside one JSON document."""
        return f"{self.file}:{self.line}" if self.line is not None else f"{self.file}#record{self.record}"

    @property
    def iso_time(self) -> str:
        return iso(self.time)


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_DAYS: dict[str, float] = {}  # "2026-11-02" -> its epoch; bounded by the days a run reads
_MAX_DAYS = 4096
# "08:15" -> seconds, "00".."59" -> seconds: a lookup both parses and validates
_HM = {f"{h:02d}:{m:02d}": h * 3600 + m * 60 for h in range(24) for m in range(60)}
_S = {f"{s:02d}": s for s in range(60)}


def parse_time(s: str) -> float | None:
    """RFC 3339 as the three logs write it ("2026-11-02T08:15:00Z", with fractions up to
    nanoseconds from GCP and Kubernetes, or an offset); None when it is not one."""
    if not isinstance(s, str) or len(s) < 19:
        return None
    # CloudTrail's own form, a million times a run: the date once a day, the rest by lookup.
    if len(s) == 20 and s[10] == "T" and s[16] == ":" and s[19] == "Z":
        day = _DAYS.get(s[:10])
        hm = _HM.get(s[11:16])
        sec = _S.get(s[17:19])
        if day is not None and hm is not None and sec is not None:
            return day + hm + sec
        t = _parse_time(s)
        if t is not None and len(_DAYS) < _MAX_DAYS:
            _DAYS[s[:10]] = _parse_time(s[:10] + "T00:00:00Z")  # type: ignore[assignment]
        return t
    return _parse_time(s)


def _parse_time(s: str) -> float | None:
    try:
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        dot = s.find(".", 19)
        if dot != -1:  # fromisoformat takes at most 6 fraction digits
            end = dot + 1
            while end < len(s) and s[end].isdigit():
                end += 1
            s = s[:dot] + s[dot : min(end, dot + 7)] + s[end:]
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


# Readers take records of any shape: a field of the wrong type reads as absent, so an event
# only ever holds the types its fields declare (detections and reports never see a list
# where a name should be).
def as_str(v: object) -> str:
    """Text as it is, a number written out, anything else (null, a list, an object) as ""."""
    if isinstance(v, str):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(v)
    return ""


def as_dict(v: object) -> dict:
    return v if isinstance(v, dict) else {}


def as_list(v: object) -> list:
    return v if isinstance(v, list) else []
