"""A C2SP tlog-witness (`pakta witness`): cosigns checkpoints it has proven consistent with the
last one it cosigned, keeps its state atomically, and keeps the evidence when it refuses.

May import: `keys`, `registry.tlog`, the standard library's HTTP server and client.
"""
