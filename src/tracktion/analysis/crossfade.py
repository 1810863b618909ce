"""An equal-power crossfade fitted to the incoming track's share of a DJ mix, frame by frame.

The share is ``E_in / (E_in + E_out)``: the energy of the mix explained by the incoming track
over the total (see :mod:`tracktion.analysis.mix_matching`). An equal-power fade of length ``F``
starting at ``s`` gives the incoming track the gain ``sin(pi/2 * (t - s) / F)`` and the outgoing
one ``cos(...)``, so with loudness-matched tracks the share is ``sin^2(pi/2 * (t - s) / F)`` and
the incoming track becomes dominant (share 1/2) at ``s + F / 2``: the cue point. The fit is a
least-absolute-deviation grid search (coarse, then fine), so frames where the template does
not match the mix (another edit of the track, a drop the library file lacks) weigh little.
Tracks that are not loudness-matched or EQ'd fades move the half-share point: it is still the
moment the incoming track carries more of the mix than the outgoing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

Float64Array = npt.NDArray[np.float64]

MIN_FADE_S: Final = 0.5
"""Shortest fade tried (a cut is a fade this short)."""
MAX_FADE_S: Final = 40.0
"""Longest fade tried."""
_COARSE_STEP_S: Final = 0.25
_FINE_STEP_S: Final = 0.05
_SPREAD: Final = 1.25
"""Fits costing up to this factor of the best one bound :attr:`FadeFit.uncertainty_s`."""


@dataclass(frozen=True, slots=True)
class FadeFit:
    """The equal-power fade that best explains a share curve."""

    start_s: float
    length_s: float
    cost: float
    """Mean absolute deviation of the share from the fitted fade (0 perfect, 0.5 useless)."""
    uncertainty_s: float
    """Half the range of midpoints whose fits cost at most 25 % more than the best."""

    @property
    def dominant_s(self) -> float:
        """The middle of the fade: the incoming track becomes dominant."""
        return self.start_s + self.length_s / 2


def equal_power_share(times: Float64Array, start_s: float, length_s: float) -> Float64Array:
    """The incoming track's energy share at ``times`` during an equal-power fade."""
    phase = np.clip((times - start_s) / length_s, 0.0, 1.0)
    return np.sin(np.pi / 2 * phase) ** 2


def _costs(
    times: Float64Array,
    share: Float64Array,
    weight: Float64Array,
    mids: Float64Array,
    length: float,
) -> Float64Array:
    """Weighted mean absolute deviation for each midpoint in ``mids`` at one fade length."""
    phase = np.clip((times[None, :] - mids[:, None]) / length + 0.5, 0.0, 1.0)
    model = np.sin(np.pi / 2 * phase) ** 2
    deviation = np.abs(share[None, :] - model) @ weight
    return np.asarray(deviation / weight.sum(), dtype=np.float64)


def _grid(
    times: Float64Array,
    share: Float64Array,
    weight: Float64Array,
    mids: Float64Array,
    lengths: Float64Array,
) -> Float64Array:
    """Costs on the grid, shape (len(lengths), len(mids))."""
    return np.stack([_costs(times, share, weight, mids, length) for length in lengths])


def fit_fade(
    times: Float64Array,
    share: Float64Array,
    weight: Float64Array,
    *,
    lo_s: float,
    hi_s: float,
) -> FadeFit | None:
    """Fit an equal-power fade whose midpoint lies in ``[lo_s, hi_s]``; None without data.

    ``weight`` says how much each frame counts (0 where the incoming track's template does not
    cover the mix).
    """
    used = weight > 0
    if used.sum() < 4 or hi_s <= lo_s:
        return None
    times, share, weight = times[used], share[used], weight[used]
    step = max(_COARSE_STEP_S, float(np.median(np.diff(times))) if len(times) > 1 else 0.0)
    mids = np.arange(lo_s, hi_s + step, step)
    lengths = np.geomspace(MIN_FADE_S, MAX_FADE_S, 40)
    coarse = _grid(times, share, weight, mids, lengths)
    li, mi = (int(i) for i in np.unravel_index(int(np.argmin(coarse)), coarse.shape))
    fine_mids = np.arange(mids[mi] - step, mids[mi] + step + 1e-9, _FINE_STEP_S)
    low, high = lengths[max(0, li - 1)], lengths[min(len(lengths) - 1, li + 1)]
    fine_lengths = np.linspace(low, high, 9)
    fine = _grid(times, share, weight, fine_mids, fine_lengths)
    fli, fmi = (int(i) for i in np.unravel_index(int(np.argmin(fine)), fine.shape))
    best = float(fine[fli, fmi])
    plausible = mids[(coarse <= best * _SPREAD + 1e-3).any(axis=0)]
    uncertainty = float(plausible.max() - plausible.min()) / 2 if len(plausible) else step
    length = float(fine_lengths[fli])
    return FadeFit(
        start_s=float(fine_mids[fmi]) - length / 2,
        length_s=length,
        cost=best,
        uncertainty_s=max(uncertainty, _FINE_STEP_S),
    )
