"""The fictional demo (`refuge demo`): its data as case files and a manifest, laid down through the import.

data/manifest.json   the organisation, staff, directory, rota, and per case file what it does not carry
data/cases/*.json    one `refuge.case/1` file per case, dates relative to the day of loading (dates.py)
load.py              validates every file, then imports each as `refuge import` does (build_demo)

Every person, name, court and number in the data is invented. The timelines are chosen to
exercise the law the rule packs encode: Russian expulsion appeals before and after 29 October
2024, a stateless person held in a centre for foreign nationals, readmission detention and its
48-hour court order, refugee-status refusals and appeals, removals scheduled while an interim
measure is in force, Turkish cases with the ECtHR time-limit and Rule 39, and the story Refuge
was built for (DEMO-01, and DEMO-31 later on).
"""
