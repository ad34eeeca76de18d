"""mlposture: security posture scanner for serverless ML workloads."""

__version__ = "0.1.0"
