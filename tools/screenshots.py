#!/usr/bin/env python3
"""Screenshots of the addon in the Odoo web client, for the README.

Needs an Odoo server with the addon and its demo data (tools/dev.sh screenshots
starts one) and Chromium. It logs in over JSON-RPC, hands the session to a
headless Chromium through the DevTools protocol, opens each screen by the xml
id of its action (and record), waits until the view has loaded and saves a PNG.

    .venv/bin/python tools/screenshots.py --url http://localhost:8069 --db order_fulfilment_demo
    .venv/bin/python tools/screenshots.py --db order_fulfilment_demo --only rush-orders
    .venv/bin/python tools/screenshots.py --db order_fulfilment_demo --check   # verify only, temp dir

A screen whose action or record is missing from the database is skipped with a
warning. Add screens to SCREENS below.

Two screens are not views of the web client: ``kind="mail"`` shows the review e-mail
(the queued mail.mail of a pending review of the record) as a mail client would, and
``kind="decision"`` opens its Approve link as the reviewer it was sent to (demo users'
passwords are their logins), on a phone-sized window (``size``).
"""

import argparse
import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots"
# A screenshot of a loaded view is far larger than this; a blank page is smaller.
MIN_PNG_BYTES = 20_000

# JavaScript run in the page. READY is true once the web client shows the
# view and nothing is loading any more.
READY_JS = """
(() => {
    const sel = %(selector)s;
    if (document.readyState !== 'complete') return false;
    if (document.querySelector('.oe_login_form')) return 'login';
    if (!document.querySelector(sel)) return false;
    if (document.querySelector('.o_loading_indicator, .o_blockUI')) return false;
    return true;
})()
"""

# Clicks a form's header button by its method name (once; the view is awaited again).
CLICK_BUTTON_JS = """
(() => {
    const button = document.querySelector(`.o_form_view button[name=${%(name)s}]`);
    if (button && !window.__fulfilment_clicked) { window.__fulfilment_clicked = true; button.click(); }
    return !!button;
})()
"""

# Opens a form's notebook page by its label.
OPEN_TAB_JS = """
(() => {
    const label = %(label)s;
    const link = [...document.querySelectorAll('.o_notebook .nav-link')]
        .find((a) => a.textContent.trim() === label);
    if (link) { link.click(); return true; }
    return false;
})()
"""

# Shows every record when the default filter of a list finds none.
ALL_RECORDS_IF_EMPTY_JS = """
(() => {
    if (document.querySelector('.o_data_row, .o_kanban_record:not(.o_kanban_ghost)')) return false;
    const remove = document.querySelector('.o_searchview_facet .o_facet_remove');
    if (remove) { remove.click(); return true; }
    return false;
})()
"""


@dataclass
class Screen:
    """One screenshot: an action by xml id, optionally one of its records."""

    name: str
    title: str
    action: str
    selector: str
    record: str = ""
    # When no record xml id is given: the first record of this model (by default the action's,
    # when a domain or an order is given) and domain.
    model: str = ""
    domain: list = field(default_factory=list)
    order: str = "id"
    # JavaScript expressions run once the view is ready; the view is awaited again after each.
    scripts: list = field(default_factory=list)
    # A printed document instead of a view: the report's name (action is then its xml id).
    report: str = ""
    # "view" (the web client), "mail" (the review e-mail of the record) or "decision" (the page
    # its Approve link opens, as the reviewer it was sent to).
    kind: str = "view"
    # WIDTHxHEIGHT of the window for this screen, else --size; mobile: as a phone shows it.
    size: str = ""
    mobile: bool = False
    # The whole page, not only the window (a page that scrolls, not the web client).
    full_page: bool = False


# What a view shows once it is loaded.
FORM = ".o_form_view .o_form_sheet"
KANBAN = ".o_kanban_view .o_kanban_record, .o_view_nocontent"
LIST = ".o_list_view .o_data_row, .o_view_nocontent"
CHART = ".o_graph_view canvas, .o_pivot, .o_view_nocontent"


def open_tab(label):
    return OPEN_TAB_JS % {"label": json.dumps(label)}


def click_button(name):
    return CLICK_BUTTON_JS % {"name": json.dumps(name)}


def form(name, title, action, tab="", scripts=(), **record):
    """A record's form (``record=`` its xml id, or ``model=``, ``domain=`` and ``order=``), on the
    notebook page ``tab`` when given (after ``scripts``)."""
    steps = [*scripts, *([open_tab(tab)] if tab else [])]
    selector = ".o_form_view .o_notebook" if tab else FORM
    return Screen(name=name, title=title, action=action, selector=selector, scripts=steps, **record)


def kanban(name, title, action):
    return Screen(name=name, title=title, action=action, selector=KANBAN)


def every_record_list(name, title, action, selector=LIST):
    """A list; every record when its default filter finds none."""
    return Screen(name=name, title=title, action=action, selector=selector, scripts=[ALL_RECORDS_IF_EMPTY_JS])


def review_page(name, title, kind, selector, **options):
    """A page of the pending review of the demo quotation outside the web client (``kind``)."""
    return Screen(
        name=name,
        title=title,
        action="order_fulfilment.fulfilment_review_action",
        record="order_fulfilment.sale_order_demo_review_pending",
        kind=kind,
        full_page=True,
        selector=selector,
        **options,
    )


def chart(name, title, action):
    return Screen(name=name, title=title, action=action, selector=CHART)


SCREENS = [
    form(
        "quotation-review-required",
        "A quotation that needs review: the banner naming the departments that must sign",
        "sale.action_quotations_with_onboarding",
        record="order_fulfilment.sale_order_demo_review_draft",
    ),
    form(
        "quotation-review",
        "A quotation under review: Approve / Reject and the Reviews tab with each sign-off",
        "sale.action_quotations_with_onboarding",
        tab="Reviews",
        record="order_fulfilment.sale_order_demo_review_pending",
    ),
    every_record_list(
        "reviews",
        "Fulfilment > Reviews: the sign-offs waiting for a decision",
        "order_fulfilment.fulfilment_review_action",
        selector=".o_list_view, .o_view_nocontent",
    ),
    form(
        "quotation-feasible-date",
        "Check Feasible Date: the earliest date the plant can make and ship the quotation, and why",
        "sale.action_quotations_with_onboarding",
        tab="Feasible Date",
        scripts=[click_button("action_fulfilment_check_feasible")],
        record="order_fulfilment.sale_order_demo_review_draft",
    ),
    kanban(
        "rush-orders",
        "Sales > Rush Orders: the board of open rush orders",
        "order_fulfilment.sale_order_rush_action",
    ),
    form(
        "rush-production",
        "A manufacturing order made for a rush order: urgent, with the Rush ribbon",
        "mrp.mrp_production_action",
        domain=[["fulfilment_is_rush", "=", True]],
    ),
    form(
        "change-request",
        "An order change request with its lines and approvals",
        "order_fulfilment.fulfilment_change_request_action",
        domain=[["state", "in", ["submitted", "approved", "applied"]]],
        order="state desc, id",
    ),
    kanban(
        "aftersales-tickets",
        "After-sales tickets by stage, with their service-level state",
        "order_fulfilment.fulfilment_ticket_action",
    ),
    Screen(
        name="aftersales-email-ticket",
        title="A ticket opened by the customer's e-mail: acknowledged, then waiting for the customer",
        action="order_fulfilment.fulfilment_ticket_action",
        domain=[["description", "ilike", "pump vibrates at full speed"]],
        selector=".o_form_view .o-mail-Message",
        # Wide enough for the chatter (the e-mail and the acknowledgement) beside the form.
        size="1600x1000",
    ),
    form(
        "aftersales-repair",
        "A repair ticket in warranty: its repair order (the Repair button) and the repair's status",
        "order_fulfilment.fulfilment_ticket_action",
        domain=[["repair_id", "!=", False]],
        order="id desc",
    ),
    form(
        "lot-service-history",
        "A serial number: its warranty end and its service history (tickets, returns, repairs)",
        "stock.action_production_lot_form",
        tab="Service History",
        domain=[["name", "=", "BP40-2601"]],
    ),
    every_record_list(
        "sla-policies",
        "Resolution targets: the hours to resolve a ticket, per type and priority",
        "order_fulfilment.fulfilment_sla_policy_action",
    ),
    Screen(
        name="review-report",
        title="The printed order review report (订单评审报告) of the quotation under review",
        action="order_fulfilment.fulfilment_review_report_action",
        report="order_fulfilment.fulfilment_review_report",
        record="order_fulfilment.sale_order_demo_review_pending",
        selector=".page .o_fulfilment_signatures",
    ),
    form(
        "review-delegation",
        "My Delegations: a reviewer's absence and the substitute who decides their reviews meanwhile",
        "order_fulfilment.fulfilment_review_delegation_action",
        order="date_from desc, id",
    ),
    review_page(
        "review-mail",
        "The review e-mail: the key facts of the quotation and the Approve / Reject links",
        "mail",
        ".o_fulfilment_mail a[href*='/approve?']",
    ),
    review_page(
        "review-decision-phone",
        "The page of the Approve link on a phone: the facts, then one tap to confirm",
        "decision",
        ".o_fulfilment_review_decision .o_fulfilment_review_facts",
        size="390x844",
        mobile=True,
    ),
    chart(
        "fulfilment-analysis",
        "Fulfilment analysis: on time in full, review and change figures",
        "order_fulfilment.fulfilment_analysis_action",
    ),
    chart(
        "sla-compliance",
        "After-sales SLA compliance: share of tickets assigned, contacted and resolved on time",
        "order_fulfilment.fulfilment_ticket_analysis_action",
    ),
    # Quality inspection
    every_record_list(
        "quality-inspect-tablet",
        "The inspector's tablet list: Pass / Fail per item, measures typed in the row",
        "order_fulfilment.fulfilment_quality_check_line_action_tablet",
    ),
    kanban(
        "quality-nonconformities",
        "Nonconformities by disposition, a concession waiting for its sign-off",
        "order_fulfilment.fulfilment_nonconformity_action",
    ),
]


def warn(message):
    print(f"[screenshots] {message}", file=sys.stderr)


class ScreenshotError(Exception):
    pass


# ----------------------------------------------------------------------------
# Odoo over JSON-RPC
# ----------------------------------------------------------------------------
class Odoo:
    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.db = db
        self.http = requests.Session()
        result = self._rpc("/web/session/authenticate", {"db": db, "login": login, "password": password})
        if not result or not result.get("uid"):
            raise ScreenshotError(f"cannot log in to {self.url} (database {db}) as {login}")
        self.session_id = self.http.cookies.get("session_id")
        if not self.session_id:
            raise ScreenshotError("the server sent no session cookie")

    def _rpc(self, path, params):
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        response = self.http.post(self.url + path, json=payload, timeout=120)
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            error = body["error"].get("data", {}).get("message") or body["error"].get("message")
            raise ScreenshotError(f"{path}: {error}")
        return body.get("result")

    def call(self, model, method, *args, **kwargs):
        return self._rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def xmlid(self, xmlid):
        """(model, id) of an xml id, or None when it does not exist."""
        module, __, name = xmlid.partition(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [["module", "=", module], ["name", "=", name]],
            fields=["model", "res_id"],
            limit=1,
        )
        return (rows[0]["model"], rows[0]["res_id"]) if rows else None

    def review_mail(self, screen):
        """The newest queued review e-mail of a pending review of the screen's record, in
        English when there is one: a dict of the mail.mail's fields, or None (with a warning)."""
        record = self.xmlid(screen.record)
        if not record:
            warn(f"skipped {screen.name}: the record {screen.record} does not exist in this database")
            return None
        review_ids = self.call(
            "fulfilment.review",
            "search",
            [["res_model", "=", record[0]], ["res_id", "=", record[1]], ["state", "=", "pending"]],
        )
        mails = self.call(
            "mail.mail",
            "search_read",
            [["model", "=", "fulfilment.review"], ["res_id", "in", review_ids]],
            fields=["subject", "email_from", "body_html", "recipient_ids"],
            order="id desc",
        )
        mails = [mail for mail in mails if "/approve?" in (mail["body_html"] or "") and mail["recipient_ids"]]
        if not mails:
            warn(f"skipped {screen.name}: no review e-mail of a pending review of {screen.record}")
            return None
        english = [mail for mail in mails if "Approve" in mail["body_html"]]
        mail = (english or mails)[0]
        partner = self.call("res.partner", "read", mail["recipient_ids"][:1], fields=["name", "email"])[0]
        mail["to"] = f"{partner['name']} <{partner['email']}>"
        users = self.call(
            "res.users", "search_read", [["partner_id", "=", partner["id"]]], fields=["login"], limit=1
        )
        mail["login"] = users[0]["login"] if users else None
        # The links and images point at the base URL the database had when the mail was made;
        # show them from this server.
        base = re.search(r'href="(https?://[^/"]+)/fulfilment/review/', mail["body_html"])
        if base:
            mail["body_html"] = mail["body_html"].replace(base.group(1), self.url)
        mail["body_html"] = re.sub(r'(src|href)="/', rf'\1="{self.url}/', mail["body_html"])
        # Images inline, as a mail client shows them (a page of its own loads nothing else).
        mail["body_html"] = re.sub(r'src="([^"]+)"', self._inline_image, mail["body_html"])
        return mail

    def _inline_image(self, match):
        url = html.unescape(match.group(1))
        if not url.startswith(self.url):
            return match.group(0)
        try:
            response = self.http.get(url, timeout=60)
            response.raise_for_status()
        except requests.RequestException:
            return match.group(0)
        kind = response.headers.get("Content-Type", "image/png").split(";")[0]
        return f'src="data:{kind};base64,{base64.b64encode(response.content).decode()}"'

    def url_of(self, screen):
        """The web client URL of a screen, or None (with a warning) when it cannot be shown."""
        action = self.xmlid(screen.action)
        if not action:
            warn(f"skipped {screen.name}: the action {screen.action} does not exist in this database")
            return None
        url = f"{self.url}/odoo/action-{action[1]}"
        if screen.report:
            url = f"{self.url}/report/html/{screen.report}"
        if screen.record:
            record = self.xmlid(screen.record)
            if not record:
                warn(f"skipped {screen.name}: the record {screen.record} does not exist in this database")
                return None
            url += f"/{record[1]}"
        elif screen.model or screen.domain or screen.order != "id":
            model = screen.model or self.call(action[0], "read", [action[1]], ["res_model"])[0]["res_model"]
            ids = self.call(model, "search", screen.domain, limit=1, order=screen.order)
            if not ids:
                warn(f"skipped {screen.name}: no {model} record matches {screen.domain}")
                return None
            url += f"/{ids[0]}"
        return url


# ----------------------------------------------------------------------------
# Chromium over the DevTools protocol
# ----------------------------------------------------------------------------
def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, binary, width, height):
        self.width, self.height = width, height
        self.profile = tempfile.mkdtemp(prefix="of-screenshots-")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ws = None
        self.next_id = 0
        try:
            self._connect()
        except Exception:
            self.close()
            raise

    def _connect(self):
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None or time.time() > deadline:
                raise ScreenshotError("Chromium did not start its DevTools server")
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        while True:
            try:
                pages = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json()
                page = next(p for p in pages if p.get("type") == "page")
                break
            except (requests.RequestException, StopIteration) as error:
                if time.time() > deadline:
                    raise ScreenshotError(f"no Chromium page to drive: {error}") from error
                time.sleep(0.2)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.send("Page.enable")
        self.resize(self.width, self.height)

    def resize(self, width, height, mobile=False):
        """The size of the page; ``mobile``: as a phone shows it (meta viewport, touch)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=2 if mobile else 1,
            mobile=mobile,
        )
        self.send("Emulation.setTouchEmulationEnabled", enabled=mobile)

    def send(self, method, **params):
        self.next_id += 1
        message_id = self.next_id
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise ScreenshotError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if result.get("exceptionDetails"):
            return None
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout):
        """Waits until the view shows `selector` and stays loaded for a moment."""
        expression = READY_JS % {"selector": json.dumps(selector)}
        deadline = time.time() + timeout
        ready_since = None
        while time.time() < deadline:
            state = self.evaluate(expression)
            if state == "login":
                raise ScreenshotError("the browser shows the login page: the session was not accepted")
            if state is True:
                ready_since = ready_since or time.time()
                # Ready twice, 0.8 s apart: the view has finished rendering and animating.
                if time.time() - ready_since >= 0.8:
                    return
            else:
                ready_since = None
            time.sleep(0.2)
        raise ScreenshotError(f"the page did not show {selector!r} within {timeout} s")

    def set_session(self, url, session_id):
        self.send("Network.enable")
        self.send("Network.setCookie", name="session_id", value=session_id, url=url, path="/")

    def open(self, url):
        self.send("Page.navigate", url=url)

    def screenshot(self, full_page=False):
        params = {}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params = {
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
            }
        result = self.send("Page.captureScreenshot", format="png", fromSurface=True, **params)
        return base64.b64decode(result["data"])

    def close(self):
        if self.ws is not None:
            try:
                self.ws.close()
            except websocket.WebSocketException:
                pass
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


# An e-mail as a mail client shows it: the envelope, then the message.
MAIL_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%(subject)s</title>
<style>
body { margin: 0; background: #f3f4f6; font-family: Arial, Helvetica, sans-serif; }
.envelope { background: #fff; border-bottom: 1px solid #d1d5db; padding: 16px 24px; }
.envelope h1 { font-size: 20px; margin: 0 0 10px; color: #111827; }
.envelope div { font-size: 13px; color: #4b5563; line-height: 1.6; }
.message { max-width: 760px; margin: 16px auto; background: #fff; padding: 8px 16px; }
</style></head>
<body class="o_fulfilment_mail">
<div class="envelope"><h1>%(subject)s</h1>
<div><b>From:</b> %(sender)s</div><div><b>To:</b> %(to)s</div></div>
<div class="message">%(body)s</div>
</body></html>
"""


def open_screen(odoo, browser, screen):
    """Opens the page of a screen; False (with a warning) when it cannot be shown."""
    if screen.kind == "view":
        url = odoo.url_of(screen)
        if url is None:
            return False
        browser.open(url)
        return True
    mail = odoo.review_mail(screen)
    if mail is None:
        return False
    if screen.kind == "mail":
        page = MAIL_PAGE % {
            "subject": html.escape(mail["subject"] or ""),
            "sender": html.escape(mail["email_from"] or ""),
            "to": html.escape(mail["to"]),
            "body": mail["body_html"],
        }
        browser.open("data:text/html;base64," + base64.b64encode(page.encode()).decode())
        return True
    links = re.findall(r'href="([^"]*/fulfilment/review/\d+/approve\?[^"]*)"', mail["body_html"])
    if not links or not mail["login"]:
        warn(f"skipped {screen.name}: no Approve link of a user in the review e-mail")
        return False
    try:
        reviewer = Odoo(odoo.url, odoo.db, mail["login"], mail["login"])
    except ScreenshotError as error:
        warn(f"skipped {screen.name}: {error} (demo users' passwords are their logins)")
        return False
    browser.set_session(odoo.url, reviewer.session_id)
    browser.open(html.unescape(links[0]))
    return True


def take(odoo, browser, screen, out_dir, timeout):
    if screen.size:
        browser.resize(*(int(v) for v in screen.size.lower().split("x")), mobile=screen.mobile)
    try:
        return _take(odoo, browser, screen, out_dir, timeout)
    finally:
        if screen.size:
            browser.resize(browser.width, browser.height)
        if screen.kind == "decision":
            browser.set_session(odoo.url, odoo.session_id)


def _take(odoo, browser, screen, out_dir, timeout):
    if not open_screen(odoo, browser, screen):
        return None
    browser.wait_for(screen.selector, timeout)
    for script in screen.scripts:
        if browser.evaluate(script):
            time.sleep(1.0)
            browser.wait_for(screen.selector, timeout)
    if browser.evaluate("!!document.querySelector('.o_error_dialog')"):
        raise ScreenshotError(f"{screen.name}: the web client shows an error dialog")
    # Nothing keeps the focus blinking or a tooltip open in the picture.
    browser.evaluate("document.activeElement && document.activeElement.blur()")
    path = out_dir / f"{screen.name}.png"
    path.write_bytes(browser.screenshot(full_page=screen.full_page))
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url", default="http://localhost:8069", help="the Odoo server (default %(default)s)"
    )
    parser.add_argument("--db", default="order_fulfilment_demo", help="database (default %(default)s)")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder for the PNGs (default docs/screenshots)"
    )
    parser.add_argument("--size", default="1280x800", help="window size WIDTHxHEIGHT (default %(default)s)")
    parser.add_argument("--only", nargs="*", default=None, help="names of the screens to take")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for each screen")
    parser.add_argument(
        "--check",
        action="store_true",
        help="take the screens into a temporary folder and only check that each one rendered",
    )
    parser.add_argument("--list", action="store_true", help="list the screens and exit")
    args = parser.parse_args(argv)

    screens = SCREENS
    if args.list:
        for screen in screens:
            print(f"{screen.name:22} {screen.title}")
        return 0
    if args.only:
        unknown = set(args.only) - {s.name for s in SCREENS}
        if unknown:
            parser.error(f"unknown screens: {', '.join(sorted(unknown))} (see --list)")
        screens = [s for s in SCREENS if s.name in args.only]
    binary = os.environ.get("CHROMIUM") or find_chromium()
    if not binary:
        print("skipped: no chromium")
        return 0
    width, height = (int(v) for v in args.size.lower().split("x"))
    out_dir = Path(tempfile.mkdtemp(prefix="of-screenshots-out-")) if args.check else args.out
    out_dir.mkdir(parents=True, exist_ok=True)

    odoo = Odoo(args.url, args.db, args.login, args.password)
    browser = Browser(binary, width, height)
    failures = []
    try:
        browser.set_session(odoo.url, odoo.session_id)
        for screen in screens:
            try:
                path = take(odoo, browser, screen, out_dir, args.timeout)
            except (ScreenshotError, websocket.WebSocketException, requests.RequestException) as error:
                failures.append(screen.name)
                warn(f"FAILED {screen.name}: {error}")
                continue
            if path is None:
                continue
            size = path.stat().st_size
            if size < MIN_PNG_BYTES:
                failures.append(screen.name)
                warn(f"FAILED {screen.name}: {path} is only {size} bytes, the page looks empty")
            else:
                shown = path if not args.check else path.name
                print(f"{screen.name}: {shown} ({size // 1024} KiB) - {screen.title}")
    finally:
        browser.close()
        if args.check:
            shutil.rmtree(out_dir, ignore_errors=True)
    if failures:
        warn(f"{len(failures)} screen(s) failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
