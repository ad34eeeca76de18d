"""Credentials and scope: the standard boto3 chain (profile, environment, SSO, instance and
container roles), the accounts to scan (the caller's, a list, or an Organization's through
`--org-role`), the regions enabled for each, and the shard of accounts this run owns."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .context import Account


class AwsSetupError(Exception):
    """No usable credentials or scope: a configuration problem (exit 2)."""


@dataclass
class Scope:
    accounts: list[Account] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)  # ScanError for accounts that could not be entered
    caller_account: str = ""


def in_shard(account_id: str, shard: tuple[int, int] | None) -> bool:
    """Stable across runs, machines and list order: a hash of the account id (the same
    split as every other scope, scanner.shard)."""
    from scanner.shard import in_shard as _in_shard

    return shard is None or _in_shard(account_id, *shard)


def botocore_config(max_attempts: int, connect_timeout: float, read_timeout: float, pool: int):
    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max(10, pool),
        user_agent_extra="mlposture",
    )


_LOADER = None
_LOADER_LOCK = threading.Lock()


def shared_loader():
    """One botocore data loader for the process: it caches the parsed service models, which
    otherwise every session (one per assumed account) parses again, ~0.3-1 s per service."""
    global _LOADER
    with _LOADER_LOCK:
        if _LOADER is None:
            from botocore.loaders import create_loader

            _LOADER = create_loader()
        return _LOADER


def new_session(profile: str | None, region: str | None, hooks, **creds):
    import boto3
    import botocore.session

    core = botocore.session.get_session()
    core.register_component("data_loader", shared_loader())
    try:
        s = boto3.Session(profile_name=profile, region_name=region, botocore_session=core, **creds)
    except Exception as e:  # ProfileNotFound and friends
        raise AwsSetupError(f"cannot open AWS profile {profile!r}: {e}") from e
    for event, handler in hooks:
        s.events.register(event, handler)
    return s


def resolve_scope(cfg, hooks) -> Scope:
    """The accounts to scan, each with a session. Raises AwsSetupError when the caller's
    own identity cannot be read (no credentials, a wrong endpoint)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from scanner.model.finding import ScanError
    from scanner.secrets import redact_string

    base = new_session(cfg.profile, cfg.region, hooks)
    home = base.region_name or "us-east-1"
    config = botocore_config(cfg.max_attempts, cfg.connect_timeout, cfg.read_timeout, cfg.workers)
    sts = base.client("sts", region_name=home, endpoint_url=cfg.endpoint_url, config=config)
    try:
        caller = sts.get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as e:
        raise AwsSetupError(
            f"cannot read the caller identity (sts:GetCallerIdentity): {redact_string(str(e))}"
        ) from e
    scope = Scope(caller_account=caller)
    if not cfg.org_role:
        if cfg.accounts and set(cfg.accounts) != {caller}:
            raise AwsSetupError(
                f"--accounts names accounts other than the caller's ({caller}): give --org-role ROLE to enter them"
            )
        if in_shard(caller, cfg.shard):
            scope.accounts.append(Account(caller, base, home, cfg.endpoint_url, config))
        return scope
    ids = list(cfg.accounts or [])
    if not ids:
        org = base.client("organizations", region_name=home, endpoint_url=cfg.endpoint_url, config=config)
        try:
            for page in org.get_paginator("list_accounts").paginate():
                ids += [a["Id"] for a in page.get("Accounts") or [] if a.get("Status", "ACTIVE") == "ACTIVE"]
        except (BotoCoreError, ClientError) as e:
            raise AwsSetupError(
                f"cannot list the Organization's accounts (organizations:ListAccounts): {redact_string(str(e))}"
            ) from e
    for acct in sorted(set(ids)):
        if not in_shard(acct, cfg.shard):
            continue
        role_arn = f"arn:aws:iam::{acct}:role/{cfg.org_role}"
        params = {"RoleArn": role_arn, "RoleSessionName": "mlposture-scan"}
        if cfg.external_id:
            params["ExternalId"] = cfg.external_id
        try:
            c = sts.assume_role(**params)["Credentials"]
        except (BotoCoreError, ClientError) as e:
            scope.errors.append(
                ScanError(
                    source="aws",
                    reason=f"cannot assume {role_arn} (sts:AssumeRole): {redact_string(str(e))[:300]}",
                    unscanned=f"account {acct} (every service and region)",
                )
            )
            continue
        s = new_session(
            None,
            home,
            hooks,
            aws_access_key_id=c["AccessKeyId"],
            aws_secret_access_key=c["SecretAccessKey"],
            aws_session_token=c["SessionToken"],
        )
        scope.accounts.append(Account(acct, s, home, cfg.endpoint_url, config))
    return scope


def enabled_regions(account: Account, cfg) -> tuple[list[str], str | None]:
    """Regions to scan in an account, and an error text when they could not be listed (the
    home region is scanned then)."""
    from botocore.exceptions import BotoCoreError, ClientError

    if cfg.regions:
        return list(cfg.regions), None
    if cfg.endpoint_url:
        return [account.home_region], None
    try:
        out = account.client("ec2", account.home_region).describe_regions(AllRegions=False)
    except (BotoCoreError, ClientError) as e:
        return [account.home_region], f"ec2:DescribeRegions failed ({e}); scanned {account.home_region} only"
    return sorted(r["RegionName"] for r in out.get("Regions") or []), None


def service_regions(account: Account, boto_service: str, regions: list[str], cfg) -> list[str]:
    """Of `regions`, those where the service exists (boto's endpoint data)."""
    if cfg.endpoint_url or cfg.regions:
        return regions
    known = set(account.session.get_available_regions(boto_service))
    return [r for r in regions if r in known] if known else regions
