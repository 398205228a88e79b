"""USD prices of Anthropic models, per million tokens, and the cost of one call.

Prices are matched on the model id by family pattern (first match wins, most specific first),
so dated ids (``claude-sonnet-4-5-20250929``) and cloud-prefixed ids (``us.anthropic.claude-...``)
price like their family. Cache writes default to 1.25x the input price (5-minute cache, the only
TTL the provider uses) and cache reads to 0.1x, unless a family states its own rate.

An unknown model never crashes a run: it is priced at ``DEFAULT_PRICE`` (the Sonnet-class
$3 / $15 rate, the mid tier), and the table says so through ``is_known``. Budgets computed from
it are estimates; keep this table in step with the published price list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

_PER_MILLION = 1_000_000


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens. ``None`` cache rates derive from the input rate."""

    input_per_mtok: float
    output_per_mtok: float
    cache_write_per_mtok: float | None = None
    cache_read_per_mtok: float | None = None

    @property
    def cache_write(self) -> float:
        if self.cache_write_per_mtok is not None:
            return self.cache_write_per_mtok
        return self.input_per_mtok * 1.25

    @property
    def cache_read(self) -> float:
        if self.cache_read_per_mtok is not None:
            return self.cache_read_per_mtok
        return self.input_per_mtok * 0.1

    def cost(
        self,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
    ) -> float:
        """Cost in USD. ``input_tokens`` are the uncached ones, as the API reports them."""
        total = (
            input_tokens * self.input_per_mtok
            + output_tokens * self.output_per_mtok
            + cache_write_tokens * self.cache_write
            + cache_read_tokens * self.cache_read
        )
        # Rounded so sums over thousands of atoms do not show float noise in reports.
        return round(total / _PER_MILLION, 8)


DEFAULT_PRICE = ModelPrice(3.0, 15.0)


class PriceTable:
    """Ordered ``(pattern, price)`` pairs; a pattern matches when it occurs in the model id."""

    def __init__(
        self,
        entries: Sequence[tuple[str, ModelPrice]],
        default: ModelPrice = DEFAULT_PRICE,
    ) -> None:
        self._entries = tuple((pattern.lower(), price) for pattern, price in entries)
        self.default = default

    def _match(self, model: str) -> ModelPrice | None:
        wanted = model.lower()
        for pattern, price in self._entries:
            if pattern in wanted:
                return price
        return None

    def is_known(self, model: str) -> bool:
        return self._match(model) is not None

    def price_for(self, model: str) -> ModelPrice:
        return self._match(model) or self.default

    def cost(
        self,
        model: str,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_read_tokens: int = 0,
        cache_write_tokens: int = 0,
    ) -> float:
        return self.price_for(model).cost(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cache_read_tokens=cache_read_tokens,
            cache_write_tokens=cache_write_tokens,
        )


# Order matters: a more specific pattern must come before any pattern it contains
# ("opus-5-5" before "opus-5", "opus-4-5" before "opus-4").
DEFAULT_PRICE_TABLE = PriceTable(
    [
        ("fable-5-1", ModelPrice(10.0, 50.0, cache_read_per_mtok=0.25)),
        ("mythos-5-1", ModelPrice(10.0, 50.0, cache_read_per_mtok=0.25)),
        ("fable", ModelPrice(10.0, 50.0)),
        ("mythos", ModelPrice(10.0, 50.0)),
        ("opus-5-5", ModelPrice(4.0, 20.0)),
        ("opus-5", ModelPrice(5.0, 25.0)),
        ("opus-4-8", ModelPrice(5.0, 25.0)),
        ("opus-4-7", ModelPrice(5.0, 25.0)),
        ("opus-4-6", ModelPrice(5.0, 25.0)),
        ("opus-4-5", ModelPrice(5.0, 25.0)),
        ("opus-4", ModelPrice(15.0, 75.0)),  # Opus 4 and 4.1
        ("claude-3-opus", ModelPrice(15.0, 75.0)),
        ("sonnet-5", ModelPrice(2.0, 10.0)),  # Sonnet 5 and 5.5
        ("sonnet", ModelPrice(3.0, 15.0)),  # Sonnet 3.5 to 4.6
        ("haiku-5-5", ModelPrice(0.10, 0.50)),  # prompts up to 100k tokens
        ("haiku-4-5", ModelPrice(1.0, 5.0)),
        ("claude-3-5-haiku", ModelPrice(0.80, 4.0)),
        ("claude-3-haiku", ModelPrice(0.25, 1.25)),
        ("haiku", ModelPrice(1.0, 5.0)),
    ]
)
