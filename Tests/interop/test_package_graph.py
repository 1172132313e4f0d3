"""The module graph of Package.swift, read from `swift package describe --type json`: dependencies
point down the data flow, the profiling module links no server, and `swift build` builds the product
only (benchmarks and cross-check tools are packages of their own)."""
import functools
import json
import re
import subprocess

from conftest import ROOT

# Each module of the product and its layer: a module may depend only on modules of lower layers.
LAYERS = {
    # leaves: nothing of ours below them
    "CLZ4": 0, "CCRC32C": 0, "DurableFiles": 0, "DriftlineCore": 0, "PipelineFile": 0,
    "Parquet": 1, "DriftlineLog": 1, "Profiles": 1,
    "DeltaTable": 2, "Driftline": 2,
    "DriftlineStore": 3, "Simulation": 3, "CSVInput": 3,
    "Profiling": 4,
    "TailStage": 5, "BatchStage": 5, "Collector": 5,
    "driftline": 6,
}
SERVER_PRODUCTS = {"NIOCore", "NIOPosix", "NIOHTTP1", "NIO", "Prometheus", "ServiceLifecycle", "Hummingbird"}


@functools.cache
def targets():
    out = subprocess.run(["swift", "package", "describe", "--type", "json"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return {t["name"]: t for t in json.loads(out[out.index("{"):])["targets"]}


def closure(name):
    seen, todo = set(), [name]
    while todo:
        for dep in targets()[todo.pop()].get("target_dependencies") or []:
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def product_targets():
    return {n: t for n, t in targets().items() if t["type"] != "test"}


def test_every_module_has_a_layer_and_depends_only_downwards():
    problems = []
    for name, target in product_targets().items():
        if name not in LAYERS:
            problems.append(f"{name}: new module, give it a layer in LAYERS (and a line in docs/architecture.md)")
            continue
        for dep in target.get("target_dependencies") or []:
            if LAYERS.get(dep, 99) >= LAYERS[name]:
                problems.append(f"{name} (layer {LAYERS[name]}) depends on {dep} (layer {LAYERS.get(dep)}): dependencies point down")
    assert not problems, "\n".join(problems)


def test_profiling_and_what_driftline_profile_needs_link_no_server():
    # `driftline profile` stands on the profiling module and the CSV reader it shares with `ingest`.
    base = {"Profiling", "CSVInput"}
    allowed = base | closure("Profiling") | closure("CSVInput")
    linked = set()
    for module in allowed:
        linked |= set(targets()[module].get("product_dependencies") or [])
    assert not linked & SERVER_PRODUCTS, f"Profiling or CSVInput link {sorted(linked & SERVER_PRODUCTS)}"
    # The modules `driftline profile` imports are those and what they stand on.
    source = (ROOT / "Sources/driftline/ProfileCommand.swift").read_text()
    imported = set(re.findall(r"^import (\w+)", source, re.M))
    ours = imported & set(LAYERS)
    assert ours <= allowed, f"ProfileCommand imports {sorted(ours - allowed)}"


def test_csv_reading_lives_in_a_library_not_in_the_cli():
    cli = ROOT / "Sources/driftline"
    assert not (cli / "CSVRecords.swift").exists() and not (cli / "CSVIngestion.swift").exists()
    assert not any(re.search(r"^import CSV$", f.read_text(), re.M) for f in cli.glob("*.swift"))
    assert "CSVInput" in (targets()["driftline"].get("target_dependencies") or [])


def test_swift_build_builds_the_product_only():
    executables = sorted(n for n, t in product_targets().items() if t["type"] == "executable")
    assert executables == ["driftline"], f"executables in the product's manifest: {executables}"


def test_no_module_declares_a_dependency_it_never_imports():
    unused = []
    for name, target in product_targets().items():
        if target.get("module_type") != "SwiftTarget":
            continue
        sources = "\n".join((ROOT / target["path"] / s).read_text() for s in target["sources"] if s.endswith(".swift"))
        imported = set(re.findall(r"^(?:@testable |@_exported |public )?import (\w+)", sources, re.M))
        for dep in (target.get("target_dependencies") or []) + (target.get("product_dependencies") or []):
            if dep not in imported:
                unused.append(f"{name} declares {dep} but imports it nowhere")
    assert not unused, "\n".join(unused)


def test_only_the_anodot_push_uses_an_http_client():
    """The push's HTTP client (Foundation's URLSession) stays in one file of BatchStage: no other module
    imports FoundationNetworking, and no HTTP client package is declared."""
    importing = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "Sources").rglob("*.swift")
                       if re.search(r"^\s*import FoundationNetworking", p.read_text(), re.M))
    assert importing == ["Sources/BatchStage/AnodotPush.swift"], importing
    declared = set()
    for target in product_targets().values():
        declared |= set(target.get("product_dependencies") or [])
    assert not declared & {"AsyncHTTPClient", "NIOSSL"}, sorted(declared & {"AsyncHTTPClient", "NIOSSL"})
