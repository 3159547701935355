"""The usage ledger: one row per data-plane call (Chat, StreamChat, Embed,
GenerateImage, Transcribe, SynthesizeSpeech), successful, failed or cancelled, in the
registry database's `usage_ledger` table.

- `observer.py`: the built-in "ledger" observer; `call_ended` queues the finished call
  (an append to a bounded deque: nothing else on the call's path).
- `writer.py`: the task that turns queued calls into rows and inserts them in batches
  in a thread of its own, retries with backoff while the database is unreachable,
  counts what it must drop, flushes at shutdown and deletes rows past the retention.
- `store.py`: the table's writes, and `spend_since` (what budgets rebuild from).
- `query.py`: QueryUsage's aggregation and pages (the Admin API and `llmgateway usage`).
"""
