"""Operations: each thing a client can do, written once, authorization included.

Every operation takes the `Caller` (from a verified access token) and confirms it against the
database, in the same statement as its own work where one statement can do both.
"""
