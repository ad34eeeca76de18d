"""kubelet PodResources API v1 (`List`): which device ids the kubelet allocated to each
container. The messages are built from descriptors at run time (no generated stubs), with
only the fields we read; protobuf skips the rest."""

from __future__ import annotations

from functools import cache

SOCKET = "/var/lib/kubelet/pod-resources/kubelet.sock"
LIST_METHOD = "/v1.PodResourcesLister/List"


@cache
def messages():
    """(ListPodResourcesRequest, ListPodResourcesResponse, PodResources, ContainerResources,
    ContainerDevices) classes, from k8s.io/kubelet/pkg/apis/podresources/v1/api.proto."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="mlposture/podresources/v1/api.proto", package="v1", syntax="proto3"
    )

    def msg(name, *fields):
        m = fdp.message_type.add(name=name)
        for num, fname, ftype, label, tname in fields:
            f = m.field.add(name=fname, number=num, type=ftype, label=label)
            if tname:
                f.type_name = tname

    opt, rep = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    msg("ListPodResourcesRequest")
    msg("ListPodResourcesResponse", (1, "pod_resources", F.TYPE_MESSAGE, rep, ".v1.PodResources"))
    msg(
        "PodResources",
        (1, "name", F.TYPE_STRING, opt, None),
        (2, "namespace", F.TYPE_STRING, opt, None),
        (3, "containers", F.TYPE_MESSAGE, rep, ".v1.ContainerResources"),
    )
    msg(
        "ContainerResources",
        (1, "name", F.TYPE_STRING, opt, None),
        (2, "devices", F.TYPE_MESSAGE, rep, ".v1.ContainerDevices"),
    )
    msg(
        "ContainerDevices",
        (1, "resource_name", F.TYPE_STRING, opt, None),
        (2, "device_ids", F.TYPE_STRING, rep, None),
    )
    svc = fdp.service.add(name="PodResourcesLister")
    svc.method.add(
        name="List", input_type=".v1.ListPodResourcesRequest", output_type=".v1.ListPodResourcesResponse"
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    names = (
        "ListPodResourcesRequest",
        "ListPodResourcesResponse",
        "PodResources",
        "ContainerResources",
        "ContainerDevices",
    )
    return tuple(message_factory.GetMessageClass(pool.FindMessageTypeByName(f"v1.{n}")) for n in names)


def to_records(response) -> list[dict]:
    """The snapshot's `pod_resources`: only containers holding devices are kept."""
    out = []
    for pod in response.pod_resources:
        containers = []
        for c in pod.containers:
            devices = [
                {"resource_name": d.resource_name, "device_ids": list(d.device_ids)}
                for d in c.devices
                if d.device_ids
            ]
            if devices:
                containers.append({"name": c.name, "devices": devices})
        if containers:
            out.append({"namespace": pod.namespace, "name": pod.name, "containers": containers})
    return out


def list_pod_resources(socket_path: str = SOCKET, timeout: float = 10.0) -> list[dict]:
    """Call List on the kubelet's socket. Raises grpc.RpcError (and OSError) on failure."""
    import grpc

    req_cls, resp_cls, *_ = messages()
    with grpc.insecure_channel(f"unix://{socket_path}") as channel:
        call = channel.unary_unary(
            LIST_METHOD,
            request_serializer=req_cls.SerializeToString,
            response_deserializer=resp_cls.FromString,
        )
        return to_records(call(req_cls(), timeout=timeout))
