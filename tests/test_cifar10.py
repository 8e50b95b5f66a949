"""CIFAR-10 from local python batches: shapes, labels, the split, and the messages when absent or wrong."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from simcim.training.datasets import CIFAR_FILES, DatasetError, load_dataset  # noqa: E402


def _write_batches(folder: Path, per_batch: int = 6) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for k, name in enumerate(CIFAR_FILES):
        data = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        data[0, :1024] = 255  # image 0: red plane full, green and blue as drawn
        labels = [(k + i) % 10 for i in range(per_batch)]
        with open(folder / name, "wb") as fh:
            pickle.dump({b"batch_label": name.encode(), b"labels": labels, b"data": data}, fh)


def test_cifar10_batches_load(tmp_path) -> None:
    _write_batches(tmp_path / "cifar-10-batches-py")
    data = load_dataset("cifar10", (3, 32, 32), 10, 0, tmp_path)  # the folder above cifar-10-batches-py
    assert data.x_train.shape == (30, 3, 32, 32) and data.x_test.shape == (6, 3, 32, 32)
    assert data.y_train.tolist()[:6] == [0, 1, 2, 3, 4, 5] and data.y_test.tolist() == [5, 6, 7, 8, 9, 0]
    assert torch.all(data.x_train[0, 0] == 1.0)  # rows are R, G, B planes of 32 x 32, scaled to [0, 1]
    assert float(data.x_train.max()) <= 1.0 and float(data.x_train.min()) >= 0.0
    small = load_dataset("cifar10", (3, 16, 16), 10, 0, tmp_path / "cifar-10-batches-py")
    assert small.x_train.shape == (30, 3, 16, 16)


def test_cifar10_absent_says_where_to_put_it(tmp_path) -> None:
    with pytest.raises(DatasetError, match=r"cifar10: missing data_batch_1, .* unpack it into ~/data/cifar10"):
        load_dataset("cifar10", (3, 32, 32), 10, 0, tmp_path)


def test_cifar10_pickle_that_runs_code_is_refused(tmp_path) -> None:
    _write_batches(tmp_path)

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    (tmp_path / "test_batch").write_bytes(pickle.dumps({b"data": Evil(), b"labels": []}))
    with pytest.raises(DatasetError, match="builtins.print is not part of a CIFAR-10 batch"):
        load_dataset("cifar10", (3, 32, 32), 10, 0, tmp_path)


def test_cifar10_needs_a_colour_map_input(tmp_path) -> None:
    _write_batches(tmp_path)
    with pytest.raises(DatasetError, match=r"give \[3, H, W\]"):
        load_dataset("cifar10", (784,), 10, 0, tmp_path)
