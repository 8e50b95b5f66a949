"""Output files (issue 12): checked before the work starts, one-line errors, written through symlinks,
to '-' (standard output) and to special files without replacing them; `--json ""` is an error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helpers_trace import hand_events, write_lines
from simcim.atomic import atomic_open, check_output_file, write_text_atomic
from simcim.cli import main
from simcim.errors import UserError
from test_results import make_db

FAST = ["--set", "workload.batch_size=2", "--quiet"]
LONG_NAME = "n" * 300 + ".json"
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def one_line_error(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("simcim: error: "), err
    return err


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if a command gets as far as simulating or training."""
    def boom(*a, **k):
        raise AssertionError("the output should have been checked before simulating")

    # `run` imports these when it gets to simulating (lazily, for a fast start).
    monkeypatch.setattr("simcim.simulation.run_simulation", boom)
    monkeypatch.setattr("simcim.trace.simulate_traced", boom)
    monkeypatch.setattr("simcim.study.simulate", boom, raising=False)


def _bad_paths(tmp_path: Path) -> dict[str, tuple[str, str]]:
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    return {
        "empty": ("", "an empty path"),
        "folder": (str(tmp_path / "a-folder"), "is a folder"),
        "long name": (str(tmp_path / LONG_NAME), "305 bytes long; file systems allow 255"),
        "parent is a file": (str(tmp_path / "a-file" / "x.json"), "is not a folder"),
    }


@pytest.mark.parametrize("case", ["empty", "folder", "long name", "parent is a file"])
@pytest.mark.parametrize("option", ["--json", "--trace"])
def test_run_outputs_checked_before_simulating(tmp_path, capsys, no_simulation, case, option) -> None:
    path, message = _bad_paths(tmp_path)[case]
    err = one_line_error(capsys, ["run", *FAST, option, path])
    assert option in err and message in err


@pytest.mark.parametrize("case", ["empty", "folder", "long name", "parent is a file"])
def test_trace_summary_json_checked(tmp_path, capsys, case) -> None:
    trace = write_lines(tmp_path / "t.json", hand_events())
    path, message = _bad_paths(tmp_path)[case]
    err = one_line_error(capsys, ["trace", "summary", str(trace), "--json", path])
    assert message in err


@pytest.mark.parametrize("option", ["--csv", "--plot"])
@pytest.mark.parametrize("case", ["empty", "folder", "long name", "parent is a file"])
def test_results_outputs_checked(tmp_path, capsys, option, case) -> None:
    db = make_db(tmp_path / "r.db")
    path, message = _bad_paths(tmp_path)[case]
    err = one_line_error(capsys, ["results", str(db), option, path])
    assert option in err and message in err


def test_compare_out_checked_before_simulating(tmp_path, capsys, no_simulation) -> None:
    (tmp_path / "a-file").write_text("x")
    err = one_line_error(capsys, ["compare", "neurosim-fefet-22nm", "mlp2-bp", "--out", str(tmp_path / "a-file")])
    assert "exists and is not a folder" in err
    err = one_line_error(capsys, ["compare", "neurosim-fefet-22nm", "mlp2-bp", "--out", str(tmp_path / LONG_NAME)])
    assert "305 bytes long" in err


def test_train_out_checked_before_training(tmp_path, capsys, monkeypatch) -> None:
    pytest.importorskip("torch")

    def boom(*a, **k):
        raise AssertionError("checked too late")

    monkeypatch.setattr("simcim.training.trainer.train", boom)
    (tmp_path / "a-file").write_text("x")
    err = one_line_error(capsys, ["train", "neurosim-fefet-22nm", "mlp2-bp", "--out", str(tmp_path / "a-file")])
    assert "--out" in err and "exists and is not a folder" in err


@pytest.mark.skipif(ROOT_USER, reason="root may write anywhere; permissions cannot be tested")
def test_unwritable_folder(tmp_path, capsys, no_simulation) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        err = one_line_error(capsys, ["run", *FAST, "--json", str(ro / "x.json")])
        assert "permission denied" in err
    finally:
        ro.chmod(0o755)


def test_folder_denied_by_the_os_is_refused_before_simulating(tmp_path, capsys, no_simulation, monkeypatch) -> None:
    """The same check where permissions cannot be set up (as root): the OS says no for this folder."""
    ro = tmp_path / "ro"
    ro.mkdir()
    real_access = os.access

    def access(path, mode, *a, **k):
        if Path(path) == ro and mode & os.W_OK:
            return False
        return real_access(path, mode, *a, **k)

    monkeypatch.setattr("simcim.atomic.os.access", access)
    err = one_line_error(capsys, ["run", *FAST, "--json", str(ro / "x.json")])
    assert "--json" in err and "permission denied" in err and str(ro) in err


def test_symlink_written_through_to_its_target(tmp_path) -> None:
    target = tmp_path / "target.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    assert main(["run", *FAST, "--json", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == target.name
    assert json.loads(target.read_text())["workload"] == "mlp5-dfa"


def test_dangling_symlink_creates_its_target(tmp_path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    write_text_atomic(link, "new\n")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "new\n"


def test_dash_is_standard_output(capsys) -> None:
    assert main(["run", "--set", "workload.batch_size=2", "--json", "-"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["workload"] == "mlp5-dfa"  # only the JSON: the tables are left out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_written_in_place_not_replaced(tmp_path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_text_atomic(fifo, "through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"]
    assert fifo.exists() and not fifo.is_file()  # still a FIFO
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temp file left


def test_character_device_written_in_place() -> None:
    check_output_file("/dev/null", "--json")
    write_text_atomic("/dev/null", "discarded\n")
    assert Path("/dev/null").exists() and not Path("/dev/null").is_file()


def test_failed_write_keeps_old_file(tmp_path) -> None:
    path = tmp_path / "keep.json"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(path) as fh:
            fh.write("half")
            raise RuntimeError("crash")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_os_error_while_writing_is_a_user_error(tmp_path) -> None:
    with pytest.raises(UserError, match="cannot write"):
        write_text_atomic(tmp_path / "a" / ("x" * 300), "x")


def test_dev_stdout_into_a_pipe(tmp_path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "simcim.cli", "run", *FAST, "--json", "/dev/stdout"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["workload"] == "mlp5-dfa"


def test_summary_json_to_stdout_alone(tmp_path, capsys) -> None:
    trace = write_lines(tmp_path / "t.json", hand_events())
    assert main(["trace", "summary", str(trace), "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["makespan_ps"] == 300


def test_only_one_output_on_stdout(capsys) -> None:
    err = one_line_error(capsys, ["run", *FAST, "--json", "-", "--trace", "-"])
    assert "only one output can go to standard output" in err
