"""The final_lr finder: an LR range test of SGD with momentum beta1 and dampening beta1 (exactly
AdaBound's late phase) whose rate grows geometrically, on a landscape from the lab's start points or
on the real network from several seeds at once; the suggestion and its rule come from
:mod:`optim_core.finder`, which both share."""

from __future__ import annotations

from optim_core import finder as core

from .lab import resolve, start_points

FinderResult = core.FinderResult
LANDSCAPE_STARTS = 7  # the default start and this many random ones: the band over runs
NETWORK_LR_MAX = 100.0  # the digits network does not diverge below 10 at dampening 0.9
NETWORK_STEPS = 350


def landscape_finder(problem_key: str, beta1: float, seed: int = 0, steps: int = core.STEPS) -> FinderResult:
    """The range test on a landscape, from its default start and ``LANDSCAPE_STARTS`` random ones."""
    problem = resolve(problem_key)
    x0 = start_points(problem, LANDSCAPE_STARTS, seed)
    return core.range_test(problem, x0, steps=steps, momentum=beta1, dampening=beta1)


def network_spec(model: str, hidden: int, batch_size: int, raw_inputs: bool, seeds: int, beta1: float):
    """The range test's spec on the page's network (imports torch)."""
    from nets.finder import FinderSpec

    return FinderSpec(model=model, hidden=hidden, batch_size=batch_size, raw_inputs=raw_inputs,
                      seeds=tuple(range(seeds)), steps=NETWORK_STEPS, lr_max=NETWORK_LR_MAX,
                      momentum=beta1, dampening=beta1)


def network_finder(spec) -> FinderResult:
    from nets.finder import find_lr

    return find_lr(spec)
