"""The HTML report in a real headless Chromium: it loads offline, logs no console error, and every
figure decodes and is laid out visible. Skipped where no Chromium is installed (pip-only CI);
Debian: apt-get install -y chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from helpers_trace import ARCH

from simcim.cli import main

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]
# Test-only probe (the report itself has no script): after load, record each image's state.
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || ('failed to load ' + (e.target && e.target.src || '').slice(0, 40)))), true);
window.addEventListener('load', () => {
  const images = Array.from(document.images).map(i => {
    const r = i.getBoundingClientRect(), cs = getComputedStyle(i);
    return {complete: i.complete, natural: [i.naturalWidth, i.naturalHeight], box: [r.width, r.height],
            display: cs.display, visibility: cs.visibility, alt: i.alt};
  });
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({images, errors: window.__errors, title: document.title});
  document.body.appendChild(out);
});
</script>"""


def _browser() -> str | None:
    return next((b for b in map(shutil.which, BROWSERS) if b), None)


def _run(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=120, env={**os.environ, "HOME": profile})


@pytest.fixture(scope="module")
def browser() -> str:
    found = _browser()
    if found is None:
        pytest.skip("no Chromium here (Debian: apt-get install -y chromium)")
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser-report")
    assert main(["compare", str(ARCH), "--rule", "bp", "--rule", "dfa", "--depths", "2-3",
                 "--set", "workload.batch_size=2", "--out", str(out), "--quiet"]) == 0
    return out


def test_report_renders_in_headless_chromium(browser: str, report: Path) -> None:
    page = report / "_probe.html"
    page.write_text((report / "index.html").read_text().replace("<head>", "<head>" + PROBE, 1))
    run = _run(browser, "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found, f"no probe result; chromium said: {run.stderr[-2000:]}"
    state = json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                       .replace("&quot;", '"'))
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [] and state["errors"] == []
    assert state["title"].startswith("simcim compare: BP vs DFA")
    pngs = sorted(report.glob("*.png"))
    assert len(state["images"]) == len(pngs) == 5
    for img in state["images"]:
        assert img["complete"] and min(img["natural"]) > 100, img  # decoded, real size
        assert min(img["box"]) > 50 and img["display"] != "none" and img["visibility"] == "visible", img


def test_report_screenshot(browser: str, report: Path) -> None:
    shot = report / "screenshot.png"
    _run(browser, "--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={shot}", (report / "index.html").as_uri())
    import matplotlib.image as mpimg
    import numpy as np

    from simcim.report.figures import PHASE_COLORS

    pixels = mpimg.imread(shot)[..., :3]
    wg_red = np.array([int(PHASE_COLORS["WG"][i:i + 2], 16) for i in (1, 3, 5)]) / 255
    # The first screen holds the tables and the Gantt chart, whose WG bars are this red: a page whose
    # images failed would be white with a few icons.
    assert (pixels.min(axis=-1) < 0.9).mean() > 0.05
    assert (np.abs(pixels - wg_red).max(axis=-1) < 0.06).mean() > 0.01
