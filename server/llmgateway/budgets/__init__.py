"""Budgets: a policy of the pipeline that reserves a call's worst case at admit and
settles it to the real cost (see policy.py)."""
