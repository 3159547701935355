"""Provider adapters and the shared upstream plumbing they use."""
