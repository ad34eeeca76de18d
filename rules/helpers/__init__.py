"""Small pure helpers shared by rules: IAM policy analysis, secret findings, GCP identity.
Not a provider package, so the loader never looks here for rules."""
