"""The documentation's links: every relative link of README.md, of docs/*.md and of every Markdown page
they reach (FORMAT.md, REFERENCE.md, BATCH.md, …) resolves to a file of the repository, every `#anchor`
names a heading of its page (GitHub's slugs), no link leaves the repository (`../shared/…`), and
docs/README.md links every page of docs/. Also: every module of Package.swift has its line in
docs/architecture.md."""
import collections
import pathlib
import re
import subprocess
import unicodedata
import urllib.parse

from conftest import ROOT

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
# [text](target "title"), ![alt](target); the text may hold one level of brackets.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
EXTERNAL = re.compile(r"^(https?|mailto):", re.I)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def prose_lines(text, blank_code=True):
    """(line number, line) outside fenced code blocks, with inline code spans blanked out (unless not
    `blank_code`: a heading's code span is part of its anchor)."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
                continue
            if marker.startswith(fence):
                fence = None
                continue
        if fence is None:
            yield number, CODE_SPAN.sub("", line) if blank_code else line


def link_targets(text):
    """(line number, target) of every inline link, image and reference definition outside code."""
    for number, line in prose_lines(text):
        for match in INLINE_LINK.finditer(line):
            yield number, match.group(1).strip("<>")
        match = REFERENCE_DEFINITION.match(line)
        if match:
            yield number, match.group(1).strip("<>")


def slug(heading):
    """GitHub's anchor of a heading: the rendered text, lower-cased, without punctuation but `-` and `_`,
    spaces turned into `-`."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)   # links and images: their text
    text = re.sub(r"<[^>]+>", "", text)                           # inline HTML
    text = text.replace("`", "").replace("*", "")                 # code and emphasis markers
    kept = [c for c in text.strip().lower()
            if c in " -_" or unicodedata.category(c)[0] in "LMN"]
    return "".join(kept).replace(" ", "-")


def anchors(text):
    """Every heading's anchor; repeated headings get -1, -2, … as on GitHub."""
    seen = collections.Counter()
    out = set()
    for _, line in prose_lines(text, blank_code=False):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        anchor = base if seen[base] == 0 else f"{base}-{seen[base]}"
        seen[base] += 1
        out.add(anchor)
    return out


def repository_files(root):
    """Paths (relative, POSIX) git tracks or would track (not ignored); None outside a git checkout."""
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                             cwd=root, check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    files = {name for name in out.decode().split("\0") if name}
    folders = {str(pathlib.PurePosixPath(name).parent) for name in files}
    for folder in list(folders):
        parts = pathlib.PurePosixPath(folder).parts
        folders.update(str(pathlib.PurePosixPath(*parts[:i])) for i in range(1, len(parts)))
    return files | folders


def check(root, start):
    """Follows the links of the Markdown pages `start` (paths relative to `root`) and of every Markdown
    page of the repository they reach. Returns (problems, pages visited)."""
    root = root.resolve()
    known = repository_files(root)
    problems = []
    pending = collections.deque(root / page for page in start)
    visited = set()
    while pending:
        page = pending.popleft().resolve()
        if page in visited:
            continue
        visited.add(page)
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(root)
        for number, target in link_targets(text):
            if EXTERNAL.match(target):
                continue
            if SCHEME.match(target):
                problems.append(f"{where}:{number}: {target} is not a relative link into the repository")
                continue
            path, _, anchor = target.partition("#")
            path = urllib.parse.unquote(path)
            if path.startswith("/"):
                problems.append(f"{where}:{number}: {target} is an absolute path; link relative to the page")
                continue
            resolved = (page.parent / path).resolve() if path else page
            try:
                relative = resolved.relative_to(root)
            except ValueError:
                problems.append(f"{where}:{number}: {target} leaves the repository")
                continue
            if not resolved.exists():
                problems.append(f"{where}:{number}: {target}: no such file or folder")
                continue
            if known is not None and resolved != root and relative.as_posix() not in known:
                problems.append(f"{where}:{number}: {target} is not part of the repository (ignored by git)")
                continue
            if anchor:
                if resolved.suffix != ".md":
                    problems.append(f"{where}:{number}: {target}: an anchor on a page that is not Markdown")
                elif urllib.parse.unquote(anchor) not in anchors(resolved.read_text(encoding="utf-8")):
                    problems.append(f"{where}:{number}: {target}: {relative} has no heading with the anchor #{anchor}")
            if resolved.suffix == ".md" and resolved.is_file():
                pending.append(resolved)
    return problems, {p.relative_to(root).as_posix() for p in visited}


def unlinked_docs_pages(root):
    """Pages of docs/ that docs/README.md does not link."""
    index = root / "docs" / "README.md"
    linked = set()
    for _, target in link_targets(index.read_text(encoding="utf-8")):
        path = target.partition("#")[0]
        if path and not SCHEME.match(path):
            linked.add((index.parent / urllib.parse.unquote(path)).resolve())
    return sorted(p.name for p in (root / "docs").glob("*.md") if p.name != "README.md" and p.resolve() not in linked)


def start_pages(root):
    return ["README.md"] + sorted(f"docs/{p.name}" for p in (root / "docs").glob("*.md"))


def test_every_link_of_the_readme_and_docs_resolves_inside_the_repository():
    problems, visited = check(ROOT, start_pages(ROOT))
    assert not problems, "\n".join(problems)
    # The module pages are reached (and so checked) through the docs.
    for page in ["Sources/DriftlineLog/FORMAT.md", "Sources/DriftlineStore/REFERENCE.md", "Sources/BatchStage/BATCH.md"]:
        assert page in visited, f"{page} is linked from no page of docs/"


def test_the_docs_index_links_every_page():
    assert (ROOT / "docs" / "README.md").is_file()
    missing = unlinked_docs_pages(ROOT)
    assert not missing, f"docs/README.md does not link {missing}"


def test_every_module_of_the_package_has_a_line_in_the_architecture_page():
    manifest = (ROOT / "Package.swift").read_text()
    modules = re.findall(r"\.(?:target|executableTarget|systemLibrary)\(\s*name:\s*\"([^\"]+)\"", manifest)
    assert "driftline" in modules and "Profiles" in modules
    page = (ROOT / "docs" / "architecture.md").read_text()
    rows = {m for m in re.findall(r"^\| `([^`]+)` \|", page, re.M)}
    assert not set(modules) - rows, f"docs/architecture.md has no module row for {sorted(set(modules) - rows)}"


def test_slugs_are_githubs():
    assert slug("Metrics, and what should alarm") == "metrics-and-what-should-alarm"
    assert slug("`profiles`") == "profiles"
    assert slug("Batch gauges (textfile)") == "batch-gauges-textfile"
    assert slug("Foo & Bar") == "foo--bar"
    assert slug("Partial rows, and how to merge them") == "partial-rows-and-how-to-merge-them"
    assert slug("The [log](x.md) of `Driftline_Core`") == "the-log-of-driftline_core"
    assert slug("Café crème") == "café-crème"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n## A\n### `drift`\n") == {"a", "a-1", "a-2", "drift"}


def test_the_checker_reports_every_kind_of_broken_link(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "FORMAT.md").write_text("# Format\n\n## Batch header\n")
    (tmp_path / "README.md").write_text("Start at [the docs](docs/README.md).\n")
    (tmp_path / "docs" / "README.md").write_text(
        "- [good](good.md), [format](../src/FORMAT.md#batch-header), [site](https://example.org/x)\n"
        "- [missing](nowhere.md)\n"
        "- [bad anchor](../src/FORMAT.md#batch-footer)\n"
        "- [outside](../../shared/DESIGN.md)\n"
        "- [absolute](/etc/passwd) and [file](file:///etc/passwd)\n"
        "- `[in code](ignored.md)`\n"
        "```\n[in a fence](ignored.md)\n```\n")
    (tmp_path / "docs" / "good.md").write_text("# Good\n\nSee [below](#details) and [nothing](#nothing).\n\n## Details\n")
    (tmp_path / "docs" / "orphan.md").write_text("# Orphan\n")
    problems, visited = check(tmp_path, start_pages(tmp_path))
    text = "\n".join(problems)
    assert "docs/README.md:2: nowhere.md: no such file or folder" in text
    assert "docs/README.md:3: ../src/FORMAT.md#batch-footer: src/FORMAT.md has no heading with the anchor #batch-footer" in text
    assert "docs/README.md:4: ../../shared/DESIGN.md leaves the repository" in text
    assert "docs/README.md:5: /etc/passwd is an absolute path" in text
    assert "docs/README.md:5: file:///etc/passwd is not a relative link" in text
    assert "docs/good.md:3: #nothing: docs/good.md has no heading with the anchor #nothing" in text
    assert "ignored.md" not in text and "#details" not in text and "example.org" not in text
    assert len(problems) == 6, text
    assert "src/FORMAT.md" in visited
    assert unlinked_docs_pages(tmp_path) == ["orphan.md"]
