"""Prepares analysis worker processes; the runner's fork server imports this module once.

Everything done here is inherited by every worker forked from the server: essentia's start-up
chatter is silenced, the analysis modules are imported, the tempo path is exercised once
and the tagging model's weights are loaded, so no worker pays those seconds itself.
"""

import essentia

essentia.log.infoActive = False

import numpy as np  # noqa: E402 - essentia's logging must be configured before essentia.standard

from tracktion.analysis import analyzer, tagger  # noqa: E402
from tracktion.analysis.tempo import estimate_tempo  # noqa: E402


def _warm_up() -> None:
    rate = analyzer.ANALYSIS_RATE
    clicks = np.zeros(rate * 6, dtype=np.float32)
    for start in range(0, clicks.size - 200, rate // 2):
        clicks[start : start + 200] = np.hanning(200).astype(np.float32)
    estimate_tempo(clicks, rate)
    tagger.tag_audio(np.zeros(tagger.SAMPLE_RATE * 3, dtype=np.float32))


_warm_up()
