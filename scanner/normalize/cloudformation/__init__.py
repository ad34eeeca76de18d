"""CloudFormation and SAM templates -> canonical resources (see `template`)."""

from .template import normalize_template, uid_of

__all__ = ["normalize_template", "uid_of"]
