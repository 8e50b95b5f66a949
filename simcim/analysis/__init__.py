"""Analyses of simcim traces (docs/trace-format.md): streaming reader, summary, critical path,
timeline, validator and VCD export. Each reads the Chrome JSON file alone, so a trace can be studied long
after the run that wrote it, and aggregates while it reads so large traces stay cheap."""

from simcim.analysis.critical_path import CriticalPath, PathStep, critical_path
from simcim.analysis.reader import TraceError, iter_events, read_header, read_trace
from simcim.analysis.summary import TraceSummary, summarize_trace
from simcim.analysis.timeline import Timeline, read_timeline
from simcim.analysis.validate import validate_trace

__all__ = ["CriticalPath", "PathStep", "Timeline", "TraceError", "TraceSummary", "critical_path", "iter_events",
           "read_header", "read_timeline", "read_trace", "summarize_trace", "validate_trace"]
