"""The audit log: an append-only, hash-chained record of every change, every reveal of identity,
every export, login and key operation (DESIGN.md "Audit").

Write entries with `refuge.audit.actions.record(...)` inside the transaction of what they record;
check the chain with `refuge audit verify`.
"""
