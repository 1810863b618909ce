"""MSD_musicnn numpy port: front-end, model outputs and the derived mood figures."""

from __future__ import annotations

import numpy as np
import pytest

from tracktion.analysis import musicnn_model, tagger
from tracktion.analysis.tagger import SAMPLE_RATE, tag_audio
from tracktion.core.analysis import Mood


def _square(seconds: float, freq: float = 110.0) -> np.ndarray:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return np.sign(np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_checkpoint_has_the_musicnn_layers() -> None:
    weights = musicnn_model.load_weights()
    assert weights["conv2d/kernel"].shape == (7, 38, 1, 204)
    assert weights["conv2d_5/kernel"].shape == (7, 561, 1, 64)
    assert weights["dense_1/kernel"].shape == (200, 50)
    assert not any(name.endswith("/Adam") for name in weights)
    assert musicnn_model.load_weights() is weights


def test_front_end_is_float32_and_finite_on_full_scale_square() -> None:
    power = tagger.mel_power(_square(7.0))
    log_spec = tagger.log_mel(power)
    assert log_spec.dtype == np.float32
    assert log_spec.shape == (1 + 7 * SAMPLE_RATE // tagger.HOP, musicnn_model.N_MELS)
    assert np.isfinite(log_spec).all()
    assert float(power.max()) > np.finfo(np.float16).max / 10000  # float16 would overflow
    patches = tagger.patches(log_spec)
    assert patches.shape == (2, musicnn_model.N_FRAMES, musicnn_model.N_MELS)


def test_short_input_is_repeat_padded_to_one_patch() -> None:
    patches = tagger.patches(tagger.log_mel(tagger.mel_power(_square(0.5))))
    assert patches.shape == (1, musicnn_model.N_FRAMES, musicnn_model.N_MELS)


def test_model_outputs_50_probabilities() -> None:
    log_spec = tagger.log_mel(tagger.mel_power(_square(6.5)))
    probs = musicnn_model.predict(tagger.patches(log_spec))
    assert probs.shape == (2, 50)
    assert np.isfinite(probs).all()
    assert ((probs >= 0) & (probs <= 1)).all()


def test_predict_rejects_wrong_patch_shape() -> None:
    with pytest.raises(ValueError, match="patches"):
        musicnn_model.predict(np.zeros((1, 100, 96), np.float32))


@pytest.mark.parametrize(
    "audio",
    [_square(4.0), np.zeros(SAMPLE_RATE * 4, np.float32), np.zeros(10, np.float32)],
    ids=["square", "silence", "tiny"],
)
def test_tag_estimate_ranges(audio: np.ndarray) -> None:
    result = tag_audio(audio)
    assert 0.0 <= result.valence <= 1.0
    assert 0.0 <= result.arousal <= 1.0
    assert 1 <= result.energy <= 10
    assert 0 < len(result.genres) <= tagger.TOP_K
    assert all(tag in tagger.GENRE_TAGS for tag, _ in result.genres)
    assert all(tag in tagger.MOOD_TAGS for tag, _ in result.moods)
    probs = [p for _, p in result.genres]
    assert probs == sorted(probs, reverse=True)
    tags = result.algorithms["msd_musicnn"]["tags"]
    assert list(tags) == list(musicnn_model.MSD_LABELS)
    assert all(0.0 <= p <= 1.0 for p in tags.values())


def test_every_mood_tag_is_a_mood_the_catalog_filters_by() -> None:
    assert {tag.lower() for tag in tagger.MOOD_TAGS} == {mood.value for mood in Mood}
