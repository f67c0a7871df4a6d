"""The printable report: a real PDF through WeasyPrint, with the controlled tables."""

from __future__ import annotations

import time_machine

from refuge.stats.history import lay_history
from tests.conftest import login
from tests.stats.conftest import TODAY


@time_machine.travel("2026-12-05 12:00 +0000", tick=False)
def test_report_is_a_pdf_of_the_controlled_tables(client, org, alice, ana) -> None:
    from refuge.stats.builds import latest
    from refuge.stats.exports import report_html
    from refuge.stats.tables import TABLES, cut

    lay_history(organisation=org, user=alice, today=TODAY, existing=set())
    login(client, ana)
    response = client.get("/stats/outcomes.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    cubes = latest(org, today=TODAY).cubes
    html = report_html(
        [cut(cubes[t.id], period="years", group="*", exact=False) for t in TABLES],
        threshold=5,
        organisation=org.name,
        years=(2016, 2026),
        today=TODAY,
    )
    assert "Outcomes 2016–2026" in html
    assert "NOT FOR PUBLICATION" not in html
