"""Datasets for `simcim train`: bundled digits, MNIST / Fashion-MNIST from IDX files, synthetic.

Every set comes back as float images in [0, 1] shaped to the workload's input, one-hot-able
integer labels, and a seeded train/test split.

digits: scikit-learn's 1,797 8x8 handwritten digits (bundled, no download). Pixels 0..16 are
scaled to [0, 1] and the 8x8 image is resized bilinearly (torch interpolate, align_corners=False)
to the workload's input: a flat input of n = s*s features becomes an s x s image (784 -> 28 x 28,
the MNIST size the study's MLP expects), a (C, H, W) input becomes H x W repeated over C channels.
Split: 80 % train / 20 % test, stratified, seeded.

cifar10: the CIFAR-10 "python version" (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html):
the folder cifar-10-batches-py with data_batch_1..5 (50,000 training images) and test_batch
(10,000), each a pickled dict of uint8 rows (R, G and B planes of 32 x 32) and labels. Read with
an unpickler that builds only numpy arrays (a pickle can run code; these files need none).
"""

from __future__ import annotations

import gzip
import math
import pickle
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10", "synthetic")
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


class DatasetError(Exception):
    """A dataset that cannot be loaded for a reason the user can fix (missing files, bad shape)."""


@dataclass(frozen=True)
class Dataset:
    name: str
    x_train: Tensor  # (N, *input_shape), float32 in [0, 1]
    y_train: Tensor  # (N,), int64
    x_test: Tensor
    y_test: Tensor
    classes: int


def _resize(images: Tensor, input_shape: tuple[int, ...]) -> Tensor:
    """(N, H0, W0) images in [0, 1] -> (N, *input_shape), bilinear."""
    if len(input_shape) == 1:
        side = math.isqrt(input_shape[0])
        if side * side != input_shape[0]:
            raise DatasetError(f"image datasets need a square input size (e.g. 784 = 28x28) "
                               f"or [C, H, W]; the workload's input_shape is {list(input_shape)}")
        channels, size = 1, (side, side)
    elif len(input_shape) == 3:
        channels, size = input_shape[0], (input_shape[1], input_shape[2])
    else:
        raise DatasetError(f"image datasets need input_shape [n] or [C, H, W], got {list(input_shape)}")
    x = images.unsqueeze(1)
    if tuple(x.shape[-2:]) != size:
        x = F.interpolate(x, size=size, mode="bilinear", align_corners=False).clamp(0, 1)
    x = x.expand(-1, channels, -1, -1)
    return x.reshape(x.shape[0], *input_shape).contiguous()


def _split(x: Tensor, y: Tensor, seed: int, test_fraction: float = 0.2
           ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Seeded stratified split (each class keeps its share in both halves)."""
    rng = np.random.default_rng(seed)
    labels = y.numpy()
    test_idx: list[int] = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        test_idx.extend(idx[: int(round(len(idx) * test_fraction))].tolist())
    mask = np.ones(len(labels), dtype=bool)
    mask[test_idx] = False
    tr = torch.from_numpy(np.flatnonzero(mask))
    te = torch.from_numpy(np.sort(np.array(test_idx)))
    return x[tr], y[tr], x[te], y[te]


def load_digits(input_shape: tuple[int, ...], seed: int) -> Dataset:
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0)  # pixels are 0..16
    labels = torch.from_numpy(bunch.target.astype(np.int64))
    x = _resize(images, input_shape)
    return Dataset("digits", *_split(x, labels, seed), classes=10)


def _find_idx(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def _read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file (LeCun's MNIST format): magic, dims (big-endian uint32), uint8 data."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        data = fh.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DatasetError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise DatasetError(f"{path}: expected {int(np.prod(dims))} values, found {body.size}")
    return body.reshape(dims)


def load_idx(name: str, folder: Path, input_shape: tuple[int, ...]) -> Dataset:
    """MNIST / Fashion-MNIST from the four IDX files (the files' own train/test split)."""
    paths = [_find_idx(folder, stem) for stem in IDX_FILES]
    if any(p is None for p in paths):
        missing = [stem for stem, p in zip(IDX_FILES, paths) if p is None]
        raise DatasetError(f"{name}: missing IDX files in {folder}: expected "
                           f"{', '.join(s + '[.gz]' for s in IDX_FILES)} (missing: {', '.join(missing)})")
    arrays = [_read_idx(p) for p in paths if p is not None]
    xs = [_resize(torch.from_numpy(a.astype(np.float32) / 255.0), input_shape) for a in arrays[0::2]]
    ys = [torch.from_numpy(a.astype(np.int64)) for a in arrays[1::2]]
    return Dataset(name, xs[0], ys[0], xs[1], ys[1], classes=10)


# Where IDX files are looked for without --data-dir, in order: the user's ~/data/NAME, then
# Debian's data packages (`apt install dataset-fashion-mnist` puts the four .gz files there).
SYSTEM_DATA_DIR = Path("/usr/share/datasets")


def idx_folder(name: str, data_dir: str | Path | None) -> Path:
    """``data_dir`` if given, else the first of ~/data/NAME and /usr/share/datasets/NAME holding
    the four files (~/data/NAME when neither does, so the error names the usual place)."""
    if data_dir:
        return Path(data_dir).expanduser()
    candidates = [Path.home() / "data" / name, SYSTEM_DATA_DIR / name]
    for folder in candidates:
        if all(_find_idx(folder, stem) for stem in IDX_FILES):
            return folder
    return candidates[0]


CIFAR_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)


class _ArraysOnly(pickle.Unpickler):
    """Unpickles the CIFAR batches' dicts, lists, bytes and numpy arrays, and nothing else."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype")}

    def find_class(self, module: str, name: str):  # noqa: ANN201 - pickle's signature
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a CIFAR-10 batch")


def cifar_folder(data_dir: str | Path | None) -> Path:
    """``data_dir`` (or ~/data/cifar10), or its cifar-10-batches-py subfolder if the batches are there."""
    base = Path(data_dir).expanduser() if data_dir else Path.home() / "data" / "cifar10"
    inner = base / "cifar-10-batches-py"
    return inner if (inner / "data_batch_1").is_file() else base


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with open(path, "rb") as fh:
            batch = _ArraysOnly(fh, encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
    except (pickle.UnpicklingError, KeyError, TypeError, ValueError, EOFError) as exc:
        raise DatasetError(f"{path}: not a CIFAR-10 python batch ({exc})") from None
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != data.shape[0]:
        raise DatasetError(f"{path}: expected N x 3072 pixel rows and N labels, got {data.shape} and {len(labels)}")
    return data, labels


def load_cifar10(folder: Path, input_shape: tuple[int, ...]) -> Dataset:
    """CIFAR-10 from its python batches in ``folder`` (the files' own train/test split)."""
    missing = [f for f in CIFAR_FILES if not (folder / f).is_file()]
    if missing:
        raise DatasetError(f"cifar10: missing {', '.join(missing)} in {folder}: download the CIFAR-10 python "
                           "version (cifar-10-python.tar.gz, https://www.cs.toronto.edu/~kriz/cifar.html) and "
                           "unpack it into ~/data/cifar10 (or pass --data-dir to the folder holding "
                           "cifar-10-batches-py)")
    if len(input_shape) != 3 or input_shape[0] != 3:
        raise DatasetError(f"cifar10 images are 3 x 32 x 32; the workload's input_shape is {list(input_shape)} "
                           "(give [3, H, W])")
    parts = [_read_cifar_batch(folder / f) for f in CIFAR_FILES]

    def images(rows: list[np.ndarray]) -> Tensor:
        x = torch.from_numpy(np.concatenate(rows).astype(np.float32) / 255.0).reshape(-1, 3, 32, 32)
        if tuple(x.shape[-2:]) != tuple(input_shape[1:]):
            x = F.interpolate(x, size=tuple(input_shape[1:]), mode="bilinear", align_corners=False).clamp(0, 1)
        return x.contiguous()

    x_train = images([d for d, _ in parts[:5]])
    y_train = torch.from_numpy(np.concatenate([y for _, y in parts[:5]]))
    x_test, y_test = images([parts[5][0]]), torch.from_numpy(parts[5][1])
    return Dataset("cifar10", x_train, y_train, x_test, y_test, classes=10)


def load_synthetic(input_shape: tuple[int, ...], classes: int, seed: int,
                   train: int = 480, test: int = 160) -> Dataset:
    """Small seeded set: one random [0, 1] prototype per class plus Gaussian noise (sigma 0.25)."""
    g = torch.Generator().manual_seed(seed + 7919)  # offset: independent of the weights' stream
    protos = torch.rand((classes, *input_shape), generator=g)
    n = train + test
    labels = torch.arange(n) % classes
    labels = labels[torch.randperm(n, generator=g)]
    noise = 0.25 * torch.randn((n, *input_shape), generator=g)
    x = (protos[labels] + noise).clamp(0, 1)
    return Dataset("synthetic", x[:train], labels[:train], x[train:], labels[train:], classes)


def load_dataset(name: str, input_shape: tuple[int, ...], classes: int, seed: int,
                 data_dir: str | Path | None = None) -> Dataset:
    if name == "digits":
        data = load_digits(input_shape, seed)
    elif name == "synthetic":
        return load_synthetic(input_shape, classes, seed)
    elif name in ("mnist", "fashion-mnist"):
        data = load_idx(name, idx_folder(name, data_dir), input_shape)
    elif name == "cifar10":
        data = load_cifar10(cifar_folder(data_dir), input_shape)
    else:
        raise DatasetError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    if classes != data.classes:
        raise DatasetError(f"{name} has {data.classes} classes but the network has {classes} outputs")
    return data
