from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmgateway.core.dimensions import check_dimensions, fit_dimensions
from llmgateway.core.errors import GatewayError
from llmgateway.core.models import Model

MATRYOSHKA = Model(id="m", provider="mock", upstream_model="m", truncate_dimensions=True)
PLAIN = Model(id="p", provider="mock", upstream_model="p", embedding_dimensions=8)


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=64).filter(lambda v: any(v)),
    st.integers(1, 64),
)
def test_truncation_keeps_the_prefix_direction_at_unit_length(vector: list[float], dimensions: int) -> None:
    if dimensions > len(vector):
        with pytest.raises(GatewayError):
            fit_dimensions([vector], dimensions, MATRYOSHKA)
        return
    (fitted,) = fit_dimensions([vector], dimensions, MATRYOSHKA)
    assert len(fitted) == dimensions
    prefix = vector[:dimensions]
    if any(prefix) and len(vector) != dimensions:
        assert math.isclose(math.hypot(*fitted), 1.0, rel_tol=1e-9)
        assert all(
            math.copysign(1, a) == math.copysign(1, b) for a, b in zip(fitted, prefix, strict=True) if a and b
        )


def test_vectors_of_the_asked_length_or_no_length_asked_are_untouched() -> None:
    vectors = [[3.0, 4.0], [1.0, 0.0]]
    assert fit_dimensions(vectors, 2, PLAIN) is vectors
    assert fit_dimensions(vectors, None, PLAIN) is vectors


def test_a_model_without_truncation_refuses_another_length() -> None:
    with pytest.raises(GatewayError) as err:
        fit_dimensions([[3.0, 4.0, 0.0]], 2, PLAIN)
    assert err.value.field_violations[0][0] == "dimensions"


def test_more_than_the_native_length_is_refused_up_front() -> None:
    check_dimensions(8, PLAIN)
    check_dimensions(None, PLAIN)
    with pytest.raises(GatewayError):
        check_dimensions(9, PLAIN)
    check_dimensions(10_000, MATRYOSHKA)  # native length unknown: the answer decides
