"""The commands of the `feedkit` CLI, one small module each.

A command parses its options, calls one library job (feedkit/jobs/) and prints the
result; common.py holds what they share (the options, `run`, `report`). This
package imports nothing itself, so the fast path of an unchanged build
(fastpath.py) starts without the CLI framework.
"""
