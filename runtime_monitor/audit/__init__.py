"""Audit logs against the declared policy: readers turn CloudTrail, GCP Cloud Audit Logs
and Kubernetes audit records into one event model (`event.AuditEvent`); detections compare
declared (the RuntimePolicy), granted (IAM/RBAC from a scan's inventory) and observed access
(the logs), and report where the logs cannot see as blind spots."""
