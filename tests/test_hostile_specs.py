"""Hostile and broken spec files (issue 12): every one ends in one line naming file and line, exit 2,
never a traceback, a hang or a blow-up; size fields have bounds with reasons; what a spec asks for
is checked to fit before anything is built."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from helpers_spine import ROOT
from simcim.cli import main
from simcim.spec.yamlload import MAX_ALIASES, MAX_DEPTH, MAX_NODES

ARCH = ROOT / "architectures" / "neurosim-fefet-22nm.yaml"
WORKLOAD = ROOT / "workloads" / "mlp5-dfa.yaml"
VGG_DFA = ROOT / "workloads" / "vgg8-cifar10-dfa.yaml"


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    """Exit status and the one stderr line of a run that must fail."""
    code = main(["run", *argv, "--quiet"])
    err = capsys.readouterr().err
    return code, err


def bad_arch(tmp_path: Path, capsys, content: bytes) -> str:
    """Run the CLI on an architecture file with ``content``; it must fail with exactly one line."""
    path = tmp_path / "chip.yaml"
    path.write_bytes(content)
    t0 = time.monotonic()
    code, err = run_cli(capsys, str(path), str(WORKLOAD))
    assert time.monotonic() - t0 < 5, "a bad file must be refused quickly"
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"simcim: error: {path}"), err
    return lines[0]


# --- the YAML loader -------------------------------------------------------------------------------

def test_key_without_value_is_named_as_missing(tmp_path, capsys) -> None:
    line = bad_arch(tmp_path, capsys, b"name: x\ntechnology:\n")
    assert line.endswith("chip.yaml:2: technology: the key has no value (give one, or delete the key to take the default)")


@pytest.mark.parametrize("content", [b"---\n", b"...\n", b"", b"# only a comment\n", b"--- \n...\n"])
def test_empty_document_is_empty_file(tmp_path, capsys, content) -> None:
    assert "file is empty (no keys)" in bad_arch(tmp_path, capsys, content)


def test_two_documents_refused(tmp_path, capsys) -> None:
    assert "chip.yaml:2: more than one YAML document" in bad_arch(tmp_path, capsys, b"name: x\n---\nname: y\n")


def test_not_utf8_names_the_byte(tmp_path, capsys) -> None:
    assert bad_arch(tmp_path, capsys, b"name: x\nfoo: \xff\n").endswith("chip.yaml:2: not UTF-8 at byte 13")


def test_utf16_file_refused(tmp_path, capsys) -> None:
    assert "not UTF-8 (a UTF-16 byte-order mark)" in bad_arch(tmp_path, capsys, "name: x\n".encode("utf-16"))


def test_utf8_bom_accepted(tmp_path) -> None:
    from simcim.spec.yamlload import load_yaml_with_lines

    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert load_yaml_with_lines(path)[0] == {"name": "x"}


def test_control_character_refused(tmp_path, capsys) -> None:
    assert bad_arch(tmp_path, capsys, b"name: x\nfoo: a\x01b\n").endswith(
        "chip.yaml:2: control character U+0001 is not allowed in YAML")


@pytest.mark.parametrize("tag", ["!custom x", "!!set {a, b}", "!!python/name:os.system x",
                                 "!!python/object/apply:os.system ['true']", "!!str 5", "!!binary aGk="])
def test_every_tag_refused_with_line(tmp_path, capsys, tag) -> None:
    line = bad_arch(tmp_path, capsys, f"name: x\nfoo: {tag}\n".encode())
    assert "chip.yaml:2: foo: YAML tags are not allowed" in line


def test_recursive_alias_refused(tmp_path, capsys) -> None:
    line = bad_arch(tmp_path, capsys, b"name: x\nfoo: &r [*r]\n")
    assert "chip.yaml:2:" in line and "alias *r refers to a value that contains it (recursive)" in line


def test_alias_bomb_stops_before_expanding(tmp_path, capsys) -> None:
    # 1.5 KB that would expand to 10^6 values (the bomb): refused within the limit, in milliseconds.
    rows = ["name: x", "a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 6)]
    line = bad_arch(tmp_path, capsys, "\n".join(rows).encode())
    assert f"more than {MAX_NODES:,} values (with aliases expanded)" in line


def test_many_aliases_refused(tmp_path, capsys) -> None:
    text = "name: x\nb: &b 1\nc: [" + ", ".join(["*b"] * (MAX_ALIASES + 1)) + "]\n"
    assert f"more than {MAX_ALIASES} aliases" in bad_arch(tmp_path, capsys, text.encode())


def test_few_aliases_still_work(tmp_path) -> None:
    from simcim.spec.yamlload import load_yaml_with_lines

    path = tmp_path / "ok.yaml"
    path.write_text("a: &p {x: 1}\nb: *p\nc: [*p, *p]\n")
    assert load_yaml_with_lines(path)[0] == {"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 1}]}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 100_000])
def test_deep_nesting_refused(tmp_path, capsys, depth) -> None:
    line = bad_arch(tmp_path, capsys, b"name: x\nfoo: " + b"[" * depth + b"]" * depth + b"\n")
    assert f"nested deeper than {MAX_DEPTH} levels" in line


def test_duplicate_key_refused(tmp_path, capsys) -> None:
    assert bad_arch(tmp_path, capsys, b"name: x\nname: y\n").endswith("chip.yaml:2: name: duplicate key (the earlier value would be ignored)")


def test_non_scalar_key_refused(tmp_path, capsys) -> None:
    assert "a key must be a plain word" in bad_arch(tmp_path, capsys, b"? [a]\n: 1\n")


def test_huge_file_refused_without_reading_it(tmp_path, capsys) -> None:
    assert "larger than 4 MiB" in bad_arch(tmp_path, capsys, b"name: " + b"9" * (5 << 20) + b"\n")


def test_huge_integer_message_stays_short(tmp_path, capsys) -> None:
    line = bad_arch(tmp_path, capsys, b"name: x\nchip: {tiles: " + b"9" * 4000 + b"}\n")
    assert "chip.tiles:" in line and len(line) < 400


def test_folder_as_spec(tmp_path, capsys) -> None:
    code, err = run_cli(capsys, str(tmp_path), str(WORKLOAD))
    assert code == 2 and err.strip().endswith("is a folder, not a YAML file")


@pytest.mark.parametrize("value, message", [
    ("!custom x", "--set arch.chip.tiles:1: YAML tags are not allowed (!custom)"),
    ("&r [*r]", "--set arch.chip.tiles:1: [0]: alias *r refers to a value that contains it (recursive)"),
    ("[1", "--set arch.chip.tiles:1: invalid YAML"),
    ("\x01", "--set arch.chip.tiles:1: control character U+0001"),
])
def test_set_values_go_through_the_same_loader(capsys, value, message) -> None:
    code, err = run_cli(capsys, "--set", f"arch.chip.tiles={value}")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


# --- bounds and fits ---------------------------------------------------------------------------------

@pytest.mark.parametrize("override, key, reason", [
    ("arch.chip.tiles=1000000000000000000000000000000", "chip.tiles", "beyond any CIM chip built"),
    ("arch.chip.tiles=1000000", "chip.tiles", "beyond any CIM chip built"),
    ("workload.input_shape=[1000000000000000000000000000000]", "input_shape[0]", "per dimension"),
    ("workload.input_shape=[10000, 10000]", "input_shape", "values per image"),
    ("workload.batch_size=1000000", "batch_size", "images per batch"),
    ("workload.seed=99999999999", "seed", "32-bit unsigned"),
    ("workload.name=" + "n" * 300, "name", "names become titles and file names"),
])
def test_size_fields_bounded_with_reason(capsys, override, key, reason) -> None:
    t0 = time.monotonic()
    code, err = run_cli(capsys, "--set", override)
    assert time.monotonic() - t0 < 5
    assert code == 2 and f": {key}: " in err and reason in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("override", ["arch.chip.tiles=true", "workload.batch_size=yes",
                                      "arch.technology.clock_ghz=true", "workload.epochs=off"])
def test_yaml_boolean_is_not_a_number(capsys, override) -> None:
    code, err = run_cli(capsys, "--set", override)
    assert code == 2 and "expected a number, not the YAML boolean" in err, err


def test_classes_must_match_last_layer(capsys) -> None:
    code, err = run_cli(capsys, str(ARCH), str(VGG_DFA), "--set", "workload.classes=1048576")
    assert code == 2
    assert f"{VGG_DFA}:" in err and "classes: 1048576 classes, but the last layer has 10 outputs" in err
    assert main(["run", str(ARCH), str(WORKLOAD), "--set", "workload.classes=10",
                 "--set", "workload.batch_size=2", "--quiet"]) == 0


def test_classes_checked_for_specs_built_in_python() -> None:
    import simcim
    from simcim.errors import SpecError

    wl = simcim.load_workload("mlp3-dfa").model_copy(update={"classes": 7})
    with pytest.raises(SpecError, match="classes"):
        simcim.simulate(simcim.load_architecture("neurosim-fefet-22nm"), wl)


def test_tiles_that_do_not_fit_refused_before_building(capsys) -> None:
    # 8x8 one-bit subarrays, one per PE and tile: the network needs thousands of tiles.
    t0 = time.monotonic()
    code, err = run_cli(capsys, "--set", "arch.subarray.rows=8", "--set", "arch.subarray.cols=8",
                        "--set", "arch.device.bits_per_cell=1", "--set", "arch.pe.subarrays=1", "--set", "arch.tile.pes=1")
    assert time.monotonic() - t0 < 5
    assert code == 2 and "chip.tiles: the network needs 5,968 tiles for rule dfa; a chip has at most 4096" in err


def test_task_count_checked_before_building(capsys) -> None:
    t0 = time.monotonic()
    code, err = run_cli(capsys, str(ARCH), str(ROOT / "workloads" / "mlp8-bp.yaml"), "--set", "workload.batch_size=65536")
    assert time.monotonic() - t0 < 5
    assert code == 2 and "batch_size: one iteration would be up to 1,572,872 tasks" in err


# --- found by the fuzzer (tests/fuzz_cli.py, seed 99) ------------------------------------------------

def test_pooling_to_nothing_is_a_spec_error(capsys) -> None:
    # VGG-8 on a 5-pixel-high input: the third pooling leaves an empty map (was ZeroDivisionError)
    code, err = run_cli(capsys, "rram-32nm", "vgg8-cifar10-bp", "--set", "workload.input_shape=[3, 5, 32]",
                        "--set", "workload.batch_size=2")
    assert code == 2 and "layers[8].kernel: pooling by 2 leaves nothing of a 1x8 map" in err, err


def test_device_that_cannot_be_built_is_a_spec_error(capsys) -> None:
    # 2 ohm cells need an access transistor thousands of F wide (NeuroSim aborts; was a ValueError traceback)
    code, err = run_cli(capsys, "neurosim-v2.1", "mlp3-dfa", "--set", "arch.device.r_on_ohm=2")
    assert code == 2 and "device.r_on_ohm: the access transistor" in err and "cannot be built" in err, err


def test_weight_gradient_mux_must_divide_its_rows(capsys) -> None:
    # found by the fuzzer (seed 41): 1533 rows per ADC on 128-row WG arrays divided by zero in the area
    code, err = run_cli(capsys, "neurosim-v2.1", "mlp2-bp", "--set", "arch.chip.weight_gradient.rows_per_adc=1533")
    assert code == 2 and "rows_per_adc (1533) must divide subarray_rows (128)" in err, err


def test_dram_channels_bounded(capsys) -> None:
    # found by the fuzzer (seed 42): 1,000 interleaved channels ran past 20 s (every transfer holds them all)
    code, err = run_cli(capsys, "neurosim-v2.1", "mlp2-bp", "--set", "arch.chip.dram.channels=1_000")
    assert code == 2 and "chip.dram.channels" in err and "an interleaved transfer holds every channel" in err, err


def test_narrow_mux_footprint_does_not_divide_by_zero() -> None:
    from simcim.hardware.circuits.switches import Mux
    from simcim.hardware.circuits.technology import technology

    mux = Mux(technology(22), 16, 8, 240e3 / 128)
    fp = mux.footprint(1e-12)  # far narrower than one transmission gate: one per row, one fold
    assert fp.height_m > 0 and fp.width_m == 1e-12


def test_exponent_without_a_dot_is_a_number(tmp_path) -> None:
    # YAML 1.1 (PyYAML) reads `240e3` as text; strict numbers would refuse it, so the loader reads
    # it as YAML 1.2 and JSON do
    from simcim.spec.yamlload import load_yaml_text

    assert load_yaml_text("a: 240e3\nb: -1E-3\nc: '240e3'\nd: e3\n", "x")[0] == {
        "a": 240e3, "b": -1e-3, "c": "240e3", "d": "e3"}
    import simcim

    arch = simcim.load_architecture("neurosim-fefet-22nm", {"device.r_on_ohm": load_yaml_text("2.4e5", "x")[0]})
    assert arch.device.r_on_ohm == 240e3
