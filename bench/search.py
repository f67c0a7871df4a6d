"""Build and query times of the in-memory name index (refuge.search) on a generated database.

    python -m bench.search --data-dir DIR [--database-url postgres://...] [--queries 200] [--seed 7]

1. Build: every organisation's index, largest first, as the first search after unsealing builds it
   (decrypt every client's names once, reduce them to keys). Wall and CPU time, resident memory added.
2. Queries on the largest organisation: names of random clients of it, as stored, in another
   script, with one letter dropped, and the surname alone. `index` is the index's own answer (its
   freshness check against the database included); `page` is what the search page's lookup does
   for an admin (who sees the whole organisation) and for a lawyer (on the team of 50-200 cases):
   the index, the access filter in the database, and decrypting the names shown.
3. Worst case for matching: 100,000 distinct random names in memory (no database), because the
   generator's names repeat (a few thousand distinct ones) and real clients' do less.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import add_database_arguments, machine_info, percentile, setup_django

KINDS = ("as stored", "other script", "letter dropped", "surname only")


def _rss_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text(encoding="utf-8").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {percentile(values, 95):.1f}"


def _variants(rng: random.Random, names: list[str]) -> dict[str, str]:
    """One query of each kind for a client with these names."""
    stored = rng.choice(names)
    others = [n for n in names if n != stored]
    typed = [n for n in names if not any("\uac00" <= c <= "\ud7a3" for c in n)] or names
    words = rng.choice(typed).split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    cut = rng.randrange(1, len(word)) if len(word) > 2 else len(word)
    typo = word[: cut - 1] + word[cut:] if len(word) > 3 else word
    dropped = " ".join([*words[:longest], typo, *words[longest + 1 :]])
    return {
        "as stored": stored,
        "other script": rng.choice(others) if others else stored,
        "letter dropped": dropped,
        "surname only": stored.split()[0][:1] if len(stored.split()) == 1 else stored.split()[0],
    }


def build(orgs: list[tuple[int, int]]) -> list[dict[str, Any]]:
    from refuge.search import index  # noqa: PLC0415  # Django is set up by main()

    rows = []
    for org_id, count in orgs:
        gc.collect()
        rss, wall, cpu = _rss_mib(), time.perf_counter(), time.process_time()
        sizes = index.warm(org_id)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        gc.collect()
        rows.append({"org": org_id, "cases": count, "wall": wall, "cpu": cpu, "mib": _rss_mib() - rss, **sizes})
    return rows


def queries(org_id: int, n: int, rng: random.Random) -> dict[str, dict[str, list[float]]]:
    from django.test import RequestFactory  # noqa: PLC0415

    from refuge.accounts.models import Membership, Role  # noqa: PLC0415  # Django is set up
    from refuge.cases.models import CaseMember, Person  # noqa: PLC0415
    from refuge.search import index, lookup, views  # noqa: PLC0415

    admin = Membership.objects.filter(organisation_id=org_id, role=Role.ADMIN).select_related("user").first()
    lawyers = list(
        Membership.objects.filter(organisation_id=org_id, role=Role.LAWYER).values_list("user_id", flat=True)[:50]
    )
    ids = list(Person.objects.filter(case__organisation_id=org_id).values_list("id", flat=True))
    times: dict[str, dict[str, list[float]]] = {
        k: {w: [] for w in ("index", "admin", "lawyer", "view") for w in (w, f"{w} cpu")} for k in KINDS
    }
    hits: dict[str, list[int]] = {k: [] for k in KINDS}
    misses: list[str] = []
    from refuge.accounts.models import User  # noqa: PLC0415

    for _ in range(n):
        person = Person.objects.select_related("case").get(pk=rng.choice(ids))
        names = [x["value"] for x in person.names if x.get("value")]
        if not names:
            continue
        # A lawyer on this client's team, so that the lawyer's search has something to find.
        team = CaseMember.objects.filter(case_id=person.case_id, user_id__in=lawyers)
        on_team = team.values_list("user_id", flat=True)
        lawyer = User.objects.get(pk=on_team[0] if on_team else rng.choice(lawyers))
        for kind, query in _variants(rng, names).items():
            t, c = time.perf_counter(), time.thread_time()
            found = index.match(org_id, [query])
            times[kind]["index"].append((time.perf_counter() - t) * 1000)
            times[kind]["index cpu"].append((time.thread_time() - c) * 1000)
            hits[kind].append(int(person.case_id in found))
            if person.case_id not in found:
                misses.append(f"{kind}: {query!r} for {' / '.join(names)}")
            for who, user in (("admin", admin.user if admin else lawyer), ("lawyer", lawyer)):
                t, c = time.perf_counter(), time.thread_time()
                lookup.search_cases(user=user, query=query)
                times[kind][who].append((time.perf_counter() - t) * 1000)
                times[kind][f"{who} cpu"].append((time.thread_time() - c) * 1000)
            # The whole view for the admin: lookup, one audit entry per client named, the template.
            request = RequestFactory().get("/search/", {"q": query})
            request.user = admin.user if admin else lawyer
            t, c = time.perf_counter(), time.thread_time()
            response = views.search(request)
            times[kind]["view"].append((time.perf_counter() - t) * 1000)
            times[kind]["view cpu"].append((time.thread_time() - c) * 1000)
            assert response.status_code == 200, response.status_code
    for kind in KINDS:
        times[kind]["recall"] = [sum(hits[kind]), len(hits[kind])]
    for miss in misses[:10]:
        print(f"  missed {miss}")
    return times


def distinct_names(count: int, n: int, rng: random.Random) -> dict[str, Any]:
    """Matching over `count` distinct random names, in memory."""
    from refuge.search import index, normalise  # noqa: PLC0415

    onsets = ["", "g", "n", "d", "r", "m", "b", "s", "j", "ch", "k", "t", "p", "h"]
    vowels = ["a", "eo", "o", "u", "eu", "i", "ae", "e", "yo", "yu", "ya", "wa"]
    codas = ["", "", "n", "ng", "l", "m", "k"]

    def syllable() -> str:
        return rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)

    names: set[str] = set()
    while len(names) < count:
        surname = rng.choice(normalise.SURNAME_CLASSES)[0] if rng.random() < 0.6 else syllable() + syllable()
        names.add(f"{surname.title()} {syllable().title()}{syllable()} {syllable().title()}")
    gc.collect()
    rss = _rss_mib()
    org = index._OrgIndex(0)
    t = time.perf_counter()
    for case_id, name in enumerate(sorted(names)):
        org.put(case_id, index._entry(0, [{"value": name}]))
    built = time.perf_counter() - t
    gc.collect()
    mib = _rss_mib() - rss
    sample = rng.sample(sorted(names), n)
    timings: list[float] = []
    cpu: list[float] = []
    for name in sample:
        word = rng.choice(name.split())
        query = name.replace(word, word[:-1], 1) if len(word) > 3 else name
        t, c = time.perf_counter(), time.thread_time()
        org.match(normalise.name_keys(query))
        timings.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    return {
        "names": count, "keys": len(org.by_string), "words": len(org.by_word), "build": built, "mib": mib,
        "match": timings, "cpu": cpu,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n\n")[0])
    add_database_arguments(parser, data_dir_required=True)
    parser.add_argument("--queries", type=int, default=200, help="clients to query for (4 queries each)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--distinct", type=int, default=100_000, help="distinct names for the in-memory case")
    args = parser.parse_args(argv)
    setup_django(args.data_dir, args.database_url)
    from django.db import connection  # noqa: PLC0415
    from django.db.models import Count  # noqa: PLC0415

    from refuge.cases.models import Case  # noqa: PLC0415
    from refuge.vault import state  # noqa: PLC0415

    if not state.try_dev_unseal():
        print("bench.search: the vault stays sealed (no development key in the data directory)", file=sys.stderr)
        return 1
    rng = random.Random(args.seed)
    orgs = [
        (row["organisation_id"], row["n"])
        for row in Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n")
    ]
    print(f"bench.search: {sum(n for _, n in orgs)} cases in {len(orgs)} organisations")
    for key, value in machine_info(connection.vendor, connection.Database.sqlite_version
                                   if connection.vendor == "sqlite" else str(connection.pg_version)):
        print(f"  {key}: {value}")

    print("\nBuild (first search after unsealing), largest organisation first:")
    print("| organisation | cases | wall s | CPU s | resident MiB added | distinct keys | distinct words |")
    print("|---|---|---|---|---|---|---|")
    for row in build(orgs):
        print(f"| {row['org']} | {row['cases']:,} | {row['wall']:.2f} | {row['cpu']:.2f} | {row['mib']:.0f} "
              f"| {row['keys']:,} | {row['words']:,} |")

    largest = orgs[0][0]
    times = queries(largest, args.queries, rng)
    print(f"\nQueries on the largest organisation ({orgs[0][1]:,} cases), {args.queries} clients,")
    print("ms median / p95, wall (CPU of the thread):")
    print("| query | found its client | index | page lookup, admin | page lookup, lawyer | whole view, admin |")
    print("|---|---|---|---|---|---|")
    for kind in KINDS:
        t = times[kind]
        cells = " | ".join(f"{_ms(t[w])} ({_ms(t[w + ' cpu'])})" for w in ("index", "admin", "lawyer", "view"))
        print(f"| {kind} | {t['recall'][0]:.0f} of {t['recall'][1]:.0f} | {cells} |")

    worst = distinct_names(args.distinct, args.queries, rng)
    print(f"\nIn memory, {worst['names']:,} distinct random names ({worst['keys']:,} keys, {worst['words']:,} words,"
          f" {worst['mib']:.0f} MiB resident): keys built in {worst['build']:.1f} s; a query with one letter dropped:"
          f" {_ms(worst['match'])} ms wall ({_ms(worst['cpu'])} CPU)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
