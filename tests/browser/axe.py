"""axe-core in a Playwright page: every rule, every impact; a violation is a failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page once it is still (all impacts: minor to critical).

    A request htmx is making dims its form (`.htmx-request`, a 150 ms opacity transition): axe would
    measure the contrast of a half-faded form, so it waits until no request is running and every
    element's transitions have ended.
    """
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.evaluate("() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['impact']}: {v['id']} — {v['help']}")
        lines.extend(f"    {' '.join(node['target'])}: {node['failureSummary'][:200]}" for node in v["nodes"][:5])
    return "\n".join(lines)
