"""The case page's HTML, rendered at a frozen instant, to compare two versions of Refuge page by page.

    python -m bench.generate --cases 2000 --data-dir DIR                    # once
    python -m bench.pagehtml seed --data-dir DIR                            # once: filings, sendings, documents
    cp -r DIR A; cp -r DIR B                                                # a copy per version (views audit)
    (cd OLD && PYTHONPATH=. python -m bench.pagehtml render --data-dir A --out /tmp/old)
    (cd NEW && PYTHONPATH=. python -m bench.pagehtml render --data-dir B --out /tmp/new)
    diff -r /tmp/old /tmp/new                                               # nothing: the same pages

(An older tree without this file: copy it into that tree's bench/ first.)

Each of ten lawyers of the largest organisation opens five of their cases, the seeded cases are
opened by a lawyer of their team, and an admin opens fifteen cases, in English, Russian and Korean
in turn, through the whole middleware stack (bench.pages' server) at 2026-12-05 09:30:17 UTC.
The pages are written with runs of white space as one space and a line per tag, nonces and CSRF
tokens blanked; `audit.json` holds the audit entries the views recorded. Needs time-machine (dev).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path

from bench.common import add_database_arguments, setup_django

FROZEN = dt.datetime(2026, 12, 5, 9, 30, 17, tzinfo=dt.UTC)
LANGUAGES = ("en", "ru", "ko")


def seed() -> None:
    """Filings, sendings and documents on 40 lawyers' cases (bench.generate makes none)."""
    from bench import pages  # noqa: PLC0415  # after setup_django
    from refuge.cases.models import Authority, Case, Document  # noqa: PLC0415
    from refuge.filings.models import GeneratedFiling, Sending  # noqa: PLC0415

    world = pages.World.load(random.Random(3), 10)
    rng = random.Random(7)
    authorities = list(Authority.objects.filter(organisation_id=world.org_id).order_by("id"))
    cases = sorted({c for own in world.lawyers.values() for c in own})
    for n, (case_id, _code) in enumerate(rng.sample(cases, 40)):
        case = Case.objects.get(pk=case_id)
        events = list(case.events.order_by("id"))
        filings = [
            GeneratedFiling.objects.create(
                case=case,
                kind=("rule39", "un_cat_interim")[v % 2],
                lang="en",
                format="pdf",
                version=v + 1,
                file=f"filings/{case.code}/x{v}",
                filename="f.pdf",
                content_type="application/pdf",
                size=1000 * (v + 1) ** 5,
                sha256="ab" * 32,
                created_by_id=min(world.lawyers),
            )
            for v in range(1 + n % 3)
        ]
        for s in range(n % 4):
            Sending.objects.create(
                case=case,
                filing=filings[s % len(filings)] if s % 2 == 0 else None,
                authority=authorities[(n + s) % len(authorities)] if s != 2 else None,
                forum="echr" if s == 2 else "",
                channel=("fax", "post", "email", "efiling")[s],
                sent_at=FROZEN - dt.timedelta(days=s * 3 + n, hours=s),
                reference=f"N-{n}-{s}" if s % 2 else "",
                proof="proofs/x" if s == 1 else "",
                proof_size=10 if s == 1 else 0,
                event=events[s] if s < 2 and events else None,
            )
        if n % 2 == 0:
            document = Document.objects.create(
                case=case,
                doc_type="decision_copy",
                title=f"Decision <{n}> & co",
                date=dt.date(2026, 3, n % 27 + 1),
                language="ru",
                file="documents/x",
                filename="d.pdf",
                content_type="application/pdf",
                size=12345 * n,
                sha256="cd" * 32,
            )
            document.events.set(events[:2])


def render(out: Path) -> int:
    from bench import pages  # noqa: PLC0415  # after setup_django
    from refuge.audit.chain import ROW_FIELDS  # noqa: PLC0415
    from refuge.audit.models import AuditEvent  # noqa: PLC0415
    from refuge.filings.models import GeneratedFiling  # noqa: PLC0415

    out.mkdir(parents=True, exist_ok=True)
    world = pages.World.load(random.Random(3), 10)
    admin = world.admins[0]
    server = pages.Server()
    server.login([*sorted(world.lawyers), admin])
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(11)
    plan = [(lawyer, code) for lawyer in sorted(world.lawyers) for _id, code in rng.sample(world.lawyers[lawyer], 5)]
    for code in sorted({str(c) for c in GeneratedFiling.objects.values_list("case__code", flat=True)}):
        team = [u for u, own in world.lawyers.items() if any(c == code for _id, c in own)]
        plan.append((team[0] if team else admin, code))
    plan += [(admin, code) for _id, code in rng.sample(world.org_cases, 15)]
    for n, (user, code) in enumerate(plan):
        language = LANGUAGES[n % 3]
        environ = server.factory.get(f"/cases/{code}/").environ
        environ["HTTP_COOKIE"] = f"{server.cookie_name}={server.sessions[user]}"
        environ["HTTP_ACCEPT_LANGUAGE"] = language
        status: list[str] = []
        response = server.handler(environ, lambda value, headers, exc_info=None, found=status: found.append(value))
        body = b"".join(response).decode()
        response.close()
        body = re.sub(r'nonce="[^"]*"', 'nonce="N"', body)
        body = re.sub(r'(csrfmiddlewaretoken" value=")[^"]*', r"\1T", body)
        body = re.sub(r'("X-CSRFToken": ")[^"]*', r"\1T", body)
        body = re.sub(r"\s+", " ", body).replace(">", ">\n")
        (out / f"{n:03d}-{language}-{code}.html").write_text(f"{status[0]}\n{body}\n", encoding="utf-8")
    entries = (
        AuditEvent.objects.filter(id__gt=start)
        .order_by("id")
        .values(*(f for f in ROW_FIELDS if f not in ("seq", "prev_hash", "hash")))  # what a view's entry says
    )
    (out / "audit.json").write_text(json.dumps([{k: str(v) for k, v in e.items()} for e in entries], indent=1))
    print(f"bench.pagehtml: {len(plan)} pages, {len(entries)} audit entries in {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pagehtml", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("seed", "render"))
    add_database_arguments(parser, data_dir_required=True)
    parser.add_argument("--out", type=Path, help="where render writes the pages")
    args = parser.parse_args(argv)
    import time_machine  # noqa: PLC0415  # a development dependency, for this tool only

    with time_machine.travel(FROZEN, tick=False):
        setup_django(args.data_dir, args.database_url)
        from refuge.vault import state  # noqa: PLC0415  # after setup_django

        state.try_dev_unseal()
        if args.action == "seed":
            seed()
            return 0
        if args.out is None:
            parser.error("render needs --out")
        return render(args.out)


if __name__ == "__main__":
    sys.exit(main())
