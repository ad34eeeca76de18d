"""The GPU node agent: adapters that read NVML, kubelet PodResources, /proc cgroups, the
Kubernetes API and container-toolkit configuration into a snapshot, and isolation checks
that are pure functions over a snapshot and the declared policy."""
