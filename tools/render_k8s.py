#!/usr/bin/env python3
"""Render a kustomization without kubectl: the subset of kustomize that deploy/k8s uses.

    python tools/render_k8s.py deploy/k8s/base               # multi-document YAML on stdout
    python tools/render_k8s.py deploy/k8s/overlays/model-pvc

What it does, as `kubectl kustomize` does:

* ``resources``: YAML files (every document in them) and directories holding a
  kustomization (rendered first, recursively: overlays on a base);
* ``namespace``: set on every namespaced resource;
* ``images``: ``name`` -> ``newName`` / ``newTag`` / ``digest`` on every container and init
  container of Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs;
* ``patches``: JSON 6902 patches (a YAML list of ``add`` / ``remove`` / ``replace`` / ``test``
  operations, inline as ``patch`` or in a file as ``path``) on the resources their ``target``
  names (``kind`` and ``name``, optionally ``group``, ``version``, ``namespace``).

Anything else (generators, strategic-merge patches, labels, components, remote resources) is
refused with an error naming it, so a kustomization never renders differently here than with
kustomize without anyone noticing; tests/deploy also compares the two where kubectl is
installed. Output order: the order of ``resources``. Pure Python; needs PyYAML only.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any, Dict, List

import yaml

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SUPPORTED_KEYS = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
# Kinds that are not namespaced (the ones a kustomization here could hold).
CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
    "PersistentVolume", "StorageClass", "IngressClass", "PriorityClass", "RuntimeClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
}
POD_TEMPLATE_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


class RenderError(Exception):
    """The kustomization cannot be rendered (or uses what this renderer does not do)."""


def kustomization_file(directory: Path) -> Path:
    for name in KUSTOMIZATION_NAMES:
        if (directory / name).is_file():
            return directory / name
    raise RenderError(f"{directory}: no kustomization.yaml")


def load_documents(path: Path) -> List[Dict[str, Any]]:
    try:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    except yaml.YAMLError as e:
        raise RenderError(f"{path}: not valid YAML: {e}") from e
    for d in docs:
        if not isinstance(d, dict) or "kind" not in d or "apiVersion" not in d:
            raise RenderError(f"{path}: a document without kind/apiVersion")
    return docs


def pod_spec(resource: Dict[str, Any]) -> Dict[str, Any] | None:
    keys = POD_TEMPLATE_PATHS.get(resource.get("kind"))
    if keys is None:
        return None
    node: Any = resource
    for k in keys:
        node = node.get(k) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def split_image(image: str) -> tuple[str, str, str]:
    """'reg:5000/a/b:1.2@sha256:..' -> ('reg:5000/a/b', '1.2', 'sha256:..')."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = ""
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag, digest


def apply_images(resources: List[Dict[str, Any]], images: List[Dict[str, Any]]) -> None:
    for entry in images:
        unknown = set(entry) - {"name", "newName", "newTag", "digest"}
        if unknown or "name" not in entry:
            raise RenderError(f"images: unsupported entry {entry}")
    for resource in resources:
        spec = pod_spec(resource)
        if spec is None:
            continue
        for container in spec.get("initContainers", []) + spec.get("containers", []):
            name, tag, digest = split_image(container["image"])
            for entry in images:
                if entry["name"] != name:
                    continue
                new_name = entry.get("newName", name)
                if "digest" in entry:
                    container["image"] = f"{new_name}@{entry['digest']}"
                elif "newTag" in entry:
                    container["image"] = f"{new_name}:{entry['newTag']}"
                else:
                    container["image"] = new_name + (f":{tag}" if tag else "") + (
                        f"@{digest}" if digest else "")
                break


# --- JSON 6902 ---------------------------------------------------------------------------------
def _pointer(path: str) -> List[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise RenderError(f"JSON pointer must start with '/': {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, parts: List[str], path: str) -> Any:
    node = doc
    for p in parts[:-1]:
        if isinstance(node, list):
            try:
                node = node[int(p)]
            except (ValueError, IndexError) as e:
                raise RenderError(f"patch path {path!r}: no element {p!r}") from e
        elif isinstance(node, dict) and p in node:
            node = node[p]
        else:
            raise RenderError(f"patch path {path!r}: no member {p!r}")
    return node


def _get(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        return doc
    parent = _parent(doc, parts, path)
    last = parts[-1]
    try:
        return parent[int(last)] if isinstance(parent, list) else parent[last]
    except (ValueError, IndexError, KeyError, TypeError) as e:
        raise RenderError(f"patch path {path!r} does not exist") from e


def apply_json6902(doc: Dict[str, Any], operations: List[Dict[str, Any]]) -> None:
    for op in operations:
        kind, path = op.get("op"), op.get("path")
        if kind not in ("add", "remove", "replace", "test") or not isinstance(path, str):
            raise RenderError(f"unsupported JSON 6902 operation: {op}")
        parts = _pointer(path)
        if not parts:
            raise RenderError("patching the whole document is not supported")
        if kind == "test":
            if _get(doc, path) != op.get("value"):
                raise RenderError(f"patch test failed at {path}: {_get(doc, path)!r} != "
                                  f"{op.get('value')!r}")
            continue
        parent = _parent(doc, parts, path)
        last = parts[-1]
        value = copy.deepcopy(op.get("value"))
        if isinstance(parent, list):
            if kind == "add" and last == "-":
                parent.append(value)
                continue
            try:
                i = int(last)
            except ValueError as e:
                raise RenderError(f"patch path {path!r}: {last!r} is not an index") from e
            if kind == "add":
                if not 0 <= i <= len(parent):
                    raise RenderError(f"patch path {path!r}: index out of range")
                parent.insert(i, value)
            else:
                if not 0 <= i < len(parent):
                    raise RenderError(f"patch path {path!r}: index out of range")
                if kind == "remove":
                    del parent[i]
                else:
                    parent[i] = value
        elif isinstance(parent, dict):
            if kind in ("remove", "replace") and last not in parent:
                raise RenderError(f"patch path {path!r} does not exist")
            if kind == "remove":
                del parent[last]
            else:
                parent[last] = value
        else:
            raise RenderError(f"patch path {path!r}: parent is not an object or a list")


def _matches(resource: Dict[str, Any], target: Dict[str, Any]) -> bool:
    group, _, version = resource["apiVersion"].rpartition("/")
    meta = resource.get("metadata", {})
    checks = {
        "kind": resource["kind"], "name": meta.get("name"), "namespace": meta.get("namespace"),
        "group": group, "version": version,
    }
    unknown = set(target) - set(checks)
    if unknown:
        raise RenderError(f"patch target: unsupported keys {sorted(unknown)}")
    return all(checks[k] == v for k, v in target.items())


def apply_patches(resources: List[Dict[str, Any]], patches: List[Dict[str, Any]],
                  base: Path) -> None:
    for entry in patches:
        unknown = set(entry) - {"target", "patch", "path"}
        if unknown:
            raise RenderError(f"patches: unsupported keys {sorted(unknown)}")
        if "target" not in entry:
            raise RenderError("patches: only JSON 6902 patches with a target are supported")
        if ("patch" in entry) == ("path" in entry):
            raise RenderError("patches: give exactly one of patch and path")
        text = entry["patch"] if "patch" in entry else (base / entry["path"]).read_text()
        operations = yaml.safe_load(text)
        if not isinstance(operations, list):
            raise RenderError("patches: strategic-merge patches are not supported "
                              "(write a JSON 6902 list of operations)")
        hits = [r for r in resources if _matches(r, entry["target"])]
        if not hits:
            raise RenderError(f"patch target {entry['target']} matches no resource")
        for resource in hits:
            apply_json6902(resource, operations)


def render(directory: Path | str) -> List[Dict[str, Any]]:
    """The resources of the kustomization in `directory`, transformed, in order."""
    directory = Path(directory)
    kfile = kustomization_file(directory)
    spec = yaml.safe_load(kfile.read_text(encoding="utf-8")) or {}
    unknown = set(spec) - SUPPORTED_KEYS
    if unknown:
        raise RenderError(f"{kfile}: not supported by tools/render_k8s.py: {sorted(unknown)}")
    if spec.get("kind", "Kustomization") != "Kustomization":
        raise RenderError(f"{kfile}: kind {spec.get('kind')!r} is not supported")

    resources: List[Dict[str, Any]] = []
    for entry in spec.get("resources", []):
        if "://" in entry or entry.startswith("git@"):
            raise RenderError(f"{kfile}: remote resource {entry!r} is not supported")
        path = (directory / entry).resolve()
        if path.is_dir():
            resources.extend(render(path))
        elif path.is_file():
            resources.extend(load_documents(path))
        else:
            raise RenderError(f"{kfile}: resource {entry!r} not found")

    # kustomize's order: patches, then the namespace, then images.
    if "patches" in spec:
        apply_patches(resources, spec["patches"], directory)
    if "namespace" in spec:
        for r in resources:
            if r["kind"] not in CLUSTER_SCOPED:
                r.setdefault("metadata", {})["namespace"] = spec["namespace"]
    if "images" in spec:
        apply_images(resources, spec["images"])

    seen = set()
    for r in resources:
        meta = r.get("metadata", {})
        key = (r["apiVersion"].rpartition("/")[0], r["kind"], meta.get("namespace"),
               meta.get("name"))
        if key in seen:
            raise RenderError(f"{kfile}: {r['kind']}/{meta.get('name')} is defined twice")
        seen.add(key)
    return resources


def main(argv: List[str]) -> int:
    if len(argv) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        docs = render(argv[0])
    except RenderError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    yaml.safe_dump_all(docs, sys.stdout, sort_keys=False, default_flow_style=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
