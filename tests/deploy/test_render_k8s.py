"""tools/render_k8s.py: the kustomize subset it renders, and the rest it refuses."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("render_k8s", ROOT / "tools" / "render_k8s.py")
render_k8s = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_k8s)
RenderError = render_k8s.RenderError

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
        "metadata": {"labels": {"a": "b"}},
        "spec": {"initContainers": [{"name": "i", "image": "reg.example:5000/team/init:1"}],
                 "containers": [{"name": "c", "image": "team/web:1.0"},
                                {"name": "s", "image": "other/sidecar@sha256:abc"}]}}},
}
CRONJOB = {
    "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "job"},
    "spec": {"schedule": "0 0 * * *", "jobTemplate": {"spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "c", "image": "team/web:1.0"}]}}}}},
}


def write(directory: Path, kustomization: dict, **files) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    for name, docs in files.items():
        (directory / name.replace("_", ".")).write_text(yaml.safe_dump_all(docs))
    return directory


def test_resources_namespace_and_order(tmp_path):
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "x"}}
    d = write(tmp_path, {"namespace": "n", "resources": ["a.yaml", "b.yaml"]},
              a_yaml=[ns, cm], b_yaml=[DEPLOYMENT])
    out = render_k8s.render(d)
    assert [r["kind"] for r in out] == ["Namespace", "ConfigMap", "Deployment"]
    assert "namespace" not in out[0]["metadata"]            # cluster-scoped
    assert out[1]["metadata"]["namespace"] == "n"           # overridden, as kustomize does
    assert out[2]["metadata"]["namespace"] == "n"


def test_images(tmp_path):
    d = write(tmp_path, {"resources": ["a.yaml"], "images": [
        {"name": "team/web", "newName": "registry.example/web", "newTag": "2.0"},
        {"name": "reg.example:5000/team/init", "newTag": "7"},
        {"name": "other/sidecar", "digest": "sha256:def"},
    ]}, a_yaml=[DEPLOYMENT, CRONJOB])
    dep, job = render_k8s.render(d)
    spec = dep["spec"]["template"]["spec"]
    assert spec["initContainers"][0]["image"] == "reg.example:5000/team/init:7"
    assert spec["containers"][0]["image"] == "registry.example/web:2.0"
    assert spec["containers"][1]["image"] == "other/sidecar@sha256:def"
    c = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == "registry.example/web:2.0"


def test_split_image():
    assert render_k8s.split_image("reg:5000/a/b:1.2@sha256:x") == ("reg:5000/a/b", "1.2", "sha256:x")
    assert render_k8s.split_image("reg:5000/a/b") == ("reg:5000/a/b", "", "")
    assert render_k8s.split_image("busybox:1.36.1") == ("busybox", "1.36.1", "")


def test_overlay_with_json6902_patches(tmp_path):
    write(tmp_path / "base", {"resources": ["d.yaml"]}, d_yaml=[DEPLOYMENT])
    patch = yaml.safe_dump([
        {"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "c"},
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "x:1"},
        {"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "z"}},
        {"op": "add", "path": "/spec/replicas", "value": 3},
        {"op": "remove", "path": "/spec/template/spec/initContainers"},
        {"op": "add", "path": "/metadata/annotations", "value": {"a~b/c": "1"}},
        {"op": "replace", "path": "/metadata/annotations/a~0b~1c", "value": "2"},
    ])
    overlay = write(tmp_path / "overlay", {"resources": ["../base"], "patches": [
        {"target": {"kind": "Deployment", "name": "web", "group": "apps", "version": "v1"},
         "patch": patch}]})
    (dep,) = render_k8s.render(overlay)
    spec = dep["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["c", "s", "z"]
    assert spec["containers"][0]["image"] == "x:1"
    assert "initContainers" not in spec and dep["spec"]["replicas"] == 3
    assert dep["metadata"]["annotations"] == {"a~b/c": "2"}
    # The base itself is untouched by the overlay's patches.
    (base,) = render_k8s.render(tmp_path / "base")
    assert "initContainers" in base["spec"]["template"]["spec"]


@pytest.mark.parametrize("kustomization,message", [
    ({"resources": ["a.yaml"], "commonLabels": {"a": "b"}}, "commonLabels"),
    ({"resources": ["a.yaml"], "configMapGenerator": []}, "configMapGenerator"),
    ({"resources": ["a.yaml", "missing.yaml"]}, "missing.yaml"),
    ({"resources": ["https://example.org/x"]}, "remote"),
    ({"resources": ["a.yaml", "a.yaml"]}, "defined twice"),
    ({"resources": ["a.yaml"], "kind": "Component"}, "Component"),
    ({"resources": ["a.yaml"], "images": [{"name": "x", "newTags": "1"}]}, "images"),
    ({"resources": ["a.yaml"], "patches": [{"patch": "[]"}]}, "target"),
    ({"resources": ["a.yaml"], "patches": [{"target": {"kind": "Deployment", "name": "web"},
                                            "patch": "spec: {replicas: 3}"}]}, "strategic"),
    ({"resources": ["a.yaml"], "patches": [{"target": {"kind": "Deployment", "name": "nope"},
                                            "patch": "[]"}]}, "matches no resource"),
    ({"resources": ["a.yaml"], "patches": [{"target": {"kind": "Deployment", "name": "web"},
                                            "patch": "- {op: test, path: /spec/replicas, "
                                                     "value: 3}"}]}, "does not exist"),
    ({"resources": ["a.yaml"], "patches": [{"target": {"kind": "Deployment", "name": "web"},
                                            "patch": "- {op: test, path: /kind, value: Pod}"}]},
     "test failed"),
    ({"resources": ["a.yaml"], "patches": [{"target": {"kind": "Deployment", "name": "web"},
                                            "patch": "- {op: move, from: /a, path: /b}"}]},
     "unsupported"),
    ({"resources": ["a.yaml"], "patches": [{"target": {"kind": "Deployment", "name": "web"},
                                            "patch": "- {op: remove, path: /spec/nope}"}]},
     "does not exist"),
])
def test_refuses_what_it_does_not_do(tmp_path, kustomization, message):
    d = write(tmp_path, kustomization, a_yaml=[DEPLOYMENT])
    with pytest.raises(RenderError, match=message):
        render_k8s.render(d)


def test_command_line(tmp_path):
    d = write(tmp_path, {"namespace": "n", "resources": ["a.yaml"]}, a_yaml=[DEPLOYMENT])
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "render_k8s.py"), str(d)],
                         capture_output=True, text=True, check=True)
    (doc,) = yaml.safe_load_all(out.stdout)
    assert doc["metadata"] == {"name": "web", "namespace": "n"}
    bad = subprocess.run([sys.executable, str(ROOT / "tools" / "render_k8s.py"),
                          str(tmp_path / "nowhere")], capture_output=True, text=True)
    assert bad.returncode == 1 and "no kustomization.yaml" in bad.stderr
