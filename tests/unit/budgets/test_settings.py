"""The `budgets:` settings refuse what cannot be a budget, at start: a budget without a
limit, a tag budget without its tag, a global budget with `match`, duplicate names,
thresholds outside (0, 1), more precision than a micro-unit, limits past what the
counters hold exactly. The windows of day, month and total, in UTC."""

from __future__ import annotations

import calendar
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from llmgateway.budgets.settings import BudgetSettings
from llmgateway.core.budgets import Period, from_units, to_units, window


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({"name": "a"}, "needs a money `limit`, `tokens`, or both"),
        ({"name": "a", "limit": "1", "scope": "tag"}, "name the tag"),
        ({"name": "a", "limit": "1", "match": ["x"]}, "matches every call"),
        ({"name": "A b", "limit": "1"}, "should match pattern"),
        ({"name": "a", "limit": "0.0000001"}, "decimal places"),
        ({"name": "a", "limit": "10000000000"}, "less than or equal"),
        ({"name": "a", "limit": "-1"}, "greater than or equal"),
        ({"name": "a", "limit": "1", "period": "week"}, "'day', 'month' or 'total'"),
    ],
)
def test_bad_budgets_are_refused(entry: dict[str, Any], why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        BudgetSettings(limits=[entry])


def test_names_are_unique_and_thresholds_fractions() -> None:
    with pytest.raises(ValidationError, match="unique: a"):
        BudgetSettings(limits=[{"name": "a", "limit": "1"}, {"name": "a", "tokens": 5}])
    with pytest.raises(ValidationError, match="fractions"):
        BudgetSettings(limits=[], soft_thresholds=[80])


def test_money_rounds_up_to_micro_units() -> None:
    assert to_units(Decimal("0.0000001")) == 1
    assert to_units(Decimal("2.5")) == 2_500_000
    assert from_units(1) == Decimal("0.000001")


def test_windows_in_utc() -> None:
    at = calendar.timegm((2024, 2, 29, 23, 59, 59))
    day = window(Period.DAY, at)
    assert (day.id, day.end) == ("2024-02-29", calendar.timegm((2024, 3, 1, 0, 0, 0)))
    month = window(Period.MONTH, at)
    assert (month.id, month.start, month.end) == (
        "2024-02",
        calendar.timegm((2024, 2, 1, 0, 0, 0)),
        calendar.timegm((2024, 3, 1, 0, 0, 0)),
    )
    assert window(Period.MONTH, calendar.timegm((2026, 12, 31, 12, 0, 0))).end == calendar.timegm(
        (2027, 1, 1, 0, 0, 0)
    )
    assert window(Period.TOTAL, at) == ("total", 0.0, None)
