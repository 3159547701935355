"""The bundled price list (`prices.yaml`): what the built-in providers' known models
cost, as published on the list's date. Syncs fill the prices of models that set none
from it (registry/sources.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml
from pydantic import TypeAdapter

from llmgateway.core.models import Pricing

PRICE_LIST_FILE = Path(__file__).with_name("prices.yaml")
_PRICES: TypeAdapter[dict[str, Pricing]] = TypeAdapter(dict[str, Pricing])


@dataclass(frozen=True, slots=True)
class PriceList:
    date: str  # when the providers published these prices (YYYY-MM-DD)
    prices: Mapping[str, Pricing]  # by `provider/upstream_model`

    def get(self, provider: str, upstream_model: str) -> Pricing | None:
        return self.prices.get(f"{provider}/{upstream_model}")


@cache
def price_list() -> PriceList:
    """The bundled list, read once; its prices are validated like any model's."""
    raw = yaml.safe_load(PRICE_LIST_FILE.read_text())
    currency = raw.get("currency", "USD")
    prices = {key: replace(p, currency=currency) for key, p in _PRICES.validate_python(raw["models"]).items()}
    return PriceList(str(raw["date"]), prices)
