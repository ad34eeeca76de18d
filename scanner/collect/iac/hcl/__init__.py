"""Terraform HCL front-end internals: parse (tree-sitter), evaluate expressions, resolve
variables, locals, references and local modules, and expand count/for_each into
`TfResource` records. `scanner.collect.iac.terraform.load` is the entry point."""
