"""The repository explains itself: what the code cites exists in it (docs/, data/), and no comment points
at a document or a ticket the reader of a clone cannot open."""
from __future__ import annotations

import re

from tests.conftest import ROOT

CODE = [p for folder in ("hazardmap", "tests", "bench", "scripts") for p in (ROOT / folder).rglob("*.py")]
CODE += [ROOT / "build.spec", ROOT / "pyproject.toml"]


def test_every_cited_markdown_file_exists_in_the_repository():
    shipped = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.md") if ".venv" not in p.parts}
    names = {p.rsplit("/", 1)[-1] for p in shipped}
    missing = set()
    for path in CODE:
        for cited in re.findall(r"[A-Za-z_][\w/.-]*\.md\b", path.read_text(encoding="utf-8")):
            if cited not in shipped and cited not in names:
                missing.add(f"{path.relative_to(ROOT)}: {cited}")
    assert not missing, sorted(missing)


def test_no_comment_cites_an_issue_or_a_user_story_by_number():
    pattern = re.compile(r"\b(?:issue|story|stories)\s*#?\d+", re.IGNORECASE)
    found = [f"{path.relative_to(ROOT)}:{n}" for path in CODE
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found, found


def test_docs_exist():
    for name in ("ARCHITECTURE.md", "DOMAIN.md"):
        assert (ROOT / "docs" / name).stat().st_size > 1000
