"""How fast does the app answer a control change? Five figures from a real Chromium on loopback,
each the median (with min and max) of a few repeats, printed beside its budget (never asserted):

1. payload per rerun at the playground's defaults: the bytes the server sends over the websocket
   from the Enter on "steps T" to the run's ``script_finished`` message;
2. server time per rerun: the script's run in the real server, as the app logs it (its run log,
   ``ui.pages.RUN_LOG_ENV``); beside it the span from the run's ``new_session`` message to its
   ``script_finished`` as both arrive here (the script, the serialising and sending of its elements,
   and any wait for a core the browser holds), and the same run timed through AppTest in this process;
3. control change -> chart redrawn: from the Enter keypress (timed in the page) to the animation
   slider showing the new last step with the script idle;
4. first chart on a cold page: a fresh browser context, goto() to the map's first ``.main-svg``
   visible, on a server that has already served a session; and once on a freshly started server.
   Beside it the floor: the same visit to a bare Streamlit page with one two-point Plotly chart
   (``bench/floor_app.py``), served the same way in the same run;
5. lab horizon change: the Enter on "horizon T (steps)" to the lab's charts of T (two heat maps,
   the line view) holding new data, idle. The lab keeps its runs' states at round steps, so a new
   T runs only the steps past the latest kept state; beside it, a change of the seed, after which
   nothing is kept and every sweep runs from step 0 (and the finder again).

Measures 1, 2, 3 and 5 are taken twice: with values of T the server has not run yet (a new
computation, as when a visitor types a number) and with two values alternated after both have run
once (the server's bounded caches and the browser's message cache answer).

    python -m bench.browser_speed            # 5 repeats of each measure
    python -m bench.browser_speed --quick    # a smoke run: 2 repeats

The server listens on 127.0.0.1 only and is stopped at the end, error or not. Chromium: Debian's
(/usr/bin/chromium) or Playwright's own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import serve
from bench.load import CHART, ERROR, IDLE, cpu_seconds

# The app's run-log setting (ui.pages.RUN_LOG_ENV: the bench drives the app from outside and does
# not import it; a test holds the two names equal).
RUN_LOG_ENV = "OPTIMIZER_LAB_RUN_LOG"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 720}
TIMEOUT_MS = 90_000
SLIDER_LABEL = "[data-testid='stPlotlyChart'] .slider-container text.slider-label"
PLOTS = "[data-testid='stPlotlyChart'] .js-plotly-plot"
LAB_CHARTS = 4  # two heat maps, the line view, the finder
# The maps and the line view depend on T; the finder does not (its message comes back as a
# reference to the browser's copy), so a horizon change redraws the first three.
LAB_CHARTS_OF_T = 3

# The playground's default horizon is 500 and the lab's 1000 (ui.playground_state, runs.lab). New
# values straddle the default, so their median costs what the default costs; the "seen" pair is
# alternated after one warm-up visit of each.
PLAYGROUND_SEEN = (400, 500)
PLAYGROUND_NEW = (499, 501, 498, 502, 497)
LAB_SEEN = (900, 1000)
LAB_NEW = (1100, 800, 1200, 700, 1300)
LAB_SEEDS = (1, 2, 3, 4, 5)  # new start points: nothing kept
REPEATS = {False: 5, True: 2}

MB = 1e6
BUDGETS = {"payload": ("MB", 1.0), "server": ("s", 0.3), "redraw": ("s", 1.5), "cold": ("s", 3.0),
           "lab": ("s", 1.5)}

# Runs in every page before its own scripts: the moment of the Enter keypress, on the page's clock.
ENTER_CLOCK = """document.addEventListener('keydown', e => {
    if (e.key === 'Enter') window.__enterAt = performance.now(); }, true);"""

# The slider's current label reads "step <T>" once the new run's map is drawn; idle once it has all.
PLAYGROUND_REDRAWN = r"""([idle, label, want]) => {
    if (window.__enterAt == null || !document.querySelector(idle)) return false;
    const el = document.querySelector(label);
    if (!el || !new RegExp('(^|\\D)' + want + '$').test(el.textContent.trim())) return false;
    return performance.now() - window.__enterAt; }"""

# Plotly.react replaces a graph div's ``data`` array: a chart holding an array other than the one it
# held before the change has been redrawn with the new run's figure.
REMEMBER_PLOTS = "(plots) => { window.__plotsBefore = [...document.querySelectorAll(plots)].map(g => g.data); }"
PLOTS_REDRAWN = """([idle, plots, count]) => {
    if (window.__enterAt == null || !document.querySelector(idle)) return false;
    const now = [...document.querySelectorAll(plots)].slice(0, count);
    if (now.length < count || now.some(g => !g.data || window.__plotsBefore.includes(g.data))) return false;
    return performance.now() - window.__enterAt; }"""


# What a cold page fetched before its chart showed, on the page's clock (from navigation start).
FETCHED = """() => {
    const all = performance.getEntriesByType('resource');
    const big = all.reduce((a, e) => (e.encodedBodySize > a.encodedBodySize ? e : a), all[0]);
    return {count: all.length, transfer: all.reduce((n, e) => n + e.transferSize, 0),
            decoded: all.reduce((n, e) => n + e.decodedBodySize, 0),
            last_end_s: Math.max(...all.map(e => e.responseEnd)) / 1000,
            biggest: big.name.split('/').pop(), biggest_decoded: big.decodedBodySize,
            biggest_end_s: big.responseEnd / 1000}; }"""


# ----------------------------------------------------------------------------- the websocket


@dataclass
class Frame:
    at: float  # perf_counter when Playwright handed the frame over
    sent: bool  # by the browser (a BackMsg) or by the server (a ForwardMsg)
    nbytes: int
    msg: ForwardMsg | BackMsg | None  # None if the bytes are neither

    @property
    def kind(self) -> str:
        return (self.msg.WhichOneof("type") or "?") if self.msg is not None else "?"


@dataclass
class Wire:
    """Every websocket frame of one page, in order, with the moment it was seen."""

    frames: list[Frame] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws) -> None:
        ws.on("framesent", lambda payload: self._add(payload, True))
        ws.on("framereceived", lambda payload: self._add(payload, False))

    def _add(self, payload, sent: bool) -> None:
        data = payload if isinstance(payload, bytes) else payload.encode()
        msg = BackMsg() if sent else ForwardMsg()
        try:
            msg.ParseFromString(data)
        except Exception:  # not Streamlit's protocol: counted, not described
            msg = None
        self.frames.append(Frame(time.perf_counter(), sent, len(data), msg))

    def mark(self) -> int:
        return len(self.frames)

    def run_since(self, start: int) -> list[Frame]:
        """The frames from ``start`` to the first ``script_finished`` received after it."""
        out = []
        for frame in self.frames[start:]:
            out.append(frame)
            if frame.kind == "script_finished":
                return out
        raise RuntimeError("no script_finished message after the change")


def received_bytes(frames: list[Frame]) -> int:
    return sum(f.nbytes for f in frames if not f.sent)


def server_seconds(frames: list[Frame]) -> float:
    """From the server's ``new_session`` (its script has started) to its ``script_finished``."""
    started = next(f.at for f in frames if f.kind == "new_session")
    return next(f.at for f in frames if f.kind == "script_finished") - started


# ----------------------------------------------------------------------------- what a rerun ships


def element_of(msg: ForwardMsg) -> str | None:
    if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
        return msg.delta.new_element.WhichOneof("type")
    return None


def chart_parts(spec: str) -> list[tuple[str, int]]:
    """A Plotly figure's JSON split into its traces, its layout (images apart) and its frames."""
    fig = json.loads(spec)
    size = lambda obj: len(json.dumps(obj, separators=(",", ":")))  # noqa: E731
    parts = [(f"trace {t.get('type', 'scatter')} '{t.get('name', '')}'", size(t)) for t in fig.get("data", [])]
    layout = dict(fig.get("layout", {}))
    images = layout.pop("images", None)
    if images:
        parts.append((f"layout images ({len(images)}, the raster background)", size(images)))
    parts.append(("layout, the rest (axes, sliders, buttons, template)", size(layout)))
    if fig.get("frames"):
        parts.append((f"animation frames ({len(fig['frames'])})", size(fig["frames"])))
    return parts


def composition(frames: list[Frame], top: int = 6) -> list[str]:
    """Lines describing where a rerun's bytes went: by message (the ``top`` heaviest kinds), and
    inside each Plotly chart (its ``top`` heaviest parts)."""
    kinds: dict[str, list[int]] = {}
    charts = []
    for f in frames:
        if f.sent:
            continue
        element = element_of(f.msg) if f.msg is not None else None
        key = f"{f.kind}: {element}" if element else f.kind
        kinds.setdefault(key, []).append(f.nbytes)
        if element == "plotly_chart":
            charts.append((f.nbytes, f.msg.delta.new_element.plotly_chart))
    total = max(received_bytes(frames), 1)
    heaviest = sorted(kinds.items(), key=lambda kv: -sum(kv[1]))
    lines = [f"{key:<34} {len(sizes):>3} msg  {sum(sizes) / MB:8.3f} MB  {100 * sum(sizes) / total:5.1f} %"
             for key, sizes in heaviest[:top]]
    rest = [n for _, sizes in heaviest[top:] for n in sizes]
    if rest:
        lines.append(f"{f'{len(heaviest) - top} more kinds':<34} {len(rest):>3} msg  {sum(rest) / MB:8.3f} MB  "
                     f"{100 * sum(rest) / total:5.1f} %")
    for i, (nbytes, chart) in enumerate(charts, 1):
        name = chart.id.rsplit("-", 1)[-1] if chart.id else "(no key)"
        lines.append(f"  plotly chart {i} [{name}]: {nbytes / MB:.3f} MB; spec {len(chart.spec) / MB:.3f} MB")
        parts = sorted(chart_parts(chart.spec), key=lambda p: -p[1])
        for label, nbytes_part in parts[:top]:
            lines.append(f"    {label:<56} {nbytes_part / MB:8.3f} MB")
        if len(parts) > top:
            rest = parts[top:]
            lines.append(f"    {f'{len(rest)} more parts':<56} {sum(p[1] for p in rest) / MB:8.3f} MB")
    return lines


# ----------------------------------------------------------------------------- the browser steps


def check(page) -> None:
    if page.locator(ERROR).count():
        raise RuntimeError("the app shows an error: " + page.locator(ERROR).first.inner_text()[:300])


def wait_idle(page) -> None:
    page.wait_for_timeout(150)  # the rerun has had time to start
    page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


@dataclass
class Visit:
    """A first visit, every moment counted from goto()."""

    chart_s: float  # the first chart's SVG visible
    loaded_s: float  # the document's load event (goto() returns)
    started_s: float  # the server's new_session arrived: the session's script has started
    chart_msg_s: float  # the first Plotly chart's message arrived
    finished_s: float  # the run's script_finished arrived
    payload: int  # bytes received on the websocket until script_finished
    static: dict  # what the page fetched over HTTP until the chart showed (Resource Timing)


def first_chart(browser, url: str) -> Visit:
    """The first chart of ``url`` in a fresh context: no cache, no cookies."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        wire = Wire()
        wire.attach(page)
        t0 = time.perf_counter()
        page.goto(url, timeout=TIMEOUT_MS)
        loaded = time.perf_counter() - t0
        page.wait_for_selector(CHART, state="visible", timeout=TIMEOUT_MS)
        seconds = time.perf_counter() - t0
        static = page.evaluate(FETCHED)
        wait_idle(page)  # the session finishes its run before the context goes
        check(page)
        frames = wire.run_since(0)
        started = next(f.at for f in frames if f.kind == "new_session")
        chart_msg = next(f.at for f in frames if f.msg is not None and element_of(f.msg) == "plotly_chart")
        return Visit(seconds, loaded, started - t0, chart_msg - t0, frames[-1].at - t0, received_bytes(frames),
                     static)
    finally:
        context.close()


@dataclass
class Change:
    """One control change, measured."""

    redraw_s: float  # Enter keypress to redrawn, on the page's clock
    outside_s: float  # the same wait timed here, around press() and the wait
    server_s: float
    script_s: float  # the script's run in the server, from its run log
    request_to_finish_s: float  # the rerun request leaving the browser to script_finished arriving
    payload: int
    server_cpu_s: float
    frames: list[Frame]


class RunLog:
    """The server's run log: one "<page> <seconds>" line per script run."""

    def __init__(self, path: str):
        self.path = path
        open(path, "w").close()

    def mark(self) -> int:
        return os.path.getsize(self.path)

    def since(self, mark: int) -> list[float]:
        with open(self.path) as f:
            f.seek(mark)
            return [float(line.split()[1]) for line in f if line.strip()]


RUNLOG: RunLog | None = None  # set while a bench server runs


def change(page, wire: Wire, pid: int, label: str, value: int, redrawn: str, arg) -> Change:
    box = page.get_by_role("spinbutton", name=label)
    box.fill(str(value))
    page.evaluate("window.__enterAt = null")
    logged = RUNLOG.mark()
    start, cpu0 = wire.mark(), cpu_seconds(pid)
    t0 = time.perf_counter()
    box.press("Enter")
    handle = page.wait_for_function(redrawn, arg=arg, polling="raf", timeout=TIMEOUT_MS)
    outside = time.perf_counter() - t0
    frames = wire.run_since(start)
    cpu = cpu_seconds(pid) - cpu0
    check(page)
    request = next(f.at for f in frames if f.sent and f.kind == "rerun_script")
    runs = RUNLOG.since(logged)
    if len(runs) != 1:
        raise RuntimeError(f"the change ran the script {len(runs)} times, not once")
    return Change(float(handle.json_value()) / 1000, outside, server_seconds(frames), runs[0],
                  frames[-1].at - request, received_bytes(frames), cpu, frames)


def playground_changes(page, wire, pid, values) -> list[Change]:
    return [change(page, wire, pid, "steps T", v, PLAYGROUND_REDRAWN, [IDLE, SLIDER_LABEL, str(v)])
            for v in values]


def lab_changes(page, wire, pid, values, label="horizon T (steps)", charts=LAB_CHARTS_OF_T) -> list[Change]:
    out = []
    for v in values:
        page.evaluate(REMEMBER_PLOTS, PLOTS)
        out.append(change(page, wire, pid, label, v, PLOTS_REDRAWN, [IDLE, PLOTS, charts]))
    return out


def open_page(browser, url: str, charts: int):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(ENTER_CLOCK)
    page = context.new_page()
    wire = Wire()
    wire.attach(page)
    page.goto(url, timeout=TIMEOUT_MS)
    page.wait_for_function(f"document.querySelectorAll(\"{CHART}\").length >= {charts}", timeout=TIMEOUT_MS)
    wait_idle(page)
    check(page)
    return context, page, wire


def alternate(pair: tuple[int, int], n: int) -> list[int]:
    return [pair[i % 2] for i in range(n)]


def floor_visits(browser, n: int) -> list[Visit]:
    """First charts of the bare page (``bench/floor_app.py``) on its own server, after one visit."""
    port = serve.free_port()
    base = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile()
    server = serve.start(port, log, script="bench/floor_app.py")
    try:
        if not serve.healthy(base):
            raise RuntimeError("the floor page's server did not become healthy within 90 s")
        first_chart(browser, base)
        return [first_chart(browser, base) for _ in range(n)]
    finally:
        serve.stop(server)
        log.close()


def browser_figures(n: int) -> dict:
    from playwright.sync_api import sync_playwright

    global RUNLOG
    out: dict = {}
    log = tempfile.TemporaryFile()
    RUNLOG = RunLog(tempfile.mkstemp(prefix="runlog-", suffix=".txt")[1])
    port = serve.free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    server = serve.start(port, log, env={RUN_LOG_ENV: RUNLOG.path})
    try:
        if not serve.healthy(base):
            raise RuntimeError("the server did not become healthy within 90 s")
        out["healthy_s"] = time.perf_counter() - t0
        with sync_playwright() as p:
            executable = CHROMIUM if os.path.exists(CHROMIUM) else None
            browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
            try:
                # the server's first session: its first run imports the libraries (ui.startup), caches empty
                out["cold_process"] = [first_chart(browser, f"{base}/playground")]
                out["cold_page"] = [first_chart(browser, f"{base}/playground") for _ in range(n)]

                context, page, wire = open_page(browser, f"{base}/playground", 1)
                playground_changes(page, wire, server.pid, [PLAYGROUND_SEEN[0]])  # both now run once
                out["playground_seen"] = playground_changes(page, wire, server.pid,
                                                            alternate(PLAYGROUND_SEEN[::-1], n))
                out["playground_new"] = playground_changes(page, wire, server.pid, PLAYGROUND_NEW[:n])
                context.close()

                context, page, wire = open_page(browser, f"{base}/lab", LAB_CHARTS)
                lab_changes(page, wire, server.pid, [LAB_SEEN[0]])
                out["lab_seen"] = lab_changes(page, wire, server.pid, alternate(LAB_SEEN[::-1], n))
                out["lab_new"] = lab_changes(page, wire, server.pid, LAB_NEW[:n])
                out["lab_fresh"] = lab_changes(page, wire, server.pid, LAB_SEEDS[:n], "seed", LAB_CHARTS)
                context.close()
                out["floor"] = floor_visits(browser, n)
            finally:
                browser.close()
    except Exception:
        log.seek(0)
        sys.stderr.write(log.read().decode(errors="replace")[-3000:])
        raise
    finally:
        serve.stop(server)
        log.close()
        os.unlink(RUNLOG.path)
    return out


# ----------------------------------------------------------------------------- AppTest


def apptest_server_times(n: int) -> dict[str, list[float]]:
    """The playground's rerun after a change of T, run by AppTest in this process (no server, no
    websocket, no browser): the script, its caches and the elements' protobufs, plus AppTest's own
    bookkeeping."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(serve.ROOT / "app.py"), default_timeout=120)
    at.switch_page("app_pages/playground.py").run()

    def timed(value: int) -> float:
        at.number_input(key="T").set_value(value)
        t0 = time.perf_counter()
        at.run()
        seconds = time.perf_counter() - t0
        if at.exception:
            raise RuntimeError(f"AppTest run at T={value}: {at.exception[0].message}")
        return seconds

    timed(PLAYGROUND_SEEN[0])
    return {"seen": [timed(v) for v in alternate(PLAYGROUND_SEEN[::-1], n)],
            "new": [timed(v) for v in PLAYGROUND_NEW[:n]]}


# ----------------------------------------------------------------------------- the report


def summary(values: list[float], budget_key: str) -> dict:
    unit, budget = BUDGETS[budget_key]
    return dict(median=statistics.median(values), min=min(values), max=max(values), values=values,
                unit=unit, budget=budget, within=statistics.median(values) <= budget)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.browser_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 repeats of each measure")
    args = parser.parse_args(argv)
    n = REPEATS[args.quick]
    load_before = os.getloadavg()

    raw = browser_figures(n)
    apptest = apptest_server_times(n)

    def of(key, attr, scale=1.0):
        return [getattr(c, attr) / scale for c in raw[key]]

    figures = {
        "payload_new_mb": summary(of("playground_new", "payload", MB), "payload"),
        "payload_seen_mb": summary(of("playground_seen", "payload", MB), "payload"),
        "script_new_s": summary(of("playground_new", "script_s"), "server"),
        "script_seen_s": summary(of("playground_seen", "script_s"), "server"),
        "server_new_s": summary(of("playground_new", "server_s"), "server"),
        "server_seen_s": summary(of("playground_seen", "server_s"), "server"),
        "server_apptest_new_s": summary(apptest["new"], "server"),
        "server_apptest_seen_s": summary(apptest["seen"], "server"),
        "redraw_new_s": summary(of("playground_new", "redraw_s"), "redraw"),
        "redraw_seen_s": summary(of("playground_seen", "redraw_s"), "redraw"),
        "cold_page_s": summary([v.chart_s for v in raw["cold_page"]], "cold"),
        "cold_process_s": summary([v.chart_s for v in raw["cold_process"]], "cold"),
        "floor_s": summary([v.chart_s for v in raw["floor"]], "cold"),
        "lab_new_s": summary(of("lab_new", "redraw_s"), "lab"),
        "lab_seen_s": summary(of("lab_seen", "redraw_s"), "lab"),
        "lab_fresh_s": summary(of("lab_fresh", "redraw_s"), "lab"),
    }
    extras = {
        "server_healthy_s": raw["healthy_s"],
        "cold_page_payload_mb": statistics.median(v.payload / MB for v in raw["cold_page"]),
        "cold_page_steps_s": {k: statistics.median(getattr(v, k) for v in raw["cold_page"])
                              for k in ("loaded_s", "started_s", "chart_msg_s", "finished_s", "chart_s")},
        "cold_process_steps_s": {k: getattr(raw["cold_process"][0], k)
                                 for k in ("loaded_s", "started_s", "chart_msg_s", "finished_s", "chart_s")},
        "redraw_new_outside_s": statistics.median(of("playground_new", "outside_s")),
        "request_to_finish_new_s": statistics.median(of("playground_new", "request_to_finish_s")),
        "server_cpu_new_s": statistics.median(of("playground_new", "server_cpu_s")),
        "server_cpu_seen_s": statistics.median(of("playground_seen", "server_cpu_s")),
        "lab_server_new_s": statistics.median(of("lab_new", "server_s")),
        "lab_script_new_s": statistics.median(of("lab_new", "script_s")),
        "lab_server_seen_s": statistics.median(of("lab_seen", "server_s")),
        "lab_payload_new_mb": statistics.median(of("lab_new", "payload", MB)),
        "load_before": load_before, "load_after": os.getloadavg(),
    }
    print_report(figures, extras, raw, n, args.quick)
    figures.update(extras)
    return figures


ROWS = [
    ("payload_new_mb", "payload per rerun, playground defaults, new T"),
    ("payload_seen_mb", "payload per rerun, playground defaults, T seen"),
    ("script_new_s", "server time per rerun (the script, run log), new T"),
    ("script_seen_s", "server time per rerun (the script, run log), T seen"),
    ("server_new_s", "server time per rerun (new_session..finished), new T"),
    ("server_seen_s", "server time per rerun (new_session..finished), T seen"),
    ("server_apptest_new_s", "server time per rerun, AppTest in-process, new T"),
    ("server_apptest_seen_s", "server time per rerun, AppTest in-process, T seen"),
    ("redraw_new_s", "control change -> chart redrawn, new T"),
    ("redraw_seen_s", "control change -> chart redrawn, T seen"),
    ("cold_page_s", "first chart, cold page (warm server)"),
    ("cold_process_s", "first chart, cold server (one visit)"),
    ("floor_s", "first chart, bare page with a 2-point chart (floor)"),
    ("lab_new_s", "lab horizon change -> charts redrawn, new T"),
    ("lab_seen_s", "lab horizon change -> charts redrawn, T seen"),
    ("lab_fresh_s", "lab seed change -> charts redrawn (nothing kept)"),
]


def print_report(f: dict, x: dict, raw: dict, n: int, quick: bool) -> None:
    print(f"cores: {os.cpu_count()}; load average before {x['load_before'][0]:.2f}, after "
          f"{x['load_after'][0]:.2f} (1 min); Chromium headless, viewport 1280 x 720, server on loopback")
    print(f"{n} repeat(s) per measure; playground T new {PLAYGROUND_NEW[:n]}, seen {PLAYGROUND_SEEN}; "
          f"lab T new {LAB_NEW[:n]}, seen {LAB_SEEN}\n")
    width = max(len(r[1]) for r in ROWS)
    print(f"{'measure':<{width}}  {'median':>8}  {'min':>8}  {'max':>8}  {'budget':>8}  within")
    for key, what in ROWS:
        s = f[key]
        print(f"{what:<{width}}  {s['median']:>8.3f}  {s['min']:>8.3f}  {s['max']:>8.3f}  "
              f"{s['budget']:>6g} {s['unit']:<2} {'yes' if s['within'] else 'NO'}")
    notes = [
        "payload: the bytes of the websocket frames the server sent from the Enter to the run's "
        "script_finished (Playwright's framereceived). With T seen, the browser still holds the charts' "
        "messages and the server sends references to them (ref_hash) instead of the charts.",
        "server time: the script's run in the real server with its real caches, from the app's run log "
        "(the figure held to the budget). new_session..finished: the server's new_session to its "
        "script_finished, both as they arrive here over loopback: the script plus the serialising and "
        "sending of its elements and any wait for a core while the browser draws, without the request's "
        f"trip (request sent -> script_finished: {x['request_to_finish_new_s']:.3f} s median, new T). "
        "AppTest runs the same script in this process, with this process's caches and no websocket. "
        "Server CPU per rerun (/proc): "
        f"new T {x['server_cpu_new_s']:.3f} s, T seen {x['server_cpu_seen_s']:.3f} s.",
        "redrawn: on the page's clock, from the Enter keydown to the first animation frame with the "
        "slider at 'step T' and the script idle (timed outside the page: "
        f"{x['redraw_new_outside_s']:.3f} s, new T). Lab: to its {LAB_CHARTS_OF_T} charts of T (the heat "
        f"maps, the line view) holding new data, idle; its script {x['lab_script_new_s']:.3f} s and new_session..finished {x['lab_server_new_s']:.3f} s new T, "
        f"{x['lab_server_seen_s']:.3f} s seen; its payload {x['lab_payload_new_mb']:.3f} MB new T.",
        "cold page: goto() to the map's first .main-svg visible, in a fresh context; its websocket payload "
        f"{x['cold_page_payload_mb']:.3f} MB. The cold server answered its health check "
        f"{x['server_healthy_s']:.1f} s after its start; its first visit is the 'cold server' row. The floor: "
        "the same visit to bench/floor_app.py (a title and a two-point Plotly chart) on its own server; "
        f"the cold page takes {f['cold_page_s']['median'] / f['floor_s']['median']:.2f} x the floor "
        f"(medians), {f['cold_page_s']['median'] - f['floor_s']['median']:.2f} s more.",
    ]
    print()
    for note in notes:
        print(textwrap.fill(note, width=110, subsequent_indent="  "))
    print("seconds after goto() (median of the cold pages; the cold server's one visit):")
    for what, steps in (("cold page", x["cold_page_steps_s"]), ("cold server", x["cold_process_steps_s"])):
        print(f"  {what + ':':<13} load event {steps['loaded_s']:.2f}, script started {steps['started_s']:.2f}, "
              f"map's message in {steps['chart_msg_s']:.2f}, script finished {steps['finished_s']:.2f}, "
              f"map visible {steps['chart_s']:.2f}")
    for what, visit in (("cold page", raw["cold_page"][-1]), ("cold server", raw["cold_process"][0])):
        got = visit.static
        print(f"  {what + ':':<13} {got['count']} files over HTTP, {got['transfer'] / MB:.2f} MB on the wire "
              f"({got['decoded'] / MB:.2f} MB decoded), the last at {got['last_end_s']:.2f} s; the biggest, "
              f"{got['biggest']} ({got['biggest_decoded'] / MB:.2f} MB), at {got['biggest_end_s']:.2f} s")
    print("\nwhere a playground rerun's bytes go (the last new-T change):")
    for line in composition(raw["playground_new"][-1].frames):
        print("  " + line)
    print("\nwhere a lab rerun's bytes go (the last new-T change):")
    for line in composition(raw["lab_new"][-1].frames, top=3):
        print("  " + line)
    print("command: python -m bench.browser_speed" + (" --quick" if quick else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
