"""The MSD_musicnn tagger (Pons & Serra 2019) run in numpy from the TF checkpoint shipped with
the ``musicnn`` package. Layer for layer it follows ``musicnn/models.py`` (``build_musicnn`` with
``num_filt_midend=64, num_units_backend=200``) in inference mode.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tracktion.analysis.results import FloatArray
from tracktion.analysis.tf_checkpoint import read_checkpoint

N_FRAMES = 187
"""Frames per input patch (3 s at 16 kHz, hop 256), as musicnn was trained."""
N_MELS = 96
MSD_LABELS: tuple[str, ...] = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists",
    "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s", "chill",
    "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic", "experimental",
    "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country", "easy listening", "sexy",
    "catchy", "funk", "electro", "heavy metal", "Progressive rock", "60s", "rnb", "indie pop",
    "sad", "House", "happy",
)  # fmt: skip
_BN_EPSILON = 1e-3  # tf.compat.v1.layers.batch_normalization default
_CHUNK = 2  # patches per forward pass (bounds the im2col memory to ~50 MB)

Weights = dict[str, FloatArray]

_lock = threading.Lock()
_weights: Weights | None = None


def checkpoint_dir() -> Path:
    """Folder of the MSD_musicnn checkpoint inside the installed ``musicnn`` package."""
    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the musicnn package (MSD_musicnn checkpoint) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "MSD_musicnn"


def load_weights() -> Weights:
    """The model variables, read from the checkpoint once per process."""
    global _weights
    with _lock:
        if _weights is None:
            _weights = read_checkpoint(checkpoint_dir(), "", ("/Adam", "/Adam_1", "_power"))
        return _weights


def _bn(x: FloatArray, w: Weights, name: str) -> FloatArray:
    scale = w[f"{name}/gamma"] / np.sqrt(w[f"{name}/moving_variance"] + _BN_EPSILON)
    shift = w[f"{name}/beta"] - w[f"{name}/moving_mean"] * scale
    return np.asarray(x * scale + shift, dtype=np.float32)


def _relu(x: FloatArray) -> FloatArray:
    return np.maximum(x, np.float32(0.0))


def _pad_time(x: FloatArray, before: int, after: int) -> FloatArray:
    pad = [(0, 0)] * x.ndim
    pad[1] = (before, after)
    return np.pad(x, pad)


def _timbral(x: FloatArray, w: Weights, conv: str, bn: str) -> FloatArray:
    """Conv over 7 frames x part of the mel axis ('valid'), ReLU, BN, max over frequency."""
    kernel = w[f"{conv}/kernel"]  # (7, F, 1, C)
    kt, kf, _, c = kernel.shape
    windows = sliding_window_view(_pad_time(x, 3, 3), (kt, kf), axis=(1, 2))  # B,T,M',7,F
    b, t, m = windows.shape[:3]
    y = windows.reshape(-1, kt * kf) @ kernel.reshape(kt * kf, c) + w[f"{conv}/bias"]
    y = _bn(_relu(y), w, bn).reshape(b, t, m, c)
    return np.asarray(y.max(axis=2), dtype=np.float32)


def _temporal(x: FloatArray, w: Weights, conv: str, bn: str) -> FloatArray:
    """Conv over k frames x 1 mel band ('same'), ReLU, BN, max over frequency."""
    kernel = w[f"{conv}/kernel"]  # (k, 1, 1, C)
    k, c = kernel.shape[0], kernel.shape[3]
    before = (k - 1) // 2  # TF 'same': the extra pad goes after
    windows = sliding_window_view(_pad_time(x, before, k - 1 - before), k, axis=1)  # B,T,M,k
    b, t, m = windows.shape[:3]
    y = windows.reshape(-1, k) @ kernel.reshape(k, c) + w[f"{conv}/bias"]
    y = _bn(_relu(y), w, bn).reshape(b, t, m, c)
    return np.asarray(y.max(axis=2), dtype=np.float32)


def _dense_conv(x: FloatArray, w: Weights, conv: str, bn: str) -> FloatArray:
    """Conv over 7 frames x all features (time-padded 3+3), ReLU, BN: (B, T, D) -> (B, T, C)."""
    kernel = w[f"{conv}/kernel"]  # (7, D, 1, C)
    kt, d, _, c = kernel.shape
    windows = sliding_window_view(_pad_time(x, 3, 3), kt, axis=1)  # B,T,D,7
    b, t = windows.shape[:2]
    cols = windows.transpose(0, 1, 3, 2).reshape(-1, kt * d)
    y = cols @ kernel.reshape(kt * d, c) + w[f"{conv}/bias"]
    return _bn(_relu(y), w, bn).reshape(b, t, c)


def _forward(patches: FloatArray, w: Weights) -> FloatArray:
    x = _bn(patches, w, "batch_normalization")
    front = np.concatenate(
        [
            _timbral(x, w, "conv2d", "batch_normalization_1"),
            _timbral(x, w, "conv2d_1", "batch_normalization_2"),
            _temporal(x, w, "conv2d_2", "batch_normalization_3"),
            _temporal(x, w, "conv2d_3", "batch_normalization_4"),
            _temporal(x, w, "conv2d_4", "batch_normalization_5"),
        ],
        axis=2,
    )
    mid1 = _dense_conv(front, w, "conv2d_5", "batch_normalization_6")
    mid2 = _dense_conv(mid1, w, "conv2d_6", "batch_normalization_7") + mid1
    mid3 = _dense_conv(mid2, w, "conv2d_7", "batch_normalization_8") + mid2
    features = np.concatenate([front, mid1, mid2, mid3], axis=2)
    # tf.concat([max, mean], 2) then flatten interleaves: max0, mean0, max1, mean1, ...
    pooled = np.stack([features.max(axis=1), features.mean(axis=1)], axis=-1)
    flat = _bn(pooled.reshape(len(patches), -1), w, "batch_normalization_9")
    hidden = _bn(_relu(flat @ w["dense/kernel"] + w["dense/bias"]), w, "batch_normalization_10")
    logits = hidden @ w["dense_1/kernel"] + w["dense_1/bias"]
    return (1.0 / (1.0 + np.exp(-logits.astype(np.float64)))).astype(np.float32)


def predict(patches: FloatArray) -> FloatArray:
    """Tag probabilities, shape (patches, 50), for log-mel patches of shape (patches, 187, 96)."""
    if patches.ndim != 3 or patches.shape[1:] != (N_FRAMES, N_MELS):
        raise ValueError(f"expected (n, {N_FRAMES}, {N_MELS}) patches, got {patches.shape}")
    weights = load_weights()
    parts = [
        _forward(np.ascontiguousarray(patches[i : i + _CHUNK], dtype=np.float32), weights)
        for i in range(0, len(patches), _CHUNK)
    ]
    return np.concatenate(parts, axis=0) if parts else np.zeros((0, 50), np.float32)
