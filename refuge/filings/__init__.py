"""Filings: urgent requests and notification letters generated from a case, with checklists."""
