"""The response cache: a policy of the pipeline over an in-process or Redis backend."""
