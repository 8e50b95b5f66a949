"""WAGE quantizers on inputs worked by hand (Wu et al. 2018)."""

import pytest
import torch

from simcim.training.quantize import (clip_limit, peak_and_shift, quantize, quantize_scaled, quantize_stochastic,
                                      shift, step, stochastic_round)


def test_q_rounds_to_the_grid_and_clips() -> None:
    # b = 3: grid 1/4, clip at 1 - 2^-2 = 0.75.
    x = torch.tensor([0.0, 0.1, 0.13, -0.2, 0.376, 0.9, -5.0])
    assert quantize(x, 3).tolist() == [0.0, 0.0, 0.25, -0.25, 0.5, 0.75, -0.75]
    assert step(3) == 0.25 and clip_limit(3) == 0.75


def test_q_eight_bits() -> None:
    # b = 8: grid 1/128; 0.3 * 128 = 38.4 -> 38/128; clip at 127/128.
    x = torch.tensor([0.3, -0.3, 1.0])
    assert torch.allclose(quantize(x, 8), torch.tensor([38 / 128, -38 / 128, 127 / 128]))


def test_shift_is_the_nearest_power_of_two() -> None:
    assert shift(torch.tensor([0.3, 0.36, 3.0, 1.0])).tolist() == [0.25, 0.5, 4.0, 1.0]


def test_errors_are_scaled_quantized_and_scaled_back() -> None:
    # max |e| = 0.03 -> Shift = 2^round(log2 0.03) = 2^-5; e / 2^-5 = [0.96, -0.32, 0.0032]
    # Q(., 4) on the 1/8 grid, clip 7/8: [0.875, -0.375, 0] -> times 2^-5.
    e = torch.tensor([0.03, -0.01, 0.0001])
    assert torch.allclose(quantize_scaled(e, 4), torch.tensor([0.875, -0.375, 0.0]) / 32)
    assert quantize_scaled(torch.zeros(3), 4).tolist() == [0.0, 0.0, 0.0]


def test_stochastic_rounding_is_unbiased() -> None:
    g = torch.Generator().manual_seed(1)
    x = torch.full((200_000,), 0.3)
    r = stochastic_round(x, g)
    assert set(r.unique().tolist()) == {0.0, 1.0}
    assert abs(float(r.mean()) - 0.3) < 0.005  # 5 sigma of a Bernoulli(0.3) mean over 2e5
    q = quantize_stochastic(torch.full((200_000,), 0.1), 3, g)  # between 0 and 0.25
    assert set(q.unique().tolist()) == {0.0, 0.25}
    assert abs(float(q.mean()) - 0.1) < 0.002


def test_peak_and_shift_by_hand() -> None:
    peak, s = peak_and_shift(torch.tensor([0.3, -0.7]))
    assert float(peak) == pytest.approx(0.7) and float(s) == 0.5  # 2^round(log2 0.7) = 2^-1
    peak, s = peak_and_shift(torch.tensor([3e-40, -1e-41]))  # a vanishing (subnormal) tensor keeps its scale
    assert float(s) == 2.0 ** -131 and float(peak) > 0
    assert peak_and_shift(torch.zeros(3)) is None
    assert peak_and_shift(torch.tensor([1.0, float("nan")])) is None
    assert peak_and_shift(torch.tensor([float("inf")])) is None
