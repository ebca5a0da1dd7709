"""Everything a third-party verifier of the log needs, pure: RFC 9162 Merkle hashing, stored
hashes, proofs and the compact range (`merkle`), C2SP tlog-tiles (`tiles`), tlog-checkpoints
(`checkpoint`), tlog-proof files (`proof`) and tlog-cosignatures (`cosignature`).

May import: the standard library, `cryptography`, `keys`. No SQL, eventsourcing, Flask or
network code: these functions take and return bytes and integers, like Go's sumdb/tlog.
"""
