"""Shared state backends the policy slices use when replicas share them."""
