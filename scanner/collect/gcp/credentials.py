"""Credentials: Application Default Credentials, read-only scope; anonymous for stand-ins."""

from __future__ import annotations

from .faults import GcpCallError

# The read-only scope covers every call in `calls`; IAM permissions still decide what is read.
SCOPES = ("https://www.googleapis.com/auth/cloud-platform.read-only",)


def load_credentials(anonymous: bool):
    if anonymous:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        creds, _project = google.auth.default(scopes=list(SCOPES))
    except DefaultCredentialsError as e:
        raise GcpCallError(
            "no Application Default Credentials: run `gcloud auth application-default login` or set "
            f"GOOGLE_APPLICATION_CREDENTIALS ({str(e).splitlines()[0][:200]})"
        ) from e
    return creds
