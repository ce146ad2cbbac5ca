"""Adapters: the database runners, Redis (cache, rate limits, the job queue), password
hashing, tokens, HTTP delivery of webhooks. Operations reach the outside world through these."""
