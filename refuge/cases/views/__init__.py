"""The server-rendered pages of cases, split by subdomain (STYLE.md §1)."""
