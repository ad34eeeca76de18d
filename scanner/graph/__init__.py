"""The privilege graph: IAM policy evaluation, graph build, techniques, queries."""

from scanner.graph.aws_eval import CompiledPolicy, Decision, Result, compile_policy, evaluate, evaluate_many

__all__ = ["CompiledPolicy", "Decision", "Result", "compile_policy", "evaluate", "evaluate_many"]
