"""Hardware-aware training (`simcim train`): the workload's network trained with BP, FA, DFA, DRTP or
the shallow control on the chip's device model -- WAGE quantization, nonlinear pulse updates,
variation, ADC, read noise -- each switchable alone. torch is imported only under this package.

Modules: quantize (WAGE), nonlinearity (G(p), NL -> a), device (cells and pulses), crossbar (reads,
ADC), model (layers), chip (the network on the chip), backward (errors per the rule, gradients), alignment,
datasets, trainer, outputs (files), progress (console). See docs/training.md.
"""
