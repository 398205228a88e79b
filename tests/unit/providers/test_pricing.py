"""Price table: family matching, cache multipliers, the default for unknown models."""

from __future__ import annotations

import pytest

from activities.providers.pricing import DEFAULT_PRICE, DEFAULT_PRICE_TABLE, ModelPrice, PriceTable


@pytest.mark.parametrize(
    ("model", "input_rate", "output_rate"),
    [
        ("claude-opus-4-1-20250805", 15.0, 75.0),
        ("claude-opus-4-20250514", 15.0, 75.0),
        ("claude-opus-4-5-20251101", 5.0, 25.0),
        ("claude-opus-4-8", 5.0, 25.0),
        ("claude-opus-5", 5.0, 25.0),
        ("claude-opus-5-5", 4.0, 20.0),
        ("claude-sonnet-4-5-20250929", 3.0, 15.0),
        ("us.anthropic.claude-sonnet-4-6", 3.0, 15.0),
        ("claude-sonnet-5-5", 2.0, 10.0),
        ("claude-haiku-4-5-20251001", 1.0, 5.0),
        ("claude-3-5-haiku-20241022", 0.8, 4.0),
        ("claude-fable-5-1", 10.0, 50.0),
    ],
)
def test_families(model: str, input_rate: float, output_rate: float) -> None:
    price = DEFAULT_PRICE_TABLE.price_for(model)
    assert (price.input_per_mtok, price.output_per_mtok) == (input_rate, output_rate)
    assert DEFAULT_PRICE_TABLE.is_known(model)


def test_cache_rates_derive_from_the_input_rate() -> None:
    price = ModelPrice(3.0, 15.0)
    assert price.cache_write == pytest.approx(3.75)
    assert price.cache_read == pytest.approx(0.3)
    assert ModelPrice(10.0, 50.0, cache_read_per_mtok=0.25).cache_read == 0.25


def test_cost_of_a_call() -> None:
    cost = ModelPrice(3.0, 15.0).cost(
        input_tokens=1_000_000,
        output_tokens=100_000,
        cache_read_tokens=2_000_000,
        cache_write_tokens=400_000,
    )
    assert cost == pytest.approx(3.0 + 1.5 + 0.6 + 1.5)


def test_unknown_model_uses_the_default_and_never_crashes() -> None:
    assert not DEFAULT_PRICE_TABLE.is_known("gpt-something")
    assert DEFAULT_PRICE_TABLE.price_for("gpt-something") == DEFAULT_PRICE
    assert DEFAULT_PRICE_TABLE.cost("", input_tokens=10, output_tokens=10) > 0


def test_custom_table_and_default() -> None:
    table = PriceTable([("mine", ModelPrice(1.0, 2.0))], default=ModelPrice(0.0, 0.0))
    assert table.cost("MINE-v2", input_tokens=1_000_000, output_tokens=0) == 1.0
    assert table.cost("other", input_tokens=1_000_000, output_tokens=1_000_000) == 0.0
