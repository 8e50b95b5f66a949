"""IDX loading (MNIST / Fashion-MNIST format) and where the files are looked for."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from simcim.training import datasets
from simcim.training.datasets import IDX_FILES, DatasetError, idx_folder, load_dataset


def _write_idx(folder: Path, train: int = 30, test: int = 10, gz: bool = True) -> np.ndarray:
    """Four tiny IDX files: 28x28 images whose pixel (0, 0) is the label * 20, labels 0..9 cycling."""
    folder.mkdir(parents=True, exist_ok=True)
    images = {}
    for stem, n in zip(IDX_FILES, (train, train, test, test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        if "images" in stem:
            data = np.zeros((n, 28, 28), np.uint8)
            data[:, 0, 0] = labels * 20
            header = struct.pack(">BBBB3I", 0, 0, 8, 3, n, 28, 28)
            images[stem] = data
        else:
            data = labels
            header = struct.pack(">BBBBI", 0, 0, 8, 1, n)
        raw = header + data.tobytes()
        (folder / (stem + ".gz")).write_bytes(gzip.compress(raw)) if gz else (folder / stem).write_bytes(raw)
    return images["train-images-idx3-ubyte"]


@pytest.mark.parametrize("gz", [True, False])
def test_idx_files_load_with_their_own_split(tmp_path: Path, gz: bool) -> None:
    _write_idx(tmp_path, gz=gz)
    data = load_dataset("fashion-mnist", (784,), 10, seed=0, data_dir=tmp_path)
    assert data.x_train.shape == (30, 784) and data.x_test.shape == (10, 784)
    assert data.y_train.tolist() == [i % 10 for i in range(30)]
    # pixel (0, 0) = label * 20 / 255, the rest 0: values in [0, 1], no resize at 28x28
    assert np.allclose(data.x_train[:, 0].numpy(), data.y_train.numpy() * 20 / 255, atol=1e-6)
    assert float(data.x_train[:, 1:].abs().max()) == 0.0


def test_truncated_idx_file_is_a_dataset_error(tmp_path: Path) -> None:
    _write_idx(tmp_path, gz=False)
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(DatasetError, match="expected 10 values, found 7"):
        load_dataset("mnist", (784,), 10, seed=0, data_dir=tmp_path)


def test_files_are_found_in_home_then_in_debians_data_folder(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    home, system = tmp_path / "home", tmp_path / "system"
    monkeypatch.setattr(Path, "home", staticmethod(lambda: home))
    monkeypatch.setattr(datasets, "SYSTEM_DATA_DIR", system)
    assert idx_folder("fashion-mnist", None) == home / "data" / "fashion-mnist"  # neither: the usual place
    _write_idx(system / "fashion-mnist")
    assert idx_folder("fashion-mnist", None) == system / "fashion-mnist"
    _write_idx(home / "data" / "fashion-mnist")
    assert idx_folder("fashion-mnist", None) == home / "data" / "fashion-mnist"
    assert idx_folder("fashion-mnist", str(tmp_path)) == tmp_path  # --data-dir wins
