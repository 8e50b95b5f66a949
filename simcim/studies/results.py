"""A study's numbers from its results store: cost per (rule, depth, hardware), speed-ups on given and
equal hardware, accuracy mean ± sd over seeds, each effect's accuracy cost, and the plain-sentence
verdict on the study's two claims (docs/reference.md). Reads rows only; report/ draws them.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from simcim.rules import get_rule
from simcim.studies.plan import StudyPlan
from simcim.sweep.store import Row

ACCURACY = "accuracy_last3"  # test accuracy averaged over the last 3 epochs: one epoch swings by a point or more
CLAIM_1 = "Claim 1 (BP learns more accurate models than DFA under the chip's nonidealities)"
CLAIM_2 = "Claim 2 (DFA cuts training time by a factor approaching N)"
CHANCE_MARGIN = 0.05  # a depth where no rule is 5 points above chance did not learn: left out of claim 1


@dataclass(frozen=True)
class Stat:
    mean: float
    sd: float  # sample standard deviation over seeds (0 with one seed)
    n: int

    def text(self, scale: float = 100.0, digits: int = 1) -> str:
        if self.n > 1:
            return f"{scale * self.mean:.{digits}f} ± {scale * self.sd:.{digits}f}"
        return f"{scale * self.mean:.{digits}f}"


def stat(values: list[float]) -> Stat | None:
    if not values:
        return None
    return Stat(statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0, len(values))


def _percent_span(fractions: list[float]) -> str:
    """"10.0 %" or "10.0–13.2 %": the range of ``fractions`` in percent, one decimal."""
    lo, hi = f"{100 * min(fractions):.1f}", f"{100 * max(fractions):.1f}"
    return f"{lo} %" if lo == hi else f"{lo}–{hi} %"


@dataclass
class StudyResults:
    chip: str
    dataset: str | None
    epochs: int | None
    seeds: list[int]
    rules: list[str]
    depths: list[int]
    width: int
    reference_depth: int
    hardware: list[str]
    simulate_axes: dict[str, list[Any]]
    vary_axes: dict[str, list[Any]]
    effects: list[str]
    nonidealities: list[str]
    inputs: int = 784
    classes: int = 10
    vary_base: dict[str, Any] = field(default_factory=dict)  # StudyPlan.vary_base
    train_set: dict[str, Any] = field(default_factory=dict)  # the study's train.set (every training point's overrides)
    rows: list[tuple[dict[str, Any], dict[str, float]]] = field(default_factory=list)  # ok points of the plan
    planned_by_part: dict[str, int] = field(default_factory=dict)  # points of the plan per part (train-depth, ...)
    missing_by_part: dict[str, int] = field(default_factory=dict)  # of those, not (yet) in the store
    failed: list[str] = field(default_factory=list)  # "label: error" of failed points

    # -- selection ----------------------------------------------------------------------------------
    def _select(self, **want: Any) -> list[dict[str, float]]:
        return [m for p, m in self.rows if all(p.get(k) == v for k, v in want.items())]

    def cost(self, rule: str, depth: int, hardware: str = "given") -> dict[str, float] | None:
        found = self._select(part="sim-depth", rule=rule, depth=depth, hardware=hardware)
        return found[0] if found else None

    def axis_cost(self, axis: str, value: Any, rule: str) -> dict[str, float] | None:
        found = self._select(part="sim-axis", axis=axis, value=value, rule=rule)
        return found[0] if found else None

    def speedup(self, rule: str, depth: int, hardware: str, base: str = "bp") -> float | None:
        """Epoch latency of ``base`` over ``rule``'s, both on ``hardware``."""
        a, b = self.cost(base, depth, hardware), self.cost(rule, depth, hardware)
        if a is None or b is None or not b["latency_s"]:
            return None
        return a["latency_s"] / b["latency_s"]

    def extra_area_mm2(self, rule: str, depth: int, hardware: str) -> float | None:
        """Area ``rule`` needs on ``hardware`` beyond the chip as given to it."""
        a, b = self.cost(rule, depth, hardware), self.cost(rule, depth, "given")
        return None if a is None or b is None else a["area_mm2"] - b["area_mm2"]

    def accuracy(self, rule: str, depth: int, nonidealities: str = "all") -> Stat | None:
        return stat([m[ACCURACY] for m in self._select(part="train-depth", rule=rule, depth=depth,
                                                       nonidealities=nonidealities) if ACCURACY in m])

    def accuracy_gap(self, depth: int, nonidealities: str = "all", rule: str = "dfa") -> tuple[float, float] | None:
        """BP's test accuracy minus ``rule``'s at ``depth``, in points, and the spread it is judged
        against: the two seeds' sds combined (inf with one seed: no spread to compare with)."""
        bp, other = self.accuracy("bp", depth, nonidealities), self.accuracy(rule, depth, nonidealities)
        if bp is None or other is None:
            return None
        return _gap(bp, other)

    def _by_seed(self, part: str, **want: Any) -> dict[int, float]:
        return {int(p["seed"]): m[ACCURACY] for p, m in self.rows
                if p.get("part") == part and ACCURACY in m and all(p.get(k) == v for k, v in want.items())}

    def effect_cost(self, rule: str, effect: str) -> Stat | None:
        """Accuracy with every effect on minus with ``effect`` off alone, at the reference depth, paired
        by seed (positive: the effect costs accuracy). ``effect`` "all" is the whole device model
        (float math minus all on)."""
        on = self._by_seed("train-depth", rule=rule, depth=self.reference_depth, nonidealities="all")
        if effect == "all":
            off = self._by_seed("train-depth", rule=rule, depth=self.reference_depth, nonidealities="none")
        else:
            off = self._by_seed("train-effect", rule=rule, nonidealities=f"no-{effect}")
            off.update(self._by_seed("train-depth", rule=rule, depth=self.reference_depth,
                                     nonidealities=f"no-{effect}"))
        return stat([off[s] - on[s] for s in sorted(set(on) & set(off))])

    def vary_accuracy(self, axis: str, value: Any, rule: str) -> Stat | None:
        if axis.startswith("workload.") and not get_rule(rule).reads_setting(axis[len("workload."):]):
            return None  # a setting the rule never reads (DFA's derivative for BP): no point of its own
        found = self._select(part="train-vary", axis=axis, value=value, rule=rule)
        if not found and axis in self.vary_base and value == self.vary_base[axis]:
            # the chip's own setting is the depth series' point at the reference depth
            found = self._select(part="train-depth", rule=rule, depth=self.reference_depth, nonidealities="all")
        return stat([m[ACCURACY] for m in found if ACCURACY in m])

    def trained(self) -> bool:
        return any(p.get("part", "").startswith("train") for p, _ in self.rows)

    def provenance_line(self) -> str:
        seeds = ", ".join(map(str, self.seeds)) or "-"
        epochs = f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}"
        train = f"{self.dataset}, {epochs}, seed{'s' if len(self.seeds) != 1 else ''} {seeds}" if self.dataset else "no training"
        fixed = "".join(f"; {k} = {v}" for k, v in sorted(self.train_set.items())) if self.dataset else ""
        return f"chip {self.chip}; MLP {self.inputs}-{self.width}×(N−1)-{self.classes}; {train}{fixed}"

    # -- the study's claims -------------------------------------------------------------------------
    def claims(self) -> list[str]:
        """The two claims' verdicts, then the findings beside them where the data holds one: which rules the
        chip stopped learning, what each effect costs each rule, and how the device settings move claim 1."""
        extra = [self.learning_lost_on_chip(), self.effect_findings(), self.settings_findings()]
        return [self.claim_accuracy(), self.claim_speed()] + [line for line in extra if line]

    def effect_findings(self) -> str | None:
        """Which effect costs each rule most at the reference depth, and which ones a rule leans on
        (switched off alone, the rule does worse by more than the seeds' spread). Only a rule with
        every effect's points in, from more than one seed, is judged: a spread needs two."""
        parts = []
        for rule in self.rules:
            costs = {e: c for e in self.effects if (c := self.effect_cost(rule, e)) is not None and c.n > 1}
            if not self.effects or len(costs) < len(self.effects):
                continue
            top = max(costs, key=lambda e: costs[e].mean)
            clear = [e for e, c in costs.items() if c.mean > c.sd]
            leans = [e for e, c in costs.items() if c.mean < -c.sd]
            if costs[top].mean > 0:
                text = f"{rule.upper()}: largest cost {top} ({costs[top].text()})"
                text += (f", more than the seeds' spread: {', '.join(clear)}" if clear
                         else ", none more than the seeds' spread")
            else:
                text = f"{rule.upper()}: no effect costs it accuracy on average"
            if leans:
                text += (f"; with {', '.join(leans)} off it does worse by more than the seeds' spread "
                         f"({', '.join(costs[e].text() for e in leans)}): those effects steady its "
                         "training rather than cost it accuracy")
            parts.append(text)
        if not parts:
            return None
        return (f"Cost of each effect at N = {self.reference_depth} (test accuracy with the effect off alone minus "
                f"with every effect on, points, paired by seed): {'; '.join(parts)} ({self.provenance_line()}).")

    def settings_findings(self) -> str | None:
        """How device quality moves claim 1's gap: BP − DFA at each device setting both rules ran (the
        chip's own value included), judged against the seeds' combined spread as claim 1 is, and each
        rule's worst setting. None until a setting has points for some rule."""
        gaps: list[tuple[str, float, float]] = []  # "axis = value", BP - DFA (points), combined sd
        worst: dict[str, tuple[float, str]] = {}  # rule -> (lowest mean accuracy, where)
        own_counted = False  # the chip's own value of every axis is one and the same point: count it once
        inert = self.inert_settings()  # their points repeat the chip's own numbers: not counted again
        for axis, values in self.vary_axes.items():
            if axis in inert:
                continue
            for v in values:
                own = axis in self.vary_base and v == self.vary_base[axis]
                if own and own_counted:
                    continue
                own_counted |= own
                where = "the chip's own settings" if own else f"{_short(axis)} = {v}"
                acc = {r: a for r in self.rules if (a := self.vary_accuracy(axis, v, r)) is not None}
                for r, a in acc.items():
                    if r not in worst or a.mean < worst[r][0]:
                        worst[r] = (a.mean, where)
                if "bp" in acc and "dfa" in acc:
                    gaps.append((where, *_gap(acc["bp"], acc["dfa"])))
        if not worst:
            return None
        text = (f"Device settings at N = {self.reference_depth} (every effect on, one setting at a time; test accuracy, "
                f"mean over seeds): " + self._provisional("train-vary", "device-setting trainings"))
        if gaps:
            lo, hi = min(gaps, key=lambda g: g[1]), max(gaps, key=lambda g: g[1])
            span = f"{lo[1]:+.1f} at {lo[0]}" + (f" to {hi[1]:+.1f} at {hi[0]}" if hi is not lo else "")
            text += (f"BP − DFA is positive at {sum(x > 0 for _, x, _ in gaps)} of {len(gaps)} settings "
                     f"({'from ' if hi is not lo else ''}{span}), ahead by more than the seeds' spread at "
                     f"{sum(x > sd for _, x, sd in gaps)} and behind by more at {sum(x < -sd for _, x, sd in gaps)}; ")
        text += "each rule's worst setting: " + ", ".join(
            f"{r.upper()} {100 * m:.1f} % at {where}" for r, (m, where) in worst.items())
        if inert:
            text += ("; " + ", ".join(map(_short, inert)) + " moves no rule's accuracy at all (the same numbers at every value: "
                     "the training model does not feel it on this chip)")
        return text + f" ({self.provenance_line()})."

    def inert_settings(self) -> list[str]:
        """Device-setting axes whose every value gave every rule the very same accuracies (mean and sd
        equal) as the chip's own value: a setting the training model does not feel on this chip (the
        on/off ratio with an exact read, docs/training.md), which a figure of flat lines hides."""
        out = []
        for axis, values in self.vary_axes.items():
            per_rule = [[self.vary_accuracy(axis, v, r) for v in values] for r in self.rules]
            seen = [row for row in per_rule if any(row)]
            if len(values) > 1 and seen and all(None not in row and len(set(row)) == 1 for row in seen):
                out.append(axis)
        return out

    def learning_lost_on_chip(self) -> str | None:
        """Rules that learn in float math but stay near chance with every effect of the chip on, and
        at which depths: a finding beside the claims (claim 1 compares BP and DFA only)."""
        floor = 1 / self.classes + CHANCE_MARGIN
        parts = []
        for rule in self.rules:
            lost = [(d, on, off) for d in self.depths if (on := self.accuracy(rule, d, "all")) is not None
                    and (off := self.accuracy(rule, d, "none")) is not None and on.mean < floor <= off.mean]
            if lost:
                parts.append(f"{rule.upper()} at N = {', '.join(str(d) for d, _, _ in lost)}: "
                             f"{_percent_span([on.mean for _, on, _ in lost])} with every effect on, "
                             f"{_percent_span([off.mean for _, _, off in lost])} in float math")
        if not parts:
            return None
        return (f"Learning lost on the chip (less than {100 * CHANCE_MARGIN:.0f} points above chance, "
                f"{100 / self.classes:.0f} %, with every effect on, though it learns in float math; test accuracy, "
                f"mean over seeds): {'; '.join(parts)} ({self.provenance_line()}).")

    def claim_accuracy(self) -> str:
        """Claim 1: BP learns more accurate models under hardware imperfections (than DFA)."""
        if "bp" not in self.rules or "dfa" not in self.rules:
            return f"{CLAIM_1}: needs both bp and dfa in --rules."
        diffs: list[tuple[int, float, float]] = []  # depth, BP - DFA (points), combined sd (inf: one seed)
        unlearned: list[int] = []  # depths where no rule got clear of chance: they tell nothing
        for d in self.depths:
            bp, dfa = self.accuracy("bp", d), self.accuracy("dfa", d)
            if bp and dfa:
                if max(bp.mean, dfa.mean) < 1 / self.classes + CHANCE_MARGIN:
                    unlearned.append(d)
                else:
                    diffs.append((d, *self.accuracy_gap(d)))  # type: ignore[misc]
        chance = (f" At N = {', '.join(map(str, unlearned))} neither BP nor DFA got {100 * CHANCE_MARGIN:.0f} points "
                  f"clear of chance ({100 / self.classes:.0f} %): those networks did not learn in "
                  f"{self.epochs} epochs and are left out.") if unlearned else ""
        if not diffs:
            return f"{CLAIM_1}: no training results yet." if not unlearned else f"{CLAIM_1}: undecided." + chance
        mean = statistics.fmean(x for _, x, _ in diffs)
        # A depth with one seed so far has no spread: it counts as neither clearly ahead nor behind.
        clear = [d for d, x, sd in diffs if x > max(sd, 0.0)]
        behind = [d for d, x, sd in diffs if x < -max(sd, 0.0)]
        single = [d for d, _, sd in diffs if math.isinf(sd)]
        lo = min(diffs, key=lambda t: t[1])
        hi = max(diffs, key=lambda t: t[1])
        if mean > 0 and len(clear) > len(diffs) / 2:
            verdict = "supported"
        elif mean > 0:
            verdict = "weakly supported (BP ahead on average, but mostly within the seeds' spread)"
        else:
            verdict = "not supported"
        verdict = self._provisional("train-depth", "depth-series trainings") + verdict
        cost = []
        for rule in ("bp", "dfa"):
            c = self.effect_cost(rule, "all")
            if c is not None:
                sd = f" ± {100 * c.sd:.1f}" if c.n > 1 else ""
                cost.append(f"from float math to the chip's device model {rule.upper()}'s accuracy changes by "
                            f"{-100 * c.mean:+.1f}{sd} points at N = {self.reference_depth}")
        return (f"{CLAIM_1}: {verdict}. "
                f"With every effect on, BP − DFA test accuracy is {mean:+.1f} points on average over N = "
                f"{', '.join(str(d) for d, _, _ in diffs)} (from {lo[1]:+.1f} at N = {lo[0]} to {hi[1]:+.1f} at "
                f"N = {hi[0]}); BP's mean is higher at {sum(x > 0 for _, x, _ in diffs)} of {len(diffs)} depths; "
                f"BP is ahead by more than the seeds' spread at {len(clear)} of {len(diffs)} depths "
                f"and behind by more at {len(behind)}"
                + (f" (one seed so far at N = {', '.join(map(str, single))}: no spread to compare with)" if single else "")
                + (f"; {'; '.join(cost)}" if cost else "") + f" ({self.provenance_line()})." + chance)

    @property
    def missing(self) -> int:
        """Points of the plan not (yet) in the store."""
        return sum(self.missing_by_part.values())

    def _provisional(self, part: str, what: str) -> str:
        """'provisional (k of n ... done): ' while the series a claim rests on is incomplete, else ''."""
        todo, planned = self.missing_by_part.get(part, 0), self.planned_by_part.get(part, 0)
        return f"provisional ({planned - todo} of {planned} {what} done): " if todo else ""

    def claim_speed(self) -> str:
        """Claim 2: DFA cuts training time by a factor approaching N for N layers."""
        if "bp" not in self.rules or "dfa" not in self.rules:
            return f"{CLAIM_2}: needs both bp and dfa in --rules."
        given = [(d, s) for d in self.depths if (s := self.speedup("dfa", d, "given")) is not None]
        if not given:
            return f"{CLAIM_2}: no simulation results yet."
        parts = [f"On the chip as given DFA is {_range(given)} faster than BP per epoch "
                 f"({_fraction_of_n(given)})"]
        eq = [(d, s) for d in self.depths if (s := self.speedup("dfa", d, "equal-per-layer")) is not None]
        if eq:
            parts.append(f"on equal hardware (one WG unit per layer for every rule, same DRAM) {_range(eq)} "
                         f"({_fraction_of_n(eq)})")
        sh = [(d, s) for d in self.depths if (s := self.speedup("dfa", d, "equal-shared")) is not None]
        if sh:
            parts.append(f"with one shared WG unit for every rule {_range(sh)}")
        d_max, s_max = given[-1]
        judged = eq or given  # the rule's own speed-up where equal hardware was run
        first, last = judged[0][1], judged[-1][1]
        if last >= 0.75 * d_max:
            verdict = "supported"
        elif last > first and last >= 1.5:
            verdict = "partly supported (it grows with N but stays below 0.75 N)"
        else:
            verdict = "not supported"
        verdict = self._provisional("sim-depth", "depth-series simulations") + verdict
        ref = dict(eq).get(d_max)
        share = ""
        if ref is not None and s_max > 0:
            share = (f". At N = {d_max}, {s_max:.2f}× on the given chip against {ref:.2f}× on equal hardware: "
                     f"a factor {s_max / ref:.2f} of the given speed-up comes from the extra hardware, "
                     "not from the learning rule")
        return (f"{CLAIM_2}: {verdict} "
                f"(judged on {'equal' if eq else 'given'} hardware: supported means at least 0.75 N at the deepest N). " + "; ".join(parts) + share
                + f" (chip {self.chip}, simulation of one epoch).")


def _gap(bp: Stat, other: Stat) -> tuple[float, float]:
    """BP's mean minus ``other``'s, in points, and the spread it is judged against: the two sds
    combined (inf with one seed: no spread to compare with)."""
    spread = 100 * math.hypot(bp.sd, other.sd) if min(bp.n, other.n) > 1 else math.inf
    return 100 * (bp.mean - other.mean), spread


def _short(axis: str) -> str:
    """A setting's name in a sentence: arch.subarray.adc.bits -> adc.bits."""
    return axis.split(".", 2)[-1]


def _range(series: list[tuple[int, float]]) -> str:
    return f"{series[0][1]:.2f}× (N = {series[0][0]}) to {series[-1][1]:.2f}× (N = {series[-1][0]})"


def _fraction_of_n(series: list[tuple[int, float]]) -> str:
    fr = [s / d for d, s in series]
    return f"speed-up / N from {min(fr):.2f} to {max(fr):.2f}"


def collect(plan: StudyPlan, rows: list[Row], chip: str) -> StudyResults:
    """The plan's points as found in the store (rows of other settings are left out)."""
    s = plan.study.spec
    t = s.train
    keys = {p.key for p in plan.points}
    found = {r.key: r for r in rows if r.key in keys}
    res = StudyResults(
        chip=chip, dataset=t.dataset if t else None, epochs=t.epochs if t else None,
        seeds=list(t.seeds) if t else [], rules=list(s.rules), depths=list(s.depths), width=s.width,
        reference_depth=s.reference_depth, hardware=list(s.hardware), simulate_axes=dict(s.simulate),
        vary_axes=dict(t.vary) if t else {}, effects=list(t.effects) if t else [],
        nonidealities=list(t.nonidealities) if t else [], inputs=plan.inputs, classes=plan.classes,
        vary_base=dict(plan.vary_base), train_set=dict(t.set) if t else {})
    for point in plan.points:
        row = found.get(point.key)
        part = str(point.params["part"])
        res.planned_by_part[part] = res.planned_by_part.get(part, 0) + 1
        if row is None:
            res.missing_by_part[part] = res.missing_by_part.get(part, 0) + 1
        elif row.status != "ok":
            res.failed.append(f"{point.label()}: {row.error}")
        else:
            res.rows.append((dict(point.params), dict(row.metrics)))
    return res
