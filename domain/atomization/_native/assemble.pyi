from ..atomicity import AtomicityValidator
from ..context import ContextFacts
from ..decomposer import Segment
from ..model import Atom, AtomContext, AtomizationConfig
from ..parser import ParsedSource

def assemble(
    parsed: ParsedSource,
    config: AtomizationConfig,
    segments: list[Segment],
    contexts: list[tuple[AtomContext, ContextFacts]],
    validator: AtomicityValidator,
) -> tuple[Atom, ...]: ...
