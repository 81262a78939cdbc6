"""The Kubernetes manifests (deploy/k8s) and the Dockerfiles they name (deploy/docker).

Without a cluster: every kustomization is rendered by tools/render_k8s.py and every resource
(and every example file) is validated against the Kubernetes 1.30 JSON schemas shipped inside
the kubernetes-validate package, in strict mode (an unknown field fails). Then what a schema
cannot see: names that must point at each other (ConfigMaps, Secrets, volumes, Services,
ports, probes, selectors), resources, images, security settings, and agreement with the
repository (endpoints.production.yml, credentials, Dockerfiles, requirements).

Each check is a function returning the problems it finds; the negative tests at the end feed
broken manifests to the same functions (and to the same schema validation) and expect them to
be reported, so no test here can pass by checking nothing.
"""
from __future__ import annotations

import copy
import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import importlib_resources
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
DOCKER = ROOT / "deploy" / "docker"
KUSTOMIZATIONS = {"base": K8S / "base", "model-pvc": K8S / "overlays" / "model-pvc"}
EXAMPLE_FILES = [K8S / "secret.example.yaml", *sorted((K8S / "examples").glob("*.yaml"))]

K8S_VERSION = "1.30"          # the Kubernetes version the manifests are validated against
UID = 1001                    # the user the images run as (Dockerfile USER)
PUBLIC_PATHS = ("/socket.io", "/webhooks")   # all the Ingresses may publish

_spec = importlib.util.spec_from_file_location("render_k8s", ROOT / "tools" / "render_k8s.py")
render_k8s = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_k8s)

Doc = Dict[str, Any]


# --- loading ------------------------------------------------------------------------------------
def load_yaml_docs(path: Path) -> List[Doc]:
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]


RENDERED: Dict[str, List[Doc]] = {name: render_k8s.render(d) for name, d in KUSTOMIZATIONS.items()}
EXAMPLES: List[Doc] = [d for f in EXAMPLE_FILES for d in load_yaml_docs(f)]
SECRETS_EXAMPLE: List[Doc] = load_yaml_docs(K8S / "secret.example.yaml")


def ident(doc: Doc) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def find(docs: List[Doc], kind: str, name: str) -> Doc:
    hits = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(hits) == 1, f"{kind}/{name}: {len(hits)} found"
    return hits[0]


def pod_templates(docs: List[Doc]) -> Iterator[Tuple[Doc, Dict[str, str], Doc]]:
    """(owner, pod labels, pod spec) of every workload."""
    for d in docs:
        kind = d["kind"]
        if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
            t = d["spec"]["template"]
        elif kind == "CronJob":
            t = d["spec"]["jobTemplate"]["spec"]["template"]
        elif kind == "Pod":
            t = d
        else:
            continue
        yield d, t.get("metadata", {}).get("labels", {}), t["spec"]


def containers(spec: Doc, init: bool = True) -> List[Doc]:
    return (spec.get("initContainers", []) if init else []) + spec.get("containers", [])


def selects(selector: Dict[str, str], labels: Dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def port_matches(port: Any, container_list: List[Doc]) -> bool:
    """A probe's or Service's target port (number or name) is a port of these containers."""
    for c in container_list:
        for p in c.get("ports", []):
            if port == p["containerPort"] or port == p.get("name"):
                return True
    return False


QUANTITY = re.compile(r"^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
FACTORS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
           "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40}


def quantity(q: Any) -> float:
    m = QUANTITY.match(str(q))
    assert m, f"not a quantity: {q!r}"
    return float(m.group(1)) * FACTORS[m.group(2)]


# --- schema validation ------------------------------------------------------------------------
def schema_errors(doc: Doc) -> List[str]:
    """What kubernetes-validate says of one resource (strict: unknown fields are errors)."""
    try:
        used = kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as e:
        return [f"{'.'.join(str(p) for p in e.path)}: {e.message}"]
    except kubernetes_validate.SchemaNotFoundError as e:
        return [e.message]
    assert used == K8S_VERSION, f"validated against {used}, not {K8S_VERSION}"
    return []


SCHEMA_CASES = [pytest.param(doc, id=f"{name}:{ident(doc)}")
                for name, docs in RENDERED.items() for doc in docs] + \
               [pytest.param(doc, id=f"example:{ident(doc)}") for doc in EXAMPLES]


@pytest.mark.parametrize("doc", SCHEMA_CASES)
def test_every_resource_validates_against_the_schema(doc):
    assert schema_errors(doc) == []


def test_schemas_are_files_inside_the_package():
    schemas = importlib_resources.files("kubernetes_validate") / "kubernetes-json-schema"
    strict = schemas / f"v{K8S_VERSION}.0-local-strict"
    assert (strict / "deployment-apps-v1.json").is_file()
    assert (strict / "_definitions.json").is_file()


def test_the_network_is_blocked_in_these_tests():
    import socket
    from conftest import NetworkBlocked
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9), timeout=1)


def test_the_renderings_hold_every_part_of_the_topology():
    kinds = {(d["kind"], d["metadata"]["name"]) for d in RENDERED["base"]}
    assert kinds == {
        ("Namespace", "ttps"), ("ServiceAccount", "ttps"),
        ("ConfigMap", "ttps-env"), ("ConfigMap", "rasa-config"),
        ("Service", "postgres"), ("Service", "redis"),
        ("Deployment", "rasa"), ("Service", "rasa"), ("HorizontalPodAutoscaler", "rasa"),
        ("PodDisruptionBudget", "rasa"),
        ("Deployment", "actions"), ("Service", "actions"), ("PodDisruptionBudget", "actions"),
        ("NetworkPolicy", "actions-from-rasa"),
        ("Ingress", "rasa-widget"), ("Ingress", "rasa-webhooks"),
        ("CronJob", "purge-trackers"),
    }
    pvc = {(d["kind"], d["metadata"]["name"]) for d in RENDERED["model-pvc"]}
    assert pvc == kinds | {("PersistentVolumeClaim", "ttps-models")}


def test_every_namespaced_resource_is_in_the_namespace():
    for docs in RENDERED.values():
        for d in docs:
            if d["kind"] != "Namespace":
                assert d["metadata"].get("namespace") == "ttps", ident(d)
    for d in EXAMPLES:
        assert d["metadata"].get("namespace") == "ttps", ident(d)


# --- kustomization files ---------------------------------------------------------------------
@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_kustomization_lists_exactly_the_files_present(name):
    directory = KUSTOMIZATIONS[name]
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    listed_files, listed_dirs = set(), []
    for entry in spec["resources"]:
        path = (directory / entry).resolve()
        if path.is_dir():
            assert (path / "kustomization.yaml").is_file(), entry
            listed_dirs.append(entry)
        else:
            assert path.is_file(), f"{entry} is listed but missing"
            assert path.parent == directory, f"{entry}: list files of this directory only"
            listed_files.add(path.name)
    present = {p.name for p in directory.iterdir()
               if p.suffix in (".yaml", ".yml") and p.name != "kustomization.yaml"}
    assert listed_files == present, (f"not listed: {sorted(present - listed_files)}; "
                                     f"listed, not present: {sorted(listed_files - present)}")
    assert len(spec["resources"]) == len(set(spec["resources"])), "a resource listed twice"


def test_every_yaml_file_under_deploy_k8s_is_rendered_or_an_example():
    covered = set(EXAMPLE_FILES)
    for directory in KUSTOMIZATIONS.values():
        covered.add(directory / "kustomization.yaml")
        spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
        covered |= {(directory / e).resolve() for e in spec["resources"]}
    files = {p.resolve() for p in K8S.rglob("*.y*ml")}
    assert files - {p.resolve() for p in covered} == set()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_the_renderer_agrees_with_kubectl_kustomize(name):
    out = subprocess.run(["kubectl", "kustomize", str(KUSTOMIZATIONS[name])],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0 and "unknown command" in out.stderr:
        pytest.skip("this kubectl has no kustomize")
    assert out.returncode == 0, out.stderr

    def keyed(docs):
        return {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d
                for d in docs}
    assert keyed(yaml.safe_load_all(out.stdout)) == keyed(RENDERED[name])


# --- cross-references: the checks ------------------------------------------------------------
def named(docs: List[Doc], kind: str) -> Dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def data_keys(doc: Doc) -> set:
    return set(doc.get("data", {})) | set(doc.get("stringData", {}))


def problems_refs(docs: List[Doc], examples: List[Doc] = EXAMPLES) -> List[str]:
    """ConfigMaps, Secrets, keys, volumes, claims and service accounts that pods name exist.
    Secrets come from the example file (the base leaves them out on purpose); a reference
    marked optional must still name one, or a typo would go unnoticed."""
    cms = named(docs, "ConfigMap")
    secrets = {**named(examples, "Secret"), **named(docs, "Secret")}
    pvcs = named(docs, "PersistentVolumeClaim")
    sas = named(docs, "ServiceAccount")
    out = []
    for owner, _, spec in pod_templates(docs):
        where = ident(owner)
        sa = spec.get("serviceAccountName")
        if sa and sa not in sas:
            out.append(f"{where}: service account {sa} does not exist")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        mounted = set()
        for c in containers(spec):
            for src in c.get("envFrom", []):
                if "configMapRef" in src and src["configMapRef"]["name"] not in cms:
                    out.append(f"{where}: ConfigMap {src['configMapRef']['name']} does not exist")
                if "secretRef" in src and src["secretRef"]["name"] not in secrets:
                    out.append(f"{where}: Secret {src['secretRef']['name']} does not exist")
            for e in c.get("env", []):
                vf = e.get("valueFrom", {})
                for ref, pool, kind in (("configMapKeyRef", cms, "ConfigMap"),
                                        ("secretKeyRef", secrets, "Secret")):
                    if ref in vf:
                        name, key = vf[ref]["name"], vf[ref]["key"]
                        if name not in pool:
                            out.append(f"{where}: {kind} {name} does not exist")
                        elif key not in data_keys(pool[name]):
                            out.append(f"{where}: {kind} {name} has no key {key}")
            for m in c.get("volumeMounts", []):
                mounted.add(m["name"])
                if m["name"] not in volumes:
                    out.append(f"{where}: {c['name']} mounts volume {m['name']}, not defined")
        for name, v in volumes.items():
            if name not in mounted:
                out.append(f"{where}: volume {name} is mounted by no container")
            if "configMap" in v:
                cm = cms.get(v["configMap"]["name"])
                if cm is None:
                    out.append(f"{where}: ConfigMap {v['configMap']['name']} does not exist")
                else:
                    for item in v["configMap"].get("items", []):
                        if item["key"] not in data_keys(cm):
                            out.append(f"{where}: ConfigMap {v['configMap']['name']} has no "
                                       f"key {item['key']}")
            if "secret" in v and v["secret"]["secretName"] not in secrets:
                out.append(f"{where}: Secret {v['secret']['secretName']} does not exist")
            if "persistentVolumeClaim" in v and v["persistentVolumeClaim"]["claimName"] not in pvcs:
                out.append(f"{where}: claim {v['persistentVolumeClaim']['claimName']} does not exist")
    return out


def problems_services(docs: List[Doc]) -> List[str]:
    """Each Service selects the pods of one workload and targets ports those pods have."""
    out = []
    workloads = list(pod_templates(docs))
    for d in docs:
        if d["kind"] == "Deployment":
            sel = d["spec"]["selector"]["matchLabels"]
            if not selects(sel, d["spec"]["template"]["metadata"]["labels"]):
                out.append(f"{ident(d)}: selector does not match its own pod labels")
        if d["kind"] != "Service":
            continue
        spec = d["spec"]
        if spec.get("type") == "ExternalName":
            if not spec.get("externalName") or spec.get("selector"):
                out.append(f"{ident(d)}: an ExternalName Service needs a name and no selector")
            continue
        if "selector" not in spec:
            continue          # endpoints given by hand (examples/external-by-ip.yaml)
        hits = [(o, s) for o, labels, s in workloads if selects(spec["selector"], labels)]
        if not hits:
            out.append(f"{ident(d)}: selector {spec['selector']} matches no pods")
        for p in spec["ports"]:
            target = p.get("targetPort", p["port"])
            for owner, s in hits:
                if not port_matches(target, containers(s, init=False)):
                    out.append(f"{ident(d)}: targetPort {target} is no port of {ident(owner)}")
    return out


def problems_probes(docs: List[Doc]) -> List[str]:
    """Long-running containers have readiness and liveness probes on ports they listen on."""
    out = []
    for owner, _, spec in pod_templates(docs):
        if owner["kind"] not in ("Deployment", "StatefulSet", "DaemonSet"):
            continue
        for c in spec["containers"]:
            for probe in ("readinessProbe", "livenessProbe"):
                if probe not in c:
                    out.append(f"{ident(owner)}/{c['name']}: no {probe}")
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                action = c.get(probe, {}).get("httpGet") or c.get(probe, {}).get("tcpSocket")
                if action and not port_matches(action["port"], [c]):
                    out.append(f"{ident(owner)}/{c['name']}: {probe} port {action['port']} "
                               f"is not a container port")
    return out


def problems_resources(docs: List[Doc]) -> List[str]:
    """Every container, init containers and jobs included, has requests and limits."""
    out = []
    for owner, _, spec in pod_templates(docs):
        for c in containers(spec):
            res = c.get("resources", {})
            for r in ("cpu", "memory"):
                req, lim = res.get("requests", {}).get(r), res.get("limits", {}).get(r)
                if req is None or lim is None:
                    out.append(f"{ident(owner)}/{c['name']}: no {r} request and limit")
                elif quantity(req) > quantity(lim):
                    out.append(f"{ident(owner)}/{c['name']}: {r} request above limit")
    return out


def problems_images(docs: List[Doc]) -> List[str]:
    out = []
    for owner, _, spec in pod_templates(docs):
        for c in containers(spec):
            name, tag, digest = render_k8s.split_image(c["image"])
            if not (tag or digest) or tag == "latest":
                out.append(f"{ident(owner)}/{c['name']}: image {c['image']} has no fixed tag")
    return out


def problems_ingress(docs: List[Doc]) -> List[str]:
    """Ingress backends are existing Services and ports; only the public paths are published;
    TLS covers every host; the limits are set."""
    services = named(docs, "Service")
    out = []
    for d in docs:
        if d["kind"] != "Ingress":
            continue
        spec, ann = d["spec"], d["metadata"].get("annotations", {})
        if spec.get("ingressClassName") != "nginx":
            out.append(f"{ident(d)}: ingressClassName is not nginx")
        tls_hosts = {h for t in spec.get("tls", []) for h in t.get("hosts", [])}
        for key in ("proxy-body-size", "limit-rps", "limit-connections"):
            if f"nginx.ingress.kubernetes.io/{key}" not in ann:
                out.append(f"{ident(d)}: no {key} annotation")
        for rule in spec["rules"]:
            if rule.get("host") not in tls_hosts:
                out.append(f"{ident(d)}: host {rule.get('host')} has no TLS")
            for p in rule["http"]["paths"]:
                if not p["path"].startswith(PUBLIC_PATHS):
                    out.append(f"{ident(d)}: path {p['path']} is not one to publish")
                if p["path"].startswith("/socket.io"):
                    for key in ("proxy-read-timeout", "proxy-send-timeout", "affinity"):
                        if f"nginx.ingress.kubernetes.io/{key}" not in ann:
                            out.append(f"{ident(d)}: Socket.IO path without {key}")
                backend = p["backend"]["service"]
                svc = services.get(backend["name"])
                if svc is None:
                    out.append(f"{ident(d)}: backend Service {backend['name']} does not exist")
                    continue
                port = backend["port"].get("name", backend["port"].get("number"))
                if not any(port in (sp["port"], sp.get("name")) for sp in svc["spec"]["ports"]):
                    out.append(f"{ident(d)}: Service {backend['name']} has no port {port}")
    return out


def problems_selectors(docs: List[Doc]) -> List[str]:
    """PDBs, the HPA and the NetworkPolicy name workloads that exist."""
    out = []
    deployments = named(docs, "Deployment")
    workloads = list(pod_templates(docs))
    for d in docs:
        if d["kind"] == "PodDisruptionBudget":
            hits = [o for o, labels, _ in workloads
                    if selects(d["spec"]["selector"]["matchLabels"], labels)]
            if not hits:
                out.append(f"{ident(d)}: selects no pods")
            for o in hits:
                if d["spec"].get("minAvailable", 0) >= o["spec"].get("replicas", 1):
                    out.append(f"{ident(d)}: minAvailable leaves {ident(o)} no room to drain")
        if d["kind"] == "HorizontalPodAutoscaler":
            ref = d["spec"]["scaleTargetRef"]
            target = deployments.get(ref["name"]) if ref["kind"] == "Deployment" else None
            if target is None:
                out.append(f"{ident(d)}: target {ref['kind']}/{ref['name']} does not exist")
                continue
            if d["spec"].get("minReplicas", 1) < 2:
                out.append(f"{ident(d)}: fewer than 2 replicas")
            uses_cpu = any(m.get("resource", {}).get("name") == "cpu"
                           for m in d["spec"].get("metrics", []))
            for c in target["spec"]["template"]["spec"]["containers"]:
                if uses_cpu and "cpu" not in c.get("resources", {}).get("requests", {}):
                    out.append(f"{ident(d)}: {c['name']} has no CPU request to scale on")
        if d["kind"] == "NetworkPolicy":
            sel = d["spec"]["podSelector"]["matchLabels"]
            hits = [s for _, labels, s in workloads if selects(sel, labels)]
            if not hits:
                out.append(f"{ident(d)}: podSelector selects no pods")
            for rule in d["spec"].get("ingress", []):
                for peer in rule.get("from", []):
                    if "podSelector" in peer and not any(
                            selects(peer["podSelector"]["matchLabels"], labels)
                            for _, labels, _ in workloads):
                        out.append(f"{ident(d)}: a 'from' podSelector selects no pods")
                for p in rule.get("ports", []):
                    if not all(port_matches(p["port"], s["containers"]) for s in hits):
                        out.append(f"{ident(d)}: port {p['port']} is not the pods' port")
    return out


def problems_security(docs: List[Doc]) -> List[str]:
    """Pod Security 'restricted': non-root, no privilege escalation, no capabilities, the
    runtime's seccomp profile; read-only root filesystems with a writable /tmp."""
    out = []
    for owner, _, spec in pod_templates(docs):
        where = ident(owner)
        psc = spec.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True or psc.get("runAsUser") != UID:
            out.append(f"{where}: pod must run as non-root uid {UID}")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            out.append(f"{where}: no RuntimeDefault seccomp profile")
        if spec.get("automountServiceAccountToken") is not False:
            out.append(f"{where}: mounts a service account token")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for c in containers(spec):
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False:
                out.append(f"{where}/{c['name']}: allowPrivilegeEscalation not false")
            if sc.get("capabilities", {}).get("drop") != ["ALL"]:
                out.append(f"{where}/{c['name']}: capabilities not dropped")
            if sc.get("readOnlyRootFilesystem") is not True:
                out.append(f"{where}/{c['name']}: root filesystem not read-only")
            if sc.get("privileged"):
                out.append(f"{where}/{c['name']}: privileged")
            is_init = c in spec.get("initContainers", [])
            if not is_init and not any(
                    m["mountPath"] == "/tmp" and "emptyDir" in volumes.get(m["name"], {})
                    for m in c.get("volumeMounts", [])):
                out.append(f"{where}/{c['name']}: no writable /tmp (emptyDir)")
    return out


def environment(container: Doc, docs: List[Doc], examples: List[Doc] = EXAMPLES,
                include_optional: bool = False) -> set:
    """The variable names a container is sure to have (optional sources only if asked)."""
    cms = named(docs, "ConfigMap")
    secrets = {**named(examples, "Secret"), **named(docs, "Secret")}
    names = {e["name"] for e in container.get("env", [])}
    for src in container.get("envFrom", []):
        for ref, pool in (("configMapRef", cms), ("secretRef", secrets)):
            if ref in src and (include_optional or not src[ref].get("optional")):
                names |= data_keys(pool.get(src[ref]["name"], {}))
    return names


def problems_variables(docs: List[Doc]) -> List[str]:
    """Every $(VAR) in a command and every ${VAR} of the mounted Rasa files is set."""
    out = []
    cms = named(docs, "ConfigMap")
    for owner, _, spec in pod_templates(docs):
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for c in containers(spec):
            env = environment(c, docs)
            for arg in c.get("command", []) + c.get("args", []):
                for var in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", str(arg)):
                    if var not in env:
                        out.append(f"{ident(owner)}/{c['name']}: $({var}) is not set")
            for m in c.get("volumeMounts", []):
                cm_name = volumes.get(m["name"], {}).get("configMap", {}).get("name")
                for key, text in cms.get(cm_name, {}).get("data", {}).items():
                    for var in re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text):
                        if var not in env:
                            out.append(f"{ident(owner)}/{c['name']}: {key} reads ${{{var}}}, "
                                       f"which is not set")
    return out


CHECKS = [problems_refs, problems_services, problems_probes, problems_resources,
          problems_images, problems_ingress, problems_selectors, problems_security,
          problems_variables]


@pytest.mark.parametrize("check", CHECKS, ids=[c.__name__ for c in CHECKS])
@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_cross_references(name, check):
    assert check(RENDERED[name]) == []


def test_the_model_loader_example_mounts_the_overlay_claim():
    loader = find(EXAMPLES, "Pod", "model-loader")
    docs = RENDERED["model-pvc"] + [loader]
    for check in (problems_refs, problems_resources, problems_images, problems_security):
        assert check(docs) == [], check.__name__


# --- the topology, specifically ----------------------------------------------------------------
def container_of(docs: List[Doc], deployment: str) -> Doc:
    return find(docs, "Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_rasa_deployment(name):
    docs = RENDERED[name]
    dep = find(docs, "Deployment", "rasa")
    c = container_of(docs, "rasa")
    assert dep["spec"]["replicas"] == 2
    assert dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert c["ports"] == [{"name": "http", "containerPort": 5005, "protocol": "TCP"}]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"]["path"] == "/", probe
        assert port_matches(c[probe]["httpGet"]["port"], [c])
    startup = c["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 180, \
        "the model takes 30-60 s to load: leave a generous start-up window"
    mem = c["resources"]
    assert quantity(mem["requests"]["memory"]) >= 1.5 * 2 ** 30
    assert quantity(mem["limits"]["memory"]) >= quantity(mem["requests"]["memory"])
    args = c["args"]
    assert args[0] == "run" and c["command"] == ["rasa"]
    for flag in ("--enable-api", "--endpoints", "--credentials", "--model"):
        assert flag in args, flag
    # As scripts/serve.sh: the API wants the token, or a JWT signed (HS256) with the secret,
    # each given as --flag=value (a value that starts with "-" would be read as a flag)
    assert "--auth-token=$(RASA_AUTH_TOKEN)" in args
    assert "--jwt-secret=$(RASA_JWT_SECRET)" in args
    assert args[args.index("--jwt-method") + 1] == "HS256"

    # --model, --endpoints and --credentials are paths of mounted volumes (relative paths are
    # read from the image's WORKDIR, /app: deploy/docker/Dockerfile.rasa)
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in dep["spec"]["template"]["spec"]["volumes"]}

    def in_container(arg):
        return str(Path("/app") / arg)
    model_dir = in_container(args[args.index("--model") + 1])
    assert model_dir in mounts and mounts[model_dir]["readOnly"] is True
    for flag in ("--endpoints", "--credentials"):
        path = Path(in_container(args[args.index(flag) + 1]))
        mount = mounts[str(path.parent)]
        items = volumes[mount["name"]]["configMap"]["items"]
        assert path.name in {i["path"] for i in items}, flag
    assert "/app/.rasa" in mounts and "/tmp" in mounts

    spec = dep["spec"]["template"]["spec"]
    model_volume = volumes[mounts[model_dir]["name"]]
    if name == "base":      # option A: the init container copies the model image's file
        init = spec["initContainers"][0]
        assert "emptyDir" in model_volume
        assert any(m["name"] == mounts[model_dir]["name"] and m["mountPath"] in init["command"][-1]
                   for m in init["volumeMounts"])
        assert "/model/" in init["command"][-1]
    else:                   # option B: a read-only claim, no init container
        assert "initContainers" not in spec
        assert model_volume["persistentVolumeClaim"] == {"claimName": "ttps-models",
                                                         "readOnly": True}


def test_actions_deployment():
    docs = RENDERED["base"]
    dep = find(docs, "Deployment", "actions")
    c = container_of(docs, "actions")
    assert dep["spec"]["replicas"] == 2
    assert c["command"] == ["python", "-m", "rasa_sdk", "--actions", "actions", "--port", "5055"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"]["path"] == "/health"
        assert port_matches(c[probe]["httpGet"]["port"], [c])
    assert port_matches(5055, [c])
    env = find(docs, "ConfigMap", "ttps-env")["data"]
    svc = find(docs, "Service", "actions")
    assert env["ACTION_ENDPOINT_URL"] == \
        f"http://{svc['metadata']['name']}:{svc['spec']['ports'][0]['port']}/webhook"


def test_rasa_service_is_sticky_for_socketio_polling():
    svc = find(RENDERED["base"], "Service", "rasa")
    assert svc["spec"]["sessionAffinity"] == "ClientIP"
    assert svc["spec"]["ports"][0]["port"] == 5005


def test_pdbs_and_hpa():
    docs = RENDERED["base"]
    for name in ("rasa", "actions"):
        assert find(docs, "PodDisruptionBudget", name)["spec"]["minAvailable"] == 1
    hpa = find(docs, "HorizontalPodAutoscaler", "rasa")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "rasa"
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"] >= 2


def test_external_stores_are_services_named_in_the_env():
    docs = RENDERED["base"]
    env = find(docs, "ConfigMap", "ttps-env")["data"]
    pg, redis = find(docs, "Service", env["DB_HOST"]), find(docs, "Service", env["REDIS_HOST"])
    assert pg["spec"]["type"] == redis["spec"]["type"] == "ExternalName"
    assert str(pg["spec"]["ports"][0]["port"]) == env["DB_PORT"]
    assert str(redis["spec"]["ports"][0]["port"]) == env["REDIS_PORT"]


def test_purge_cronjob():
    docs = RENDERED["base"]
    job = find(docs, "CronJob", "purge-trackers")
    spec = job["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    minute, hour, dom, month, dow = spec["schedule"].split()
    assert (dom, month, dow) == ("*", "*", "*") and minute.isdigit() and hour.isdigit(), "daily"
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    assert c["command"] == ["python", "scripts/purge_trackers.py", "--days", "30"]
    assert c["image"] == container_of(docs, "rasa")["image"]
    # The same database settings as Rasa's tracker store (endpoints.production.yml).
    production = (ROOT / "endpoints.production.yml").read_text()
    db_vars = set(re.findall(r"\$\{(DB_[A-Z_]+)\}", production))
    assert db_vars >= {"DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"}
    assert db_vars <= environment(c, docs)


def test_ingress_publishes_only_the_widget_and_the_webhooks():
    docs = RENDERED["base"]
    paths = {p["path"] for d in docs if d["kind"] == "Ingress"
             for r in d["spec"]["rules"] for p in r["http"]["paths"]}
    assert paths == {"/socket.io", "/webhooks"}
    widget = find(docs, "Ingress", "rasa-widget")["metadata"]["annotations"]
    assert widget["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(widget["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 300


# --- agreement with the repository -------------------------------------------------------------
def test_endpoints_and_credentials_are_the_repositorys():
    cm = find(RENDERED["base"], "ConfigMap", "rasa-config")["data"]
    production = yaml.safe_load((ROOT / "endpoints.production.yml").read_text())
    assert yaml.safe_load(cm["endpoints.yml"]) == production, (
        "deploy/k8s/base/configmap-rasa-config.yaml: endpoints.yml must be the content of "
        "endpoints.production.yml; copy it over (and COPY any new package it names in "
        "deploy/docker/Dockerfile.rasa)")
    assert yaml.safe_load(cm["credentials.yml"]) == \
        yaml.safe_load((ROOT / "credentials.yml").read_text()), (
        "deploy/k8s/base/configmap-rasa-config.yaml: credentials.yml must be credentials.yml")


def test_secret_example_matches_what_the_manifests_read():
    secrets = named(SECRETS_EXAMPLE, "Secret")
    assert set(secrets) == {"ttps-secrets", "ttps-channels"}
    read = {(vf["secretKeyRef"]["name"], vf["secretKeyRef"]["key"])
            for docs in RENDERED.values() for _, _, spec in pod_templates(docs)
            for c in containers(spec) for e in c.get("env", [])
            for vf in [e.get("valueFrom", {})] if "secretKeyRef" in vf}
    assert {k for n, k in read if n == "ttps-secrets"} == data_keys(secrets["ttps-secrets"])
    channel_text = re.sub(r"(?m)#.*$", "", (ROOT / "credentials.channels.yml").read_text())
    channel_vars = set(re.findall(r"\$\{([A-Z0-9_]+)\}", channel_text))
    assert channel_vars, "credentials.channels.yml names no variables?"
    assert channel_vars <= data_keys(secrets["ttps-channels"]), (
        f"add {sorted(channel_vars - data_keys(secrets['ttps-channels']))} to the Secret "
        f"ttps-channels in deploy/k8s/secret.example.yaml")
    # With channels on, the Rasa container gets every variable of credentials.channels.yml.
    rasa = container_of(RENDERED["base"], "rasa")
    assert channel_vars <= environment(rasa, RENDERED["base"], include_optional=True)


def test_secret_example_holds_only_placeholders():
    for s in SECRETS_EXAMPLE:
        assert "data" not in s, "use stringData with CHANGE-ME placeholders"
        for key, value in s["stringData"].items():
            assert str(value).startswith("CHANGE-ME"), f"{ident(s)}: {key} is not a placeholder"
    assert "EXAMPLE ONLY" in (K8S / "secret.example.yaml").read_text()


# --- Dockerfiles ------------------------------------------------------------------------------
def dockerfile(name: str) -> str:
    return (DOCKER / f"Dockerfile.{name}").read_text()


def image_repos(docs: List[Doc]) -> set:
    return {render_k8s.split_image(c["image"])[0]
            for _, _, spec in pod_templates(docs) for c in containers(spec)}


def test_every_project_image_has_a_dockerfile():
    declared = {}
    for f in DOCKER.glob("Dockerfile.*"):
        if f.suffix == ".dockerignore":
            continue
        m = re.search(r"^# image: (\S+)$", f.read_text(), re.M)
        assert m, f"{f.name}: no '# image: NAME' line"
        declared[m.group(1)] = f
    used = {r for docs in RENDERED.values() for r in image_repos(docs)}
    assert used == set(declared), f"images without a Dockerfile: {sorted(used - set(declared))}"


@pytest.mark.parametrize("name", ["rasa", "actions", "model"])
def test_dockerfile_basics(name):
    text = dockerfile(name)
    bases = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert bases, "no FROM"
    for b in bases:
        assert ":" in b and not b.endswith(":latest"), f"base image {b} is not pinned"
    if name != "model":
        python = (ROOT / ".python-version").read_text().strip()
        assert bases == [f"python:{python}-slim"]
    assert re.search(rf"^USER {UID}:{UID}$", text, re.M), f"USER {UID}:{UID}"
    # Every COPY source exists in the repository (the build context is its root).
    for line in re.findall(r"^COPY\s+(.+)$", text, re.M):
        parts = [p for p in line.split() if not p.startswith("--")]
        for src in parts[:-1]:
            if "$" in src:
                continue
            assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
    assert (DOCKER / f"Dockerfile.{name}.dockerignore").is_file()


@pytest.mark.parametrize("name,requirements,port", [("rasa", "rasa", 5005),
                                                    ("actions", "actions", 5055)])
def test_dockerfiles_install_the_pinned_requirements(name, requirements, port):
    text = dockerfile(name)
    assert f"pip install -r requirements/{requirements}.txt" in text
    assert f"COPY requirements/{requirements}.txt" in text
    # No package pinned apart from requirements/: only pip itself and the build tools.
    for cmd in re.findall(r"pip install ([^\n\\&]+)", text):
        words = [w.strip("'\"") for w in cmd.split() if not w.startswith("-")]
        for w in words:
            assert re.match(r"^(pip|wheel|setuptools(<\d+)?|requirements/\S+|\.cache/\S+)$", w), \
                f"Dockerfile.{name} installs {w!r} outside requirements/"
    assert re.search(rf"^EXPOSE {port}$", text, re.M)
    assert port_matches(port, [container_of(RENDERED["base"], name)])


def test_rasa_image_matches_the_pins_and_the_makefile():
    text = dockerfile("rasa")
    pins = (ROOT / "requirements" / "rasa.txt").read_text()
    rasa_pin = re.search(r"^rasa\[spacy\]==(\S+)", pins, re.M).group(1)
    sio_pin = re.search(r"^python-socketio==(\S+)", pins, re.M).group(1)
    assert f"rasa.__version__ == '{rasa_pin}'" in text
    assert f"v('python-socketio') == '{sio_pin}'" in text
    assert "'setuptools<70'" in text and "'setuptools<70'" in (ROOT / "Makefile").read_text()
    assert "tools/build_spacy_pipeline.py" in text and "en_ttps_pipeline" in text
    for d in ("channels", "stores", "actions", "scripts", "nlu_components", "ttps_logic"):
        assert re.search(rf"^COPY {d} {d}$", text, re.M), f"COPY {d}"
    # Every project package Rasa loads by class path from its config is in the image.
    cm = find(RENDERED["base"], "ConfigMap", "rasa-config")["data"]
    classes = set()
    for key in ("endpoints.yml", "credentials.yml"):
        conf = yaml.safe_load(cm[key]) or {}
        classes |= {k for k in conf if "." in k}
        classes |= {v["type"] for v in conf.values()
                    if isinstance(v, dict) and "." in str(v.get("type", ""))}
    assert classes, "credentials name channels.guard classes"
    for cls in classes:
        package = cls.split(".")[0]
        assert re.search(rf"^COPY {package} {package}$", text, re.M), \
            f"{cls}: Dockerfile.rasa does not COPY {package}/"


def test_model_image_feeds_the_init_container():
    text = dockerfile("model")
    assert re.search(r"^COPY \$\{MODEL\} /model/$", text, re.M)
    init = find(RENDERED["base"], "Deployment", "rasa")["spec"]["template"]["spec"][
        "initContainers"][0]
    assert "cp /model/*.tar.gz" in init["command"][-1]


def test_docs_name_files_that_exist():
    doc = (ROOT / "docs" / "deploy.md").read_text()
    assert "## One machine: the nginx cluster (make run-cluster)" in doc
    for path in set(re.findall(r"`((?:deploy|tools|requirements)/[^`\s*<>]+)`", doc)):
        assert (ROOT / path.rstrip("/")).exists(), f"docs/deploy.md names {path}, not there"


# --- negative tests: broken manifests must be reported ----------------------------------------
def broken(mutate) -> List[Doc]:
    docs = copy.deepcopy(RENDERED["base"])
    mutate(docs)
    return docs


def rasa_pod(docs):
    return find(docs, "Deployment", "rasa")["spec"]["template"]["spec"]


def rasa_container(docs):
    return rasa_pod(docs)["containers"][0]


def test_schema_rejects_a_misspelt_field():
    dep = copy.deepcopy(find(RENDERED["base"], "Deployment", "rasa"))
    c = dep["spec"]["template"]["spec"]["containers"][0]
    c["readinessProb"] = c.pop("readinessProbe")
    errors = schema_errors(dep)
    assert errors and "readinessProb" in errors[0]
    # Only strict mode catches it: the test would be vacuous without `strict=True`.
    kubernetes_validate.validate(dep, K8S_VERSION, strict=False)


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d["metadata"].update(lables={"a": "b"}), "lables"),
    (lambda d: d["spec"].update(replicas="two"), "replicas"),
    (lambda d: d["spec"]["template"]["spec"].pop("containers"), "containers"),
    (lambda d: d["spec"]["template"]["spec"]["containers"][0]["ports"][0].update(
        containerPort="5005"), "containerPort"),
    (lambda d: d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"].update(
        memory={"amount": 2}), ""),
    (lambda d: d.update(kind="Deploymnet"), "Deploymnet"),
    (lambda d: d.update(apiVersion="apps/v1beta1"), "apps/v1beta1"),
], ids=["unknown-metadata-field", "wrong-type", "missing-required", "port-as-string",
        "quantity-as-object", "unknown-kind", "removed-api-version"])
def test_schema_rejects_broken_resources(mutate, expected):
    dep = copy.deepcopy(find(RENDERED["base"], "Deployment", "rasa"))
    mutate(dep)
    errors = schema_errors(dep)
    assert errors, "a broken resource passed the schema validation"
    assert expected in " ".join(errors)


def test_schema_rejects_a_typo_in_every_kind_used():
    for doc in RENDERED["base"]:
        bad = copy.deepcopy(doc)
        target = bad.get("spec", bad.get("data", bad["metadata"]))
        target["misspelt"] = 1 if "spec" in bad else "x"
        if bad["kind"] == "ConfigMap":        # data is a free map: break its metadata
            bad["metadata"]["misspelt"] = "x"
        assert schema_errors(bad), f"{ident(doc)}: a misspelt field passed"


NEGATIVE_CASES = [
    ("configmap-ref", problems_refs,
     lambda d: rasa_container(d)["envFrom"][0]["configMapRef"].update(name="ttps-envv"),
     "ConfigMap ttps-envv"),
    ("optional-secret-ref-typo", problems_refs,
     lambda d: rasa_container(d)["envFrom"][1]["secretRef"].update(name="ttps-chanels"),
     "Secret ttps-chanels"),
    ("secret-key", problems_refs,
     lambda d: rasa_container(d)["env"][0]["valueFrom"]["secretKeyRef"].update(key="DB_PASS"),
     "no key DB_PASS"),
    ("volume-mount", problems_refs,
     lambda d: rasa_container(d)["volumeMounts"][0].update(name="modles"),
     "modles"),
    ("configmap-item", problems_refs,
     lambda d: rasa_pod(d)["volumes"][1]["configMap"]["items"][0].update(key="endpoint.yml"),
     "no key endpoint.yml"),
    ("service-selector", problems_services,
     lambda d: find(d, "Service", "actions")["spec"]["selector"].update(
         {"app.kubernetes.io/name": "action"}), "matches no pods"),
    ("service-target-port", problems_services,
     lambda d: find(d, "Service", "rasa")["spec"]["ports"][0].update(targetPort=5006),
     "targetPort 5006"),
    ("probe-port", problems_probes,
     lambda d: rasa_container(d)["readinessProbe"]["httpGet"].update(port=5006),
     "readinessProbe port 5006"),
    ("no-readiness", problems_probes,
     lambda d: container_of(d, "actions").pop("readinessProbe"), "no readinessProbe"),
    ("no-limits", problems_resources,
     lambda d: rasa_pod(d)["initContainers"][0]["resources"].pop("limits"), "model: no cpu"),
    ("request-above-limit", problems_resources,
     lambda d: rasa_container(d)["resources"]["requests"].update(memory="3Gi"),
     "memory request above limit"),
    ("latest-tag", problems_images,
     lambda d: container_of(d, "actions").update(image="ttps-assistant/actions:latest"),
     "no fixed tag"),
    ("no-tag", problems_images,
     lambda d: container_of(d, "actions").update(image="ttps-assistant/actions"),
     "no fixed tag"),
    ("ingress-backend", problems_ingress,
     lambda d: find(d, "Ingress", "rasa-widget")["spec"]["rules"][0]["http"]["paths"][0][
         "backend"]["service"].update(name="rasa-server"), "rasa-server does not exist"),
    ("ingress-port", problems_ingress,
     lambda d: find(d, "Ingress", "rasa-widget")["spec"]["rules"][0]["http"]["paths"][0][
         "backend"]["service"].update(port={"number": 80}), "no port 80"),
    ("ingress-api-path", problems_ingress,
     lambda d: find(d, "Ingress", "rasa-webhooks")["spec"]["rules"][0]["http"]["paths"][0]
     .update(path="/"), "path / is not one to publish"),
    ("ingress-no-rate-limit", problems_ingress,
     lambda d: find(d, "Ingress", "rasa-webhooks")["metadata"]["annotations"].pop(
         "nginx.ingress.kubernetes.io/limit-rps"), "no limit-rps"),
    ("pdb-selector", problems_selectors,
     lambda d: find(d, "PodDisruptionBudget", "rasa")["spec"]["selector"]["matchLabels"].update(
         {"app.kubernetes.io/name": "rassa"}), "selects no pods"),
    ("hpa-target", problems_selectors,
     lambda d: find(d, "HorizontalPodAutoscaler", "rasa")["spec"]["scaleTargetRef"].update(
         name="rasa-server"), "does not exist"),
    ("root", problems_security,
     lambda d: rasa_pod(d)["securityContext"].update(runAsNonRoot=False), "non-root"),
    ("writable-root", problems_security,
     lambda d: container_of(d, "actions")["securityContext"].update(
         readOnlyRootFilesystem=False), "not read-only"),
    ("unset-arg-variable", problems_variables,
     lambda d: rasa_container(d)["env"].pop(1), "$(RASA_AUTH_TOKEN) is not set"),
    ("unset-endpoints-variable", problems_variables,
     lambda d: rasa_container(d)["env"].pop(0), "${DB_PASSWORD}"),
]


@pytest.mark.parametrize("check,mutate,expected",
                         [c[1:] for c in NEGATIVE_CASES], ids=[c[0] for c in NEGATIVE_CASES])
def test_cross_reference_checks_report_broken_manifests(check, mutate, expected):
    problems = check(broken(mutate))
    assert problems, "a broken manifest passed the check"
    assert any(expected in p for p in problems), problems
