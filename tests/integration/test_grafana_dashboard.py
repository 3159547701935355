"""deploy/grafana/llmgateway.json queries only what the gateway exports: every metric
name and every label name in every PromQL expression (panels and variables) is
checked against a live gateway's /metrics after a few calls."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.helpers import chat, scrape, stream

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "llmgateway.json"
# Labels Prometheus adds to every series it scrapes (target labels).
SCRAPE_LABELS = {"job", "instance"}
KEYWORDS = frozenset(
    ("by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless")
)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)")
_MATCHERS = re.compile(r"\{([^}]*)\}")
_MATCHER_LABEL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)")
_IDENTIFIER = re.compile(r"(?<![\w$.])([A-Za-z_:][A-Za-z0-9_:]*)(?!\w)(\s*\()?")


def expressions(dashboard: dict[str, Any]) -> Iterator[str]:
    def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in items:
            yield item
            yield from panels(item.get("panels", []))

    for panel in panels(dashboard["panels"]):
        for target in panel.get("targets", []):
            yield target["expr"]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            yield variable["query"]


def parse(expr: str) -> tuple[set[str], set[str]]:
    """(metric names, label names) that a PromQL expression refers to."""
    labels: set[str] = set()
    variable = re.fullmatch(r"label_values\(\s*([\w:]+)\s*,\s*(\w+)\s*\)", expr.strip())
    if variable:
        return {variable.group(1)}, {variable.group(2)}
    text = _STRING.sub('""', expr)
    for matchers in _MATCHERS.findall(text):
        labels |= set(_MATCHER_LABEL.findall(matchers))
    text = _MATCHERS.sub(" ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range selectors, $__rate_interval
    for grouping in _GROUPING.findall(text):
        labels |= {name.strip() for name in grouping.split(",") if name.strip()}
    text = _GROUPING.sub(" ", text)
    metrics = {name for name, call in _IDENTIFIER.findall(text) if not call and name not in KEYWORDS}
    return metrics, labels


def test_the_parser_finds_metrics_and_labels() -> None:
    metrics, labels = parse(
        "histogram_quantile(0.99, sum by (le, grpc_method) "
        '(rate(a_bucket{x=~"$m", y!="OK"}[$__rate_interval]))) / on (z) b_total * 2^30 - time()'
    )
    assert metrics == {"a_bucket", "b_total"}
    assert labels == {"le", "grpc_method", "x", "y", "z"}


async def test_every_dashboard_query_names_exported_metrics_and_labels(gateway_factory: Any) -> None:
    unpriced = {"id": "local/unpriced", "provider": "mock", "upstream_model": "not-on-the-price-list"}
    gw = await gateway_factory(
        include_default_models=True,
        metrics={"address": "127.0.0.1:0"},
        models=[unpriced],
        budgets={"limits": [{"name": "all", "limit": "1", "tokens": 10**6}], "allow_unpriced": ["local/*"]},
    )
    await gw.Chat(chat("mock/echo"), timeout=5)  # priced: exports the budget's money gauges
    await gw.Chat(chat("local/unpriced"), timeout=5)  # exports the unknown-cost counter
    [e async for e in gw.StreamChat(stream("mock/echo"), timeout=5)]
    exported: dict[str, set[str]] = {}
    for sample in (await scrape(gw.metrics_port)).samples:
        exported.setdefault(sample.name, set()).update(sample.labels)

    dashboard = json.loads(DASHBOARD.read_text())
    queries = list(expressions(dashboard))
    assert len(queries) > 20
    for expr in queries:
        metrics, labels = parse(expr)
        assert metrics, expr
        unknown = metrics - set(exported)
        assert not unknown, f"{expr!r} names metrics the gateway does not export: {sorted(unknown)}"
        known_labels = set().union(*(exported[m] for m in metrics)) | SCRAPE_LABELS
        assert labels <= known_labels, f"{expr!r} uses labels {sorted(labels - known_labels)} not exported"
