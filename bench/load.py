"""A classroom as a load test: N sessions on loopback follow a lesson's script against a fresh
server, and the figures a teacher cares about are printed (never asserted).

Each session: open a page from a shared link, change a control, press Play, open a second page.
The sessions arrive within a few seconds of each other (``--spread``). Reported: errors, sessions
served, time to the first chart (p50, p95), and the server's resident memory: before the class
(after one warm-up visit of each page, so the libraries are loaded), at its peak, and a minute
after the class has left.

Two kinds of student (``--client``):

* ``protocol`` (the default): a websocket client speaking Streamlit's own protocol, as a browser
  does (a ``rerun_script`` with the link's query, the new value of "steps T" as a widget state, a
  new connection for the second page), that draws nothing. In a classroom every student's browser
  draws on the student's own machine; this client loads the server exactly that way, so 30 of them
  measure the server a class would meet. Its "first chart" is the map's message arriving (the
  drawing that follows takes a browser 2-5 s on its own machine: ``bench/browser_speed.py``).
* ``chromium``: real headless Chromium sessions, drawing every chart. On the server's own machine
  the 30 renderers take the cores, so this measures the machine, not the server.

    python -m bench.load --sessions 30                      # defaults: the playground, then the lens
    python -m bench.load --sessions 30 --heavy              # every optimizer, 10,000 steps
    python -m bench.load --sessions 10 --client chromium    # real browsers on this machine

The server listens on 127.0.0.1 only, every request goes there, and the run stops by itself
(``--timeout`` per session step). Chromium: Debian's (/usr/bin/chromium) or Playwright's own.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import random
import threading
import time

from bench import serve

CHART = "[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
ERROR = "[data-testid='stException']"
ALL_OPTIMIZERS = "sgd,momentum,nesterov,adagrad,rmsprop,adam,adam_nobc,amsgrad,adamax,adabound,amsbound"
LINKS = {
    False: ("playground?ls=rosenbrock&opt=sgd,momentum,adam,adabound", "lens"),
    True: (f"playground?ls=rosenbrock&opt={ALL_OPTIMIZERS}&T=10000", f"lens?opt={ALL_OPTIMIZERS}&T=10000"),
}


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """The server's RSS every 0.25 s, keeping the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0.0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.25)


async def _settle(page, timeout_ms: float) -> None:
    await page.wait_for_timeout(150)
    await page.wait_for_selector(IDLE, timeout=timeout_ms)


async def _check(page) -> None:
    if await page.locator(ERROR).count():
        raise RuntimeError((await page.locator(ERROR).first.inner_text())[:200])


async def lesson(browser, base: str, links: tuple[str, str], delay: float, timeout_ms: float) -> dict:
    """One student's session; returns its time to the first chart, or the error that ended it."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    out: dict = {"error": None, "first_chart": None}
    try:
        t0 = time.perf_counter()
        await page.goto(f"{base}/{links[0]}", timeout=timeout_ms)
        await page.wait_for_selector(CHART, state="visible", timeout=timeout_ms)
        out["first_chart"] = time.perf_counter() - t0
        await _settle(page, timeout_ms)
        await _check(page)
        steps = page.get_by_role("spinbutton", name="steps T")  # change a control
        await steps.fill(str(random.choice([300, 400, 600, 700])))
        await steps.press("Enter")
        await _settle(page, timeout_ms)
        await page.wait_for_selector(CHART, state="visible", timeout=timeout_ms)
        await _check(page)
        await page.locator("[data-testid='stPlotlyChart']").first.get_by_text("▶", exact=True).click()  # press Play
        await page.wait_for_timeout(1500)
        await page.goto(f"{base}/{links[1]}", timeout=timeout_ms)  # the second page
        await page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)
        await _settle(page, timeout_ms)
        await page.wait_for_selector(CHART, state="visible", timeout=timeout_ms)
        await _check(page)
    except Exception as err:  # a timeout or an error box: this session was not served
        out["error"] = f"{type(err).__name__}: {str(err).splitlines()[0][:160]}"
    finally:
        await context.close()
    return out


async def classroom(base: str, n: int, heavy: bool, spread: float, timeout_ms: float) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        executable = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None
        browser = await p.chromium.launch(executable_path=executable, headless=True,
                                          args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            if n == 0:  # the warm-up: one visit of each page of the lesson
                await lesson(browser, base, LINKS[heavy], 0.0, timeout_ms)
                return []
            rng = random.Random(0)
            return await asyncio.gather(*(lesson(browser, base, LINKS[heavy], rng.uniform(0, spread), timeout_ms)
                                          for _ in range(n)))
        finally:
            await browser.close()


# ----------------------------------------------------------------------------- the protocol client


class ProtocolSession:
    """One browser tab's conversation with the server, without the drawing: it sends what the
    front end sends (``BackMsg``) and reads what the server sends (``ForwardMsg``)."""

    def __init__(self, ws, base: str):
        self.ws, self.base = ws, base
        self.widgets: dict[str, str] = {}  # a widget's user key -> its element id
        self.query = ""
        self.first_chart: float | None = None  # perf_counter when the first chart's message came

    def _client_state(self, page: str, query: str, widgets=()):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = query
        rerun.page_name = page
        rerun.widget_states.SetInParent()
        for widget_id, value in widgets:
            w = rerun.widget_states.widgets.add()
            w.id = widget_id
            w.int_value = value
        info = rerun.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = f"{self.base}/{page}"
        return msg.SerializeToString()

    async def run(self, page: str, query: str, widgets=(), timeout: float = 120.0) -> None:
        """Ask for a run and read until it has finished; an exception element or a run that ends
        in error raises."""
        await self.ws.send(self._client_state(page, query, widgets))
        await asyncio.wait_for(self._read_run(), timeout)

    async def _read_run(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        done = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    raise RuntimeError(f"exception: {element.exception.message[:160]}")
                if which == "plotly_chart" and self.first_chart is None:
                    self.first_chart = time.perf_counter()
                widget_id = getattr(getattr(element, which), "id", "") if which else ""
                if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
                    self.widgets[widget_id.rsplit("-", 1)[-1]] = widget_id
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "script_finished" and msg.script_finished in done:
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("the page's script did not compile")
                return


async def protocol_lesson(base: str, links: tuple[str, str], delay: float, timeout: float) -> dict:
    """The lesson, spoken in Streamlit's protocol over one websocket per page visit."""
    import websockets

    await asyncio.sleep(delay)
    out: dict = {"error": None, "first_chart": None}
    uri = base.replace("http://", "ws://") + "/_stcore/stream"
    # no client-side keepalive pings: a browser sends none (it answers the server's), and a server
    # busy running scripts would answer them late and have the connection dropped for it
    connect = dict(subprotocols=["streamlit"], max_size=None, origin=base, open_timeout=timeout,
                   ping_interval=None)
    try:
        page, _, query = links[0].partition("?")
        t0 = time.perf_counter()
        async with websockets.connect(uri, **connect) as ws:
            tab = ProtocolSession(ws, base)
            await tab.run(page, query, timeout=timeout)
            if tab.first_chart is None:
                raise RuntimeError(f"{page} sent no chart")
            out["first_chart"] = tab.first_chart - t0
            steps = tab.widgets.get("T")  # change a control: "steps T"
            if steps is None:
                raise RuntimeError("no 'steps T' control on the page")
            await tab.run(page, tab.query, [(steps, random.choice([300, 400, 600, 700]))], timeout=timeout)
            await asyncio.sleep(1.5)  # press Play: the animation runs in the browser alone
        page, _, query = links[1].partition("?")
        async with websockets.connect(uri, **connect) as ws:  # the second page: a new page load
            tab = ProtocolSession(ws, base)
            await tab.run(page, query, timeout=timeout)
            if tab.first_chart is None:
                raise RuntimeError(f"{page} sent no chart")
    except Exception as err:  # a timeout, a refused connection or an error element: not served
        out["error"] = f"{type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}"
    return out


async def protocol_classroom(base: str, n: int, heavy: bool, spread: float, timeout_ms: float) -> list[dict]:
    timeout = timeout_ms / 1000
    if n == 0:
        await protocol_lesson(base, LINKS[heavy], 0.0, timeout)
        return []
    rng = random.Random(0)
    return await asyncio.gather(*(protocol_lesson(base, LINKS[heavy], rng.uniform(0, spread), timeout)
                                  for _ in range(n)))


CLASSROOMS = {"protocol": protocol_classroom, "chromium": classroom}


def run_in_own_loop(coro):
    """``asyncio.run(coro)`` in a thread of its own: the caller's thread may already have a running
    event loop (a test session that holds Playwright's sync API has one), where asyncio.run refuses."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--heavy", action="store_true", help="every optimizer at 10,000 steps")
    ap.add_argument("--spread", type=float, default=3.0, help="seconds over which the sessions arrive")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds a session step may take")
    ap.add_argument("--after", type=float, default=60.0, help="seconds to wait after the class for the RSS")
    ap.add_argument("--cold", action="store_true", help="no warm-up visit before the class")
    ap.add_argument("--client", choices=sorted(CLASSROOMS), default="protocol",
                    help="protocol: websocket sessions that draw nothing (the default); chromium: real browsers")
    args = ap.parse_args(argv)
    run_class = CLASSROOMS[args.client]

    port = serve.free_port()
    server = serve.start(port)
    base = f"http://127.0.0.1:{port}"
    if not serve.healthy(base):
        serve.stop(server)
        raise SystemExit("the server did not become healthy within 90 s")
    try:
        fresh = rss_mb(server.pid)
        if not args.cold:
            run_in_own_loop(run_class(base, 0, args.heavy, 0.0, args.timeout * 1000))
        before = rss_mb(server.pid)
        cpu_before = cpu_seconds(server.pid)
        sampler = Sampler(server.pid)
        sampler.start()
        t0 = time.perf_counter()
        results = run_in_own_loop(run_class(base, args.sessions, args.heavy, args.spread, args.timeout * 1000))
        wall = time.perf_counter() - t0
        server_cpu = cpu_seconds(server.pid) - cpu_before
        sampler.stop.set()
        time.sleep(args.after)
        after = rss_mb(server.pid)
    finally:
        serve.stop(server)

    errors = [r["error"] for r in results if r["error"]]
    firsts = [r["first_chart"] for r in results if r["first_chart"] is not None]
    kind = "heavy (11 optimizers x 10,000 steps)" if args.heavy else "defaults"
    print(f"python -m bench.load --sessions {args.sessions}{' --heavy' if args.heavy else ''}"
          f"{' --cold' if args.cold else ''} --client {args.client}: {args.sessions} {args.client} sessions at "
          f"{kind}, arriving within {args.spread:g} s")
    print(f"  sessions served: {args.sessions - len(errors)} of {args.sessions}; errors: {len(errors)}; "
          f"the whole class took {wall:.1f} s")
    print(f"  time to the first chart: p50 {percentile(firsts, 50):.1f} s, p95 {percentile(firsts, 95):.1f} s, "
          f"max {max(firsts, default=float('nan')):.1f} s")
    rest = ("the browsers, on the same machine, had the rest" if args.client == "chromium"
            else "the clients draw nothing")
    print(f"  server CPU during the class: {server_cpu:.1f} s of {wall:.1f} s x {os.cpu_count()} cores "
          f"({server_cpu / max(args.sessions, 1):.2f} s a session); {rest}")
    print(f"  server RSS: fresh {fresh:.0f} MB, before the class {before:.0f} MB, peak {sampler.peak:.0f} MB, "
          f"{args.after:g} s after {after:.0f} MB ({after / before:.2f} x before)")
    for e in sorted(set(errors))[:5]:
        print(f"  error ({errors.count(e)}x): {e}")
    return dict(sessions=args.sessions, served=args.sessions - len(errors), errors=errors, first_charts=firsts,
                server_cpu_s=server_cpu, rss_mb=dict(fresh=fresh, before=before, peak=sampler.peak, after=after))


if __name__ == "__main__":
    main()
