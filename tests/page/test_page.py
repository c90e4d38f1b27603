#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""The browser page in a real Chromium (Debian's, driven by playwright-core through driver.mjs),
against the real gateway, a private Prosody with a slixmpp peer (who also sends files) and a
private ngircd with an IRC peer (tests/integration/lilac_harness.py); some tests start more: a
Prosody with a self-signed certificate, a gateway that keeps few events. Each test is one TAP
case; they run in order and share the browser, the way one person would use the page.
Screenshots are written under the build folder (tests/page-screenshots/) for a person to look
at; a failing test adds a screenshot of the first tab there. LILAC_PAGE_SLOW=1 reports each
browser command that takes over a second."""

import asyncio
import datetime
import gzip
import hashlib
import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))

import lilac_harness as h  # noqa: E402
import test_files  # noqa: E402  (the slixmpp side of file transfers)
from lilac_harness import expect  # noqa: E402

DRIVER = os.path.join(HERE, "driver.mjs")
SCREENSHOTS = os.path.join(h.BUILD_ROOT, "tests", "page-screenshots")
ANN_PASSWORD = "ann-page-pw-1"
ROOT_PASSWORD = "root-page-pw-1"
ALICE_PASSWORD = "alice-page-pw"
BOB_PASSWORD = "bob-page-pw"
PAGE_WEIGHT_LIMIT = 150 * 1000


# ------------------------------------------------------------------------------------------------
# The browser, through driver.mjs
# ------------------------------------------------------------------------------------------------

class Browser:
    """One node process running driver.mjs, in a process group of its own (Chromium included)."""

    def __init__(self):
        self.log_path = os.path.join(h.make_temp_dir("lilac-page-driver-"), "driver.log")
        log = open(self.log_path, "wb")
        env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
        self.process = subprocess.Popen([shutil.which("node") or "/usr/bin/node", DRIVER], cwd=HERE,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                        env=env, start_new_session=True, text=True, bufsize=1)
        log.close()
        h.add_cleanup(self.stop)
        self.answers = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, name="driver", daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.answers.put(line)
        self.answers.put(None)

    def command(self, op, timeout=45.0, **fields):
        self.next_id += 1
        fields.update(id=self.next_id, op=op)
        started = time.monotonic()
        self.process.stdin.write(json.dumps(fields) + "\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.answers.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError("the browser driver did not answer %s within %.0f s" % (op, timeout))
            if line is None:
                raise AssertionError("the browser driver exited:\n" + self.log_tail())
            answer = json.loads(line)
            if answer.get("id") != self.next_id:
                continue
            if not answer.get("ok"):
                raise AssertionError("%s %s: %s" % (op, _short_fields(fields), str(answer.get("error"))[:1500]))
            if os.environ.get("LILAC_PAGE_SLOW") and time.monotonic() - started > 1.0:
                h.diag("slow: %.1f s for %s %s" % (time.monotonic() - started, op, _short_fields(fields)))
            return answer.get("value")

    def log_tail(self):
        try:
            with open(self.log_path, errors="replace") as log:
                return log.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        h.remove_cleanup(self.stop)
        if self.process.poll() is None:
            try:
                self.command("close", timeout=20)
            except Exception as error:  # the group is killed below anyway
                h.diag("closing the browser: %s" % error)
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


def _short_fields(fields):
    shown = {key: value for key, value in fields.items() if key not in ("id", "op")}
    return json.dumps(shown)[:300]


class Page:
    def __init__(self, browser, name, context="main"):
        self.browser = browser
        self.name = name
        browser.command("page", name=name, context=context)

    def call(self, method, *args, timeout=45.0):
        return self.browser.command("call", page=self.name, method=method, args=list(args), timeout=timeout)

    def goto(self, url):
        self.call("goto", url)

    def front(self):
        """Makes this the active tab: a background tab's animation frames are throttled, and
        Playwright waits for them before each click."""
        self.call("bringToFront")

    def eval(self, expression):
        return self.browser.command("evaluate", page=self.name, expression=expression)

    def wait_for(self, expression, timeout=15.0, what=None):
        """Waits until a JavaScript expression is true in the page. Polled from here: the page's
        Trusted Types policy refuses the string functions of Playwright's waitForFunction."""
        deadline = time.monotonic() + timeout
        value = None
        while True:
            try:
                value = self.eval(expression)
            except AssertionError as error:
                value = "error: %s" % str(error)[:300]
            if value is True:
                return
            if time.monotonic() > deadline:
                raise AssertionError("%s: timed out after %.0f s waiting for %s (last value %r)" % (
                    self.name, timeout, what or expression, value))
            time.sleep(0.1)

    def css(self, selector):
        return Locator(self, [["locator", selector]])

    def label(self, text):
        return Locator(self, [["getByLabel", text, {"exact": True}]])

    def role(self, role, name):
        return Locator(self, [["getByRole", role, {"name": name, "exact": True}]])

    def press(self, key):
        self.browser.command("keyboard", page=self.name, method="press", args=[key])

    def type(self, text):
        self.browser.command("keyboard", page=self.name, method="type", args=[text])

    def screenshot(self, file_name, full_page=False):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        path = os.path.join(SCREENSHOTS, file_name)
        self.browser.command("screenshot", page=self.name, file=path, fullPage=full_page)
        h.diag("screenshot: %s" % path)
        return path

    def record(self):
        return self.browser.command("record", page=self.name)

    def text(self, selector):
        return self.eval("Array.from(document.querySelectorAll(%s)).map((node) => node.textContent)"
                         % json.dumps(selector))


class Locator:
    def __init__(self, page, chain):
        self.page = page
        self.chain = chain

    def then(self, *step):
        return Locator(self.page, self.chain + [list(step)])

    def css(self, selector):
        return self.then("locator", selector)

    def label(self, text):
        return self.then("getByLabel", text, {"exact": True})

    def role(self, role, name):
        return self.then("getByRole", role, {"name": name, "exact": True})

    def _do(self, method, *args, timeout=45.0):
        return self.page.browser.command("locate", page=self.page.name, chain=self.chain, method=method,
                                         args=list(args), timeout=timeout)

    def click(self):
        self._do("click")

    def fill(self, value):
        self._do("fill", str(value))

    def press(self, key):
        self._do("press", key)

    def check(self):
        self._do("check")

    def select(self, value=None, label=None):
        self._do("selectOption", {"label": label} if label is not None else value)

    def value(self):
        return self._do("inputValue")

    def count(self):
        return self._do("count")

    def first_of(self):
        return self.then("first")

    def wait(self, state="visible", timeout=15.0):
        self._do("waitFor", {"state": state, "timeout": int(timeout * 1000)}, timeout=timeout + 15)


# ------------------------------------------------------------------------------------------------
# The set-up every test shares
# ------------------------------------------------------------------------------------------------

prosody = ngircd = lilac = bob = dave = browser = None
tab_a = tab_b = None
chat_states = []


def setup_module():
    global prosody, ngircd, lilac, bob, dave, browser, tab_a
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    bob = h.XmppPeer(prosody.jid("bob"), BOB_PASSWORD, prosody.port, setup=test_files.enable_file_transfer).start()
    bob.call(lambda: bob.xmpp.register_plugin("xep_0085"))
    bob.call(lambda: bob.xmpp.add_event_handler(
        "chatstate", lambda message: chat_states.append((str(message["from"]), message["chat_state"]))))
    ngircd = h.Ngircd().start()
    dave = h.IrcPeer("dave", ngircd.port).start()
    dave.join("#lilac")
    lilac = h.Lilac()
    lilac.add_user("ann", ANN_PASSWORD)
    lilac.add_user("root", ROOT_PASSWORD, admin=True)
    lilac.start()
    h._failure_hooks.append(describe_failure)
    for name in os.listdir(SCREENSHOTS) if os.path.isdir(SCREENSHOTS) else []:
        if name.startswith("failure-"):
            os.unlink(os.path.join(SCREENSHOTS, name))
    browser = Browser()
    version = browser.command("launch", timeout=60)
    h.diag("chromium %s" % version)
    tab_a = Page(browser, "a")


failures = 0


def describe_failure():
    """What the first tab shows when a test fails: a screenshot, its errors and toasts; open
    dialogs are then closed so that the next test starts clean."""
    global failures
    if browser is None or tab_a is None:
        return ""
    failures += 1
    lines = ["== browser driver log", browser.log_tail()[-1500:]]
    try:
        lines.append("screenshot: " + tab_a.screenshot("failure-%02d.png" % failures))
        lines.append("shown: %r" % tab_a.eval(
            "Array.from(document.querySelectorAll('.form-error:not([hidden]), .toast, .connection:not([hidden])'))"
            ".map((node) => node.textContent)"))
        tab_a.eval("document.querySelectorAll('dialog[open]').forEach((dialog) => dialog.close())")
    except Exception as error:  # the page may be gone
        lines.append("the page cannot be inspected: %s" % error)
    return "\n".join(lines)


_marks = [time.monotonic()]


def mark(what):
    now = time.monotonic()
    h.diag("%.1f s: %s" % (now - _marks[-1], what))
    _marks.append(now)


def url(path="/"):
    return lilac.base_url + path


def http_get(path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", lilac.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def bob_says(text):
    bob.send(prosody.jid("alice"), text)


def wait_message(page, text, timeout=15.0, direction=None):
    kind = ".message.%s" % direction if direction else ".message"
    page.wait_for("Array.from(document.querySelectorAll('.log %s .message-text')).some((node) => "
                  "node.textContent === %s)" % (kind, json.dumps(text)), timeout, "the message %r" % text)


BOB = '.conversation-entry[data-type="im"] .conversation-item'
ROOM = '.conversation-entry[data-type="chat"] .conversation-item'


def badge(page, selector):
    """The unread badge of the conversation button selector ('' when there is none)."""
    return page.eval("""(() => {
      const item = document.querySelector(%s);
      if (!item) return null;
      const badge = item.querySelector('.badge');
      return badge.hidden ? '' : badge.textContent;
    })()""" % json.dumps(selector))


def wait_badge(page, selector, wanted, timeout=15.0):
    page.wait_for("""(() => {
      const item = document.querySelector(%s);
      if (!item) return false;
      const badge = item.querySelector('.badge');
      return (badge.hidden ? '' : badge.textContent) === %s;
    })()""" % (json.dumps(selector), json.dumps(wanted)), timeout,
        "the unread badge of %s to be %r" % (selector, wanted))


def open_panel(page, name):
    page.css("#tab-%s" % name).click()


def log_in(page, name="ann", password=ANN_PASSWORD, button="Log in"):
    page.css(".login-form input[name=username]").fill(name)
    page.css(".login-form input[name=password]").fill(password)
    page.css(".login-form button[type=submit]").click()
    page.css(".topbar").wait()


def join_room(page, room):
    open_panel(page, "conversations")
    page.role("button", "Join a room").click()
    dialog = page.css("dialog.join-dialog")
    dialog.label("Account").select(label="ann@127.0.0.1")
    dialog.label("Room").fill(room)
    dialog.role("button", "Join").click()
    dialog.wait("detached")


def no_horizontal_scroll(page, what):
    widths = page.eval("[document.documentElement.scrollWidth, window.innerWidth]")
    expect(widths[0] <= widths[1], "%s scrolls sideways: content %d px wide, window %d px" % (what, widths[0], widths[1]))


# ------------------------------------------------------------------------------------------------
# The tests
# ------------------------------------------------------------------------------------------------

def test_static_files_headers():
    status, headers, body = http_get("/", {"Accept-Encoding": "identity"})
    expect(status == 200, "GET / answered %d" % status)
    expect(headers.get("Content-Type", "").startswith("text/html"), "type of /: %r" % headers.get("Content-Type"))
    expect(headers.get("Cache-Control") == "no-cache", "/ is cached: %r" % headers.get("Cache-Control"))
    expect(headers.get("X-Content-Type-Options") == "nosniff", "no nosniff on /")
    csp = headers.get("Content-Security-Policy", "")
    expect("default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp,
           "weak Content-Security-Policy: %r" % csp)
    html = body.decode()
    expect("<script>" not in html and "onload=" not in html, "the page has inline script")
    assets = re.findall(r'(?:href|src)="(/static/[0-9a-f]+/[^"]+)"', html)
    expect(len(assets) >= 5, "few versioned assets in the page: %r" % assets)
    expect(len({asset.split("/")[2] for asset in assets}) == 1, "assets of several versions: %r" % assets)
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for asset in assets:
        status, plain_headers, plain = http_get(asset)
        expect(status == 200, "GET %s answered %d" % (asset, status))
        expect(plain_headers.get("Cache-Control") == "public, max-age=31536000, immutable",
               "%s cache: %r" % (asset, plain_headers.get("Cache-Control")))
        expect(plain_headers.get("Content-Type", "").startswith(types[os.path.splitext(asset)[1]]),
               "%s type: %r" % (asset, plain_headers.get("Content-Type")))
        expect(plain_headers.get("X-Content-Type-Options") == "nosniff", "%s: no nosniff" % asset)
        status, gz_headers, compressed = http_get(asset, {"Accept-Encoding": "gzip, deflate"})
        if len(plain) > 1024:
            expect(gz_headers.get("Content-Encoding") == "gzip", "%s is not gzipped" % asset)
            expect(gzip.decompress(compressed) == plain, "%s: the gzip variant differs" % asset)
            expect("Accept-Encoding" in gz_headers.get("Vary", ""), "%s: no Vary" % asset)
        status, _, _ = http_get(asset, {"If-None-Match": gz_headers.get("ETag"), "Accept-Encoding": "gzip"})
        expect(status == 304, "%s with its ETag answered %d, not 304" % (asset, status))
    version = assets[0].split("/")[2]
    for missing in ("/static/%s/nothing.js" % version, "/static/0123456789abcdef/js/main.js",
                    "/static/%s/index.html" % version, "/nowhere", "/static/"):
        status, _, _ = http_get(missing)
        expect(status == 404, "GET %s answered %d, not 404" % (missing, status))
    expect("<title>Lilac</title>" in html, "the English title: %r" % re.findall("<title>.*</title>", html))
    expect('<noscript><p class="noscript">Lilac needs JavaScript. Without it, use the <a href="/m/">light view</a>.'
           '</p></noscript>' in html, "the English noscript: %r" % re.findall("<noscript>.*</noscript>", html))
    expect(not re.search("@[A-Z]+@", html), "placeholders left: %r" % re.findall("@[A-Z]+@", html))
    _, _, body = http_get("/", {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    chinese = body.decode()
    expect('<html lang="zh-CN">' in chinese, "Accept-Language zh-CN did not pick Chinese")
    expect("<title>Lilac 即时通讯</title>" in chinese, "the Chinese title: %r" % re.findall("<title>.*</title>", chinese))
    expect('<noscript><p class="noscript">Lilac 需要 JavaScript。无法使用 JavaScript 时，请改用<a href="/m/">轻量版</a>。'
           '</p></noscript>' in chinese, "the Chinese noscript: %r" % re.findall("<noscript>.*</noscript>", chinese))
    _, _, body = http_get("/", {"Accept-Language": "de-DE, fr;q=0.8"})
    expect('<html lang="en">' in body.decode(), "an unknown language did not fall back to English")
    status, headers, _ = http_get("/api/v1/session")
    expect(status == 401 and "json" in headers.get("Content-Type", ""), "the API answers %d %r" % (
        status, headers.get("Content-Type")))


def test_translations_complete():
    """Every string the page marks is in po/page/zh_CN.po, translated, and every file that marks
    strings is listed in po/page/POTFILES."""
    with open(os.path.join(TOP, "po", "page", "POTFILES")) as potfiles:
        listed = {line.strip() for line in potfiles if line.strip() and not line.startswith("#")}
    folder = os.path.join(TOP, "web", "static", "js")
    for name in sorted(os.listdir(folder)):
        relative = "web/static/js/" + name
        with open(os.path.join(folder, name), encoding="utf-8") as source:
            marks = re.search(r"\b(?:_|N_|ngettext)\(\s*['\"]", source.read())
        expect(not marks or relative in listed, "%s marks strings but is not in po/page/POTFILES" % relative)
    with tempfile.TemporaryDirectory() as folder:
        pot = os.path.join(folder, "page.pot")
        subprocess.run(["xgettext", "--language=JavaScript", "--from-code=UTF-8", "--keyword=_", "--keyword=N_",
                        "--keyword=ngettext:1,2", "--directory=" + TOP,
                        "--files-from=" + os.path.join(TOP, "po", "page", "POTFILES"), "-o", pot],
                       check=True, timeout=60)
        merged = os.path.join(folder, "merged.po")
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                        os.path.join(TOP, "po", "page", "zh_CN.po"), pot], check=True, timeout=60)
        statistics = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, merged],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60, text=True)
    expect(statistics.returncode == 0, "msgfmt: %s" % statistics.stdout)
    expect("untranslated" not in statistics.stdout and "fuzzy" not in statistics.stdout,
           "po/page/zh_CN.po is behind the page: %s" % statistics.stdout.strip())


def test_log_in_through_the_form():
    tab_a.goto(url())
    tab_a.css(".login-form").wait()
    expect(tab_a.call("title") == "Lilac", "title %r" % tab_a.call("title"))
    # a wrong password first: the form says so and stays
    tab_a.label("User name").fill("ann")
    tab_a.label("Password").fill("not the password")
    tab_a.role("button", "Log in").click()
    tab_a.css(".login-form .form-error:not([hidden])").wait()
    tab_a.label("Password").fill(ANN_PASSWORD)
    tab_a.role("button", "Log in").click()
    tab_a.css(".topbar").wait()
    tab_a.css("#panel-conversations").wait()
    record = tab_a.record()
    expect(not record["errors"], "page errors: %r" % record["errors"])


def loaded_files(page):
    """What the page fetched besides the API, as the page itself counts it (Resource Timing):
    {url: bytes after decompression}."""
    return page.eval("""(() => {
      const files = {};
      for (const entry of [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]) {
        if (!new URL(entry.name).pathname.startsWith('/api/')) files[entry.name] = entry.decodedBodySize;
      }
      return files;
    })()""")


def check_first_load(page, language):
    """Every file the page has fetched so far (its first load: no dialog opened yet) is counted
    with its real size (a body the driver could not read fails, rather than counting as 0), the
    page's own count agrees, and the total is under the limit. Returns the files."""
    def static_files():
        return [entry for entry in page.record()["responses"]
                if entry["url"] == url() or entry["url"].startswith(url("/static/"))]
    # the driver reads each body after its response event
    deadline = time.monotonic() + 5
    while any(entry["size"] is None for entry in static_files()) and time.monotonic() < deadline:
        time.sleep(0.2)
    static = static_files()
    unread = [entry["url"] for entry in static if entry["size"] is None]
    expect(not unread, "%s: bodies not read, so not counted: %r" % (language, unread))
    counted = {entry["url"]: entry["size"] for entry in static}
    expect(len(counted) == len(static), "%s: files fetched twice: %r" % (language, [entry["url"] for entry in static]))
    seen = loaded_files(page)
    expect(set(seen) == set(counted), "%s: the page fetched %r, the driver counted %r" % (
        language, sorted(set(seen) - set(counted)), sorted(set(counted) - set(seen))))
    differ = {name: (size, seen[name]) for name, size in counted.items() if seen[name] != size}
    expect(not differ, "%s: sizes differ from the page's own count: %r" % (language, differ))
    total = sum(counted.values())
    h.diag("first load in %s: %d files, %d bytes (%.1f KiB) before compression" % (
        language, len(static), total, total / 1024))
    expect(any(entry["url"].endswith("/main.js") for entry in static), "main.js was not loaded: %r" % static)
    expect(total < PAGE_WEIGHT_LIMIT, "%s: the first load fetches %d bytes (limit %d)" % (
        language, total, PAGE_WEIGHT_LIMIT))
    gzipped = [entry for entry in static if entry["headers"].get("content-encoding") == "gzip"]
    expect(len(gzipped) >= len(static) - 2, "few files came gzipped: %r" % [
        (entry["url"], entry["headers"].get("content-encoding")) for entry in static])
    return static


def test_first_load_weight():
    static = check_first_load(tab_a, "English")
    expect(not any(entry["url"].endswith(".json") for entry in static), "an English page loaded a catalog")


def test_first_load_weight_in_chinese():
    """The Chinese page also loads its catalog: the same limit holds with it."""
    browser.command("context", name="zh-weight", options={"locale": "zh-CN"})
    page = Page(browser, "zh-weight", context="zh-weight")
    page.goto(url())
    page.css(".login-form").wait()
    page.label("用户名").fill("ann")
    page.label("密码").fill(ANN_PASSWORD)
    page.role("button", "登录").click()
    page.css(".topbar").wait()
    page.css("#panel-conversations").wait()
    static = check_first_load(page, "Chinese")
    expect(any(entry["url"].endswith("/i18n/zh_CN.json") for entry in static), "the Chinese page loaded no catalog")
    browser.command("closeContext", name="zh-weight")


@h.timeout(90)
def test_add_xmpp_account_through_the_form():
    open_panel(tab_a, "accounts")
    tab_a.role("button", "Add account").click()
    dialog = tab_a.css("dialog.account-dialog")
    dialog.wait()
    dialog.label("Network").select("prpl-jabber")
    dialog.label("User name").fill("alice")
    dialog.label("Domain").fill(prosody.domain)
    dialog.label("Resource").fill("lilac")
    dialog.label("Password").fill(ALICE_PASSWORD)
    dialog.css("details.options summary").click()
    dialog.label("Connect server").fill("127.0.0.1")
    dialog.label("Connect port").fill(prosody.port)
    dialog.label("Allow plaintext auth over unencrypted streams").check()
    dialog.label("Connection security").select("opportunistic_tls")
    tab_a.screenshot("account-form-1280x800.png")
    dialog.role("button", "Add").click()
    dialog.wait("detached")
    tab_a.wait_for("document.querySelector('.account[data-status=\"online\"]') !== null", 45,
                   "the XMPP account to be online")
    names = tab_a.text(".account .account-name")
    expect(names == ["alice@localhost/lilac"], "accounts listed: %r" % names)


def add_buddy(page, name, alias, group=None):
    """Adds a buddy through the buddy list's dialog."""
    open_panel(page, "buddies")
    page.role("button", "Add buddy").click()
    dialog = page.css("dialog.buddy-dialog")
    dialog.label("Buddy name").fill(name)
    dialog.label("Alias").fill(alias)
    if group:
        dialog.label("Group").fill(group)
    dialog.role("button", "Add").click()
    dialog.wait("detached")


def test_add_a_buddy():
    add_buddy(tab_a, prosody.jid("bob"), "Bob", "Friends")
    # bob's client accepts and asks back: libpurple's authorization request, as a dialog
    request = tab_a.css("dialog.request-dialog")
    request.wait()
    text = tab_a.eval("document.querySelector('dialog.request-dialog').textContent")
    expect(prosody.jid("bob") in text, "the request dialog says %r" % text)
    expect(tab_a.eval("!document.querySelector('.requests-button').hidden"), "the requests button is hidden")
    request.role("button", "Authorize").click()
    request.wait("detached")
    tab_a.css(".requests-button").wait("hidden")
    tab_a.wait_for("Array.from(document.querySelectorAll('.buddy-name')).some((node) => node.textContent === 'Bob')",
                   20, "Bob in the buddy list")
    tab_a.wait_for("document.querySelector('.buddy[data-status=\"available\"] .buddy-name') !== null", 20,
                   "Bob to be shown available")
    groups = tab_a.text(".buddy-group h3")
    expect(any(group.startswith("Friends") for group in groups), "groups: %r" % groups)
    tab_a.css("#buddy-filter").fill("nobody-matches-this")
    tab_a.wait_for("document.querySelectorAll('.buddy').length === 0", 5, "the filter to hide Bob")
    tab_a.css("#buddy-filter").fill("bo")
    tab_a.wait_for("document.querySelectorAll('.buddy').length === 1", 5, "the filter to show Bob")
    tab_a.css("#buddy-filter").fill("")
    open_panel(tab_a, "conversations")


def test_presence_selector():
    tab_a.label("Your status").select("away")
    tab_a.label("Status message").fill("out for lunch")
    tab_a.label("Status message").press("Enter")
    alice = prosody.jid("alice")

    def alice_seen_away():
        resources = bob.call(lambda: {key: (value.get("show"), value.get("status"))
                                      for key, value in bob.xmpp.client_roster[alice].resources.items()})
        return any(show == "away" and status == "out for lunch" for show, status in resources.values())
    h.wait_until(alice_seen_away, 15, message="bob to see alice away, out for lunch")
    tab_a.label("Your status").select("available")
    tab_a.label("Status message").fill("")
    tab_a.label("Status message").press("Enter")
    h.wait_until(lambda: not alice_seen_away(), 15, message="bob to see alice back")


def set_presence(page, status, message):
    """Picks status in the selector, then types message (Enter sends it)."""
    while not bob.presences.queue.empty():
        bob.presences.queue.get_nowait()
    page.label("Your status").select(status)
    page.label("Status message").fill(message)
    page.label("Status message").press("Enter")
    page.wait_for("document.querySelector('.presence').dataset.status === %s" % json.dumps(status), 5,
                  "the selector to show %s" % status)


def bob_sees_alice(kind, status=None):
    """The next presence of alice's resource that bob gets with this type (slixmpp gives the show
    as the type of an available presence: dnd, away...) and, when given, this status message."""
    alice = prosody.jid("alice") + "/"

    def matches(presence):
        return (presence["from"].startswith(alice) and presence["type"] == kind and
                (status is None or presence["status"] == status))
    return bob.wait_presence(matches, timeout=20)


@h.timeout(90)
def test_presence_busy_invisible_offline():
    set_presence(tab_a, "busy", "in a meeting")
    bob_sees_alice("dnd", "in a meeting")
    # libpurple's XMPP has no invisible status (the account keeps the one it has, so bob sees no
    # change): the choice reaches the gateway, whose /state says it to every client
    set_presence(tab_a, "invisible", "")
    client = lilac.client()
    client.login("ann", ANN_PASSWORD)
    h.wait_until(lambda: client.state()["presence"]["status"] == "invisible", 10,
                 message="the gateway to say ann is invisible")
    client.delete("session")
    set_presence(tab_a, "offline", "gone home")
    bob_sees_alice("unavailable")
    tab_a.wait_for("document.querySelector('.account').dataset.status === 'offline'", 20,
                   "the account to sign off")
    expect(tab_a.label("Your status").value() == "offline", "the selector went back to %r" %
           tab_a.label("Your status").value())
    set_presence(tab_a, "available", "")
    bob_sees_alice("available")
    tab_a.wait_for("document.querySelector('.account').dataset.status === 'online'", 45,
                   "the account to sign on again")
    tab_a.wait_for("document.querySelector('.buddy[data-status=\"available\"]') !== null", 20,
                   "bob available again in the buddy list")


def test_incoming_message_unread_in_two_tabs():
    global tab_b
    tab_b = Page(browser, "b")
    tab_b.goto(url())
    tab_b.css(".topbar").wait()
    tab_a.front()
    # desktop notifications, switched on with a click in tab a's menu: the page asks the browser
    # then, and only then (the person answers yes)
    tab_a.css(".menu summary").click()
    expect(tab_a.eval("Notification.permission") == "default", "notifications allowed before asking")
    expect(tab_a.record()["page"]["permissionRequests"] == [], "the page asked for notifications before a click")
    browser.command("permissionPrompt", answer="granted")
    tab_a.role("button", "Turn on desktop notifications").click()
    tab_a.role("button", "Turn off desktop notifications").wait()
    asked = tab_a.record()["page"]["permissionRequests"]
    expect(len(asked) == 1 and asked[0]["activation"] and asked[0]["permission"] == "default",
           "the permission was not asked once, from the click: %r" % asked)
    expect(tab_a.eval("Notification.permission") == "granted", "the answer did not reach the page")
    tab_a.press("Escape")
    bob_says("hello from bob")
    for page in (tab_a, tab_b):
        wait_badge(page, BOB, "1")
        page.wait_for("document.title === '(1) Lilac'", 5, "the unread count in the title")
    notifications = tab_a.record()["page"]["notifications"]
    expect(any(note["body"] == "hello from bob" for note in notifications),
           "no desktop notification for the message: %r" % notifications)


def test_reading_in_one_tab_clears_the_other():
    tab_a.css(BOB).click()
    wait_message(tab_a, "hello from bob", direction="in")
    wait_badge(tab_b, BOB, "")
    tab_b.wait_for("document.title === 'Lilac'", 10, "tab b's title without unread count")
    expect(badge(tab_a, BOB) == "", "tab a still counts unread messages")


def test_message_in_the_open_conversation():
    bob_says("and a second one")
    wait_message(tab_a, "and a second one", direction="in")
    grouped = tab_a.eval("document.querySelector('.log .message.in:last-of-type').classList.contains('continued')")
    expect(grouped, "consecutive messages of bob are not grouped")
    # its time, as a <time> the machine can read and a person too
    stamp, shown = tab_a.eval("(() => { const time = document.querySelector('.log .message.in:last-of-type time'); "
                              "return [time.getAttribute('datetime'), time.textContent]; })()")
    when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    age = (datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()
    expect(-5 < age < 120, "the message's time says %r, %.0f s ago" % (stamp, age))
    expect(re.fullmatch(r"\d{1,2}:\d{2}( [AP]M)?", shown), "the time shown: %r" % shown)
    wait_badge(tab_a, BOB, "")
    wait_badge(tab_b, BOB, "")


def test_send_with_enter():
    composer = tab_a.css("#composer")
    composer.click()
    tab_a.type("first line")
    tab_a.press("Shift+Enter")
    tab_a.type("second line")
    expect(composer.value() == "first line\nsecond line", "Shift+Enter: %r" % composer.value())
    tab_a.press("Enter")
    received = bob.wait_message(lambda message: message["body"].startswith("first line"), timeout=15)
    expect(received["body"] == "first line\nsecond line", "bob got %r" % received["body"])
    wait_message(tab_a, "first line\nsecond line", direction="out")
    expect(composer.value() == "", "the composer kept %r after sending" % composer.value())


def test_typing_both_ways():
    def send_composing():
        message = bob.xmpp.make_message(mto=prosody.jid("alice"), mtype="chat")
        message["chat_state"] = "composing"
        message.send()
    bob.call(send_composing)
    tab_a.wait_for("document.querySelector('.typing').textContent.includes('typing')", 10,
                   "bob's typing to show")
    del chat_states[:]
    tab_a.css("#composer").click()
    tab_a.type("I am wri")
    h.wait_until(lambda: any(state == "composing" for _, state in chat_states), 10, message="bob to see alice typing")
    tab_a.css("#composer").fill("")
    bob_says("done typing")
    wait_message(tab_a, "done typing")
    tab_a.wait_for("document.querySelector('.typing').textContent === ''", 5, "the typing line to clear")


def test_markup_shows_as_text():
    samples = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>",
               "see https://example.org/a_(b). and javascript:alert(1)"]
    for text in samples:
        bob_says(text)
    for text in samples:
        wait_message(tab_a, text)
    counts = tab_a.eval("[document.querySelectorAll('.log img').length, document.querySelectorAll('.log script').length]")
    expect(counts == [0, 0], "the log holds elements from message text: %r" % counts)
    links = tab_a.eval("Array.from(document.querySelectorAll('.log a')).map((a) => [a.href, a.rel, a.target])")
    expect(links == [["https://example.org/a_(b)", "noopener noreferrer nofollow", "_blank"]], "links: %r" % links)
    record = tab_a.record()
    expect(not record["dialogs"] and not record["page"]["alerts"], "a dialog fired: %r %r" % (
        record["dialogs"], record["page"]["alerts"]))
    expect(not record["page"]["violations"], "CSP violations: %r" % record["page"]["violations"])


def test_notices_as_toasts():
    admin = lilac.client()
    admin.login("root", ROOT_PASSWORD)
    status, body = admin.post("admin/broadcast", json={"title": "<b>Maintenance</b>", "text": "at <i>noon</i>"})
    expect(status == 202, "POST /admin/broadcast answered %s %r" % (status, body))
    tab_a.wait_for("Array.from(document.querySelectorAll('.toast')).some((toast) => "
                   "toast.textContent.includes('<b>Maintenance</b>') && toast.textContent.includes('at <i>noon</i>'))",
                   10, "the notice as a toast")
    expect(tab_a.eval("document.querySelectorAll('.toast b, .toast i').length") == 0, "the notice became markup")
    tab_a.css(".toast").then("last").role("button", "Dismiss").click()


def test_send_a_file():
    """The upload goes to the gateway and shows in the transfer list, its name as text (whether
    the peer then takes it depends on the worker and the network)."""
    folder = h.make_temp_dir("lilac-page-file-")
    path = os.path.join(folder, "notes <img src=x onerror=alert(3)> & co.txt")
    with open(path, "w") as upload:
        upload.write("a file for bob\n" * 64)
    tab_a.css(".composer input[type=file]")._do("setInputFiles", path)
    tab_a.css(".transfer").wait()
    tab_a.wait_for("document.querySelector('.transfer .transfer-name').textContent.startsWith('notes ')", 10,
                   "the file's name")
    text = tab_a.eval("document.querySelector('.transfer').textContent")
    expect("bob@localhost" in text and " B / " in text, "the transfer says %r" % text)
    expect(tab_a.eval("document.querySelectorAll('.transfers img, .toasts img').length") == 0,
           "a file name became markup")
    state = tab_a.eval("document.querySelector('.transfer').dataset.state")
    h.diag("the transfer is %s: %s" % (state, text))


def offer_from_bob(name, data):
    """bob offers a file to the page's XMPP account over in-band bytestreams; a future of
    test_files.offer_file's outcome ("sent", "declined: ...")."""
    jid = "%s/lilac" % prosody.jid("alice")
    return asyncio.run_coroutine_threadsafe(test_files.offer_file(bob.xmpp, jid, name, data), bob.loop)


def transfer_item(name):
    return tab_a.css(".transfer").then("filter", {"hasText": name})


def transfer_state(name):
    return tab_a.eval("""(() => {
      const item = Array.from(document.querySelectorAll('.transfer'))
        .find((node) => node.querySelector('.transfer-name').textContent === %s);
      return item ? item.dataset.state : null;
    })()""" % json.dumps(name))


def wait_transfer_state(name, state, timeout=60):
    h.wait_until(lambda: transfer_state(name) == state, timeout,
                 message="the transfer of %s to be %s (it is %s)" % (name, state, transfer_state(name)))


def sample_progress(name):
    """Samples the transfer's progress bar and line in the page every 20 ms, from now on."""
    tab_a.eval("""(() => {
      const samples = window.__lilacProgress = [];
      window.__lilacSampleProgress = () => {
        const item = Array.from(document.querySelectorAll('.transfer'))
          .find((node) => node.querySelector('.transfer-name').textContent === %s);
        if (item) {
          const bar = item.querySelector('progress');
          samples.push([bar.value, bar.max, item.dataset.state, item.querySelector('.transfer-meta').textContent]);
        }
      };
      window.__lilacProgressTimer = setInterval(window.__lilacSampleProgress, 20);
      return true;
    })()""" % json.dumps(name))


def progress_samples():
    """The samples, the last one taken now."""
    return tab_a.eval("(() => { clearInterval(window.__lilacProgressTimer); window.__lilacSampleProgress(); "
                      "return window.__lilacProgress; })()")


@h.timeout(180)
def test_receive_files():
    """Offers from bob's slixmpp: one accepted in the page (the bar moves, the line says it is
    receiving, the download is the peer's bytes), one refused, one cancelled halfway."""
    tab_a.front()
    size = (256 if h.sanitized() else 1024) * 1024
    data = os.urandom(size)
    accepted = offer_from_bob("holiday photos.bin", data)
    transfer_item("holiday photos.bin").wait()
    wait_transfer_state("holiday photos.bin", "pending", 10)
    tab_a.wait_for("Array.from(document.querySelectorAll('.toast')).some((toast) => "
                   "toast.textContent.includes('holiday photos.bin'))", 10, "a toast about the offer")
    text = transfer_item("holiday photos.bin")._do("textContent")
    expect("from %s" % prosody.jid("bob") in text and "Waiting" in text, "the offer says %r" % text)
    sample_progress("holiday photos.bin")
    transfer_item("holiday photos.bin").role("button", "Accept").click()
    wait_transfer_state("holiday photos.bin", "done", 120)
    samples = progress_samples()
    expect(accepted.result(60) == "sent", "bob's side: %r" % accepted.result())
    moving = [sample for sample in samples if sample[2] == "active" and 0 < sample[0] < sample[1]]
    h.diag("%d progress samples, %d of them part way" % (len(samples), len(moving)))
    expect(moving, "the progress bar never showed part of the file: %r" % samples[-5:])
    expect(all("Receiving" in sample[3] and "Sending" not in sample[3] for sample in moving),
           "an incoming transfer is labelled %r" % moving[0][3])
    expect(samples[-1][0] == samples[-1][1] == size, "the bar ended at %r" % samples[-1])
    got = browser.command("download", page="a", chain=transfer_item("holiday photos.bin")
                          .role("link", "Download").chain, timeout=120)
    expect(got["name"] == "holiday photos.bin" and got["size"] == size, "downloaded %r" % got)
    expect(got["sha256"] == hashlib.sha256(data).hexdigest(), "the download differs from what bob sent")

    tab_a.screenshot("transfers-1280x800.png")
    refused = offer_from_bob("unwanted.bin", os.urandom(32 * 1024))
    transfer_item("unwanted.bin").role("button", "Refuse").click()
    expect(refused.result(30).startswith("declined"), "bob's side of the refusal: %r" % refused.result())
    wait_transfer_state("unwanted.bin", "cancelled", 15)

    halfway = offer_from_bob("halfway.bin", os.urandom(size * 8))
    transfer_item("halfway.bin").role("button", "Accept").click()
    tab_a.wait_for("""Array.from(document.querySelectorAll('.transfer')).some((item) =>
      item.querySelector('.transfer-name').textContent === 'halfway.bin' && item.dataset.state === 'active' &&
      item.querySelector('progress').value > 0)""", 30, "halfway.bin to be moving")
    transfer_item("halfway.bin").role("button", "Cancel").click()
    wait_transfer_state("halfway.bin", "cancelled", 30)
    try:
        outcome = halfway.result(60)
    except Exception as error:  # the stream closed under the sender: what a cancel looks like
        outcome = "stopped: %r" % error
    expect(outcome != "sent", "bob sent the whole cancelled file")
    expect(transfer_item("halfway.bin").role("link", "Download").count() == 0, "a cancelled file offers a download")
    for name in ("holiday photos.bin", "unwanted.bin", "halfway.bin"):
        transfer_item(name).role("button", "Remove from the list").click()
    tab_a.wait_for("Array.from(document.querySelectorAll('.transfer-name')).every((node) => "
                   "!node.textContent.endsWith('.bin'))", 5, "the finished transfers to go from the list")


def start_prosody_with_tls(password):
    """A second Prosody that requires TLS with a self-signed certificate for localhost, so that
    libpurple asks the user whether to accept it; ann is registered there with password (alice
    would be the same account as the first server's to libpurple, which ignores the port)."""
    server = h.Prosody()
    key, certificate = (os.path.join(server.dir, "localhost." + suffix) for suffix in ("key", "crt"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-keyout", key, "-out", certificate], check=True, capture_output=True)
    with open(server.config) as config_file:
        config = config_file.read().replace('"roster";', '"roster"; "tls";', 1)
    config = config.replace("c2s_require_encryption = false", 'c2s_require_encryption = true\n'
                            'ssl = { key = "%s"; certificate = "%s" }' % (key, certificate))
    with open(server.config, "w") as config_file:
        config_file.write(config)
    server.register("ann", password)
    return server.start()


def request_dialog_text(page):
    return page.eval("""(() => {
      const dialog = document.querySelector('dialog.request-dialog');
      const text = (selector) => dialog.querySelector(selector)?.textContent ?? null;
      return dialog && { title: text('h2'), primary: text('.request-primary'),
        secondary: text('.request-secondary'),
        actions: Array.from(dialog.querySelectorAll('.dialog-actions button')).map((button) => button.textContent) };
    })()""")


@h.timeout(120)
def test_certificate_request_dialog():
    """A server whose certificate libpurple cannot check: its question is a dialog with the
    certificate's words and libpurple's actions; Reject makes the account fail, Accept (asked
    again when the account is enabled again) signs it on."""
    tab_a.front()
    secure = start_prosody_with_tls("ann-tls-pw")
    client = lilac.client()
    client.login("ann", ANN_PASSWORD)
    body = secure.xmpp_account("ann", "ann-tls-pw", resource="tls")
    body["options"]["connection_security"] = "require_tls"
    body["alias"] = "Ann over TLS"
    client.add_account(body)
    item = tab_a.css(".account").then("filter", {"hasText": "Ann over TLS"})
    dialog = tab_a.css("dialog.request-dialog")
    dialog.wait(timeout=30)
    shown = request_dialog_text(tab_a)
    h.diag("the certificate question: %r" % shown)
    expect("certificate" in shown["title"].lower(), "the dialog's title: %r" % shown["title"])
    expect(shown["primary"] == "Accept certificate for 127.0.0.1?", "the dialog's question: %r" % shown["primary"])
    expect("self-signed" in (shown["secondary"] or ""), "the dialog's explanation: %r" % shown["secondary"])
    expect(shown["actions"][0] == "Later" and "Accept" in shown["actions"] and "Reject" in shown["actions"],
           "the dialog's buttons: %r" % shown["actions"])
    tab_a.screenshot("request-certificate-1280x800.png")
    # libpurple shows the certificate with a notification of its own (a toast) and asks again
    dialog.role("button", "View Certificate...").click()
    tab_a.wait_for("""Array.from(document.querySelectorAll('.toast')).some((toast) =>
      toast.querySelector('.toast-title')?.textContent === 'Certificate Information' &&
      /Common name: localhost/.test(toast.querySelector('.toast-text')?.textContent))""", 15,
                   "libpurple's certificate information as a toast")
    h.diag("the certificate as libpurple tells it: %r" % tab_a.eval(
        "Array.from(document.querySelectorAll('.toast')).pop().textContent"))
    tab_a.screenshot("toast-certificate-1280x800.png")
    dialog.wait(timeout=15)
    expect(request_dialog_text(tab_a)["primary"] == shown["primary"], "the question did not come back")
    dialog.role("button", "Reject").click()
    dialog.wait("detached")
    open_panel(tab_a, "accounts")
    tab_a.wait_for("""Array.from(document.querySelectorAll('.account')).some((item) =>
      item.textContent.includes('Ann over TLS') && item.dataset.status === 'error' &&
      !item.querySelector('.account-error').hidden && item.querySelector('.account-error').textContent !== '')""",
                   30, "the rejected certificate as the account's error")
    h.diag("the account's error: %r" % item.css(".account-error")._do("textContent"))
    item.then("getByRole", "checkbox").click()
    tab_a.wait_for("Array.from(document.querySelectorAll('.account')).some((item) => "
                   "item.textContent.includes('Ann over TLS') && item.dataset.status === 'offline')", 15,
                   "the account disabled")
    item.then("getByRole", "checkbox").click()
    dialog.wait(timeout=30)
    dialog.role("button", "Accept").click()
    dialog.wait("detached")
    tab_a.wait_for("Array.from(document.querySelectorAll('.account')).some((item) => "
                   "item.textContent.includes('Ann over TLS') && item.dataset.status === 'online')", 15,
                   "the account online once the certificate is accepted")
    tab_b.css("dialog.request-dialog").wait("detached")
    item.role("button", "Remove").click()
    tab_a.css("dialog").role("button", "Remove").click()
    tab_a.wait_for("document.querySelectorAll('.account').length === 1", 15, "the TLS account to go")
    open_panel(tab_a, "conversations")
    client.delete("session")
    secure.stop()


@h.timeout(60)
def test_account_error_shown():
    """An account whose password the server refuses: the reason is shown in the account list."""
    client = lilac.client()
    client.login("ann", ANN_PASSWORD)
    body = prosody.xmpp_account("bob", "not bob's password", resource="wrong")
    body["alias"] = "Bob with a wrong password"
    account = client.add_account(body)
    open_panel(tab_a, "accounts")
    item = '.account[data-key="%s"]' % account["id"]
    tab_a.wait_for("document.querySelector(%s)?.dataset.status === 'error'" % json.dumps(item), 30,
                   "the account to fail")
    error = tab_a.eval("(() => { const node = document.querySelector(%s + ' .account-error'); "
                       "return node.hidden ? null : node.textContent; })()" % json.dumps(item))
    h.diag("the refused password, as the account list says it: %r" % error)
    expect(error == "Incorrect username or password", "the account's error shows %r" % error)
    expect(tab_a.eval("getComputedStyle(document.querySelector(%s + ' .account-error')).display !== 'none'"
                      % json.dumps(item)), "the error text is not displayed")
    status, _ = client.delete("accounts/" + account["id"])
    expect(status == 204, "DELETE /accounts answered %s" % status)
    tab_a.wait_for("document.querySelector(%s) === null" % json.dumps(item), 10, "the failed account to go")
    client.delete("session")
    open_panel(tab_a, "conversations")


def test_buddy_status_message_and_idle():
    def idle_presence():
        presence = bob.xmpp.make_presence(pstatus="at my desk", pshow="away")
        presence.append(ET.fromstring("<query xmlns='jabber:iq:last' seconds='720'/>"))
        presence.send()
    bob.call(idle_presence)
    open_panel(tab_a, "buddies")
    tab_a.wait_for("Array.from(document.querySelectorAll('.buddy')).some((node) => node.dataset.status === 'away' && "
                   "node.querySelector('.buddy-detail').textContent.startsWith('at my desk'))", 15,
                   "bob's status message in the buddy list")
    detail = tab_a.eval("document.querySelector('.buddy[data-status=\"away\"] .buddy-detail').textContent")
    expect(re.fullmatch(r"at my desk · idle 1[23] minutes", detail), "bob's line says %r" % detail)
    tab_a.screenshot("buddies-status-1280x800.png")
    bob.call(lambda: bob.xmpp.send_presence())
    tab_a.wait_for("document.querySelector('.buddy[data-status=\"available\"] .buddy-detail')?.hidden === true", 15,
                   "bob back, without status message or idle time")
    open_panel(tab_a, "conversations")


def test_remove_a_buddy():
    add_buddy(tab_a, prosody.jid("carol"), "Carol")
    tab_a.label("Show offline buddies").check()
    tab_a.css(".buddy").then("filter", {"hasText": "Carol"}).wait()
    tab_a.role("button", "Remove Carol").click()
    confirm = tab_a.css("dialog")
    expect(prosody.jid("carol") in confirm._do("textContent"), "the question does not name carol")
    confirm.role("button", "Remove").click()
    tab_a.wait_for("!Array.from(document.querySelectorAll('.buddy-name')).some((node) => node.textContent === 'Carol')",
                   15, "Carol to leave the buddy list")
    client = lilac.client()
    client.login("ann", ANN_PASSWORD)
    names = [buddy["name"] for buddy in client.state()["buddies"]]
    expect(prosody.jid("carol") not in names and prosody.jid("bob") in names, "the gateway's buddies: %r" % names)
    client.delete("session")
    tab_a.css("#buddy-offline")._do("uncheck")
    open_panel(tab_a, "conversations")


@h.timeout(90)
def test_irc_channel():
    mark("irc test")
    open_panel(tab_a, "accounts")
    tab_a.role("button", "Add account").click()
    dialog = tab_a.css("dialog.account-dialog")
    dialog.label("Network").select("prpl-irc")
    dialog.label("User name").fill("ann")
    dialog.label("Server").fill("127.0.0.1")
    dialog.css("details.options summary").click()
    dialog.label("Port").fill(ngircd.port)
    dialog.role("button", "Add").click()
    dialog.wait("detached")
    tab_a.wait_for("document.querySelectorAll('.account[data-status=\"online\"]').length === 2", 45,
                   "the IRC account to be online")
    mark("irc online")
    join_room(tab_a, "#lilac")
    mark("join sent")
    dave.wait_join("ann", "#lilac")
    mark("dave saw the join")
    tab_a.wait_for("document.querySelector('.chat-title').textContent.includes('#lilac')", 15, "the room to open")
    tab_a.wait_for("Array.from(document.querySelectorAll('.members-list li')).some((li) => li.textContent.includes('dave'))",
                   15, "dave in the member list")
    mark("members shown")
    dave.say("#lilac", "hello channel")
    wait_message(tab_a, "hello channel", direction="in")
    tab_a.css("#composer").fill("hi dave")
    tab_a.css("#composer").press("Enter")
    received = dave.wait_message(lambda message: message["text"] == "hi dave", timeout=15)
    expect(received["target"].lower() == "#lilac", "dave got it in %r" % received["target"])
    dave._do(lambda: dave.connection.topic("#lilac", "Lilac page tests"))
    tab_a.wait_for("document.querySelector('.members-topic').textContent === 'Lilac page tests'", 15,
                   "the topic to show")
    # and the change as a system line of the log, between the messages
    tab_a.wait_for("Array.from(document.querySelectorAll('.log .message.system .message-text')).some((node) => "
                   "node.textContent.includes('dave') && node.textContent.includes('Lilac page tests'))", 10,
                   "the topic change as a system line")
    expect(tab_a.eval("document.querySelector('.log .message.system time[datetime]') !== null"),
           "a system line without its time")


def notifications_of(page):
    return page.record()["page"]["notifications"]


def test_irc_channel_unread_and_notifications():
    """A room counts unread lines like an IM, but tells the desktop only of lines that name the
    user (the IRC account's nick is ann)."""
    tab_a.front()
    tab_a.css(BOB).click()
    wait_badge(tab_a, ROOM, "")
    tab_a.wait_for("document.title === 'Lilac'", 5, "no unread count in the title")
    before = len(notifications_of(tab_a))
    dave.say("#lilac", "ann: are you there?")
    wait_badge(tab_a, ROOM, "1")
    tab_a.wait_for("document.title === '(1) Lilac'", 5, "the room's unread line in the title")
    tab_a.wait_for("document.querySelector('#tab-conversations .tab-badge').textContent === '1'", 5,
                   "the unread count on the chats tab")
    notes = notifications_of(tab_a)[before:]
    expect([(note["title"], note["body"]) for note in notes] == [("dave in #lilac", "ann: are you there?")],
           "desktop notifications for a line naming ann: %r" % notes)
    dave.say("#lilac", "just chatting here")
    wait_badge(tab_a, ROOM, "2")
    tab_a.wait_for("document.title === '(2) Lilac'", 5, "two unread lines in the title")
    notes = notifications_of(tab_a)[before:]
    expect(len(notes) == 1, "a line without ann's nick notified the desktop: %r" % notes)
    tab_a.css(ROOM).click()
    wait_message(tab_a, "just chatting here", direction="in")
    wait_badge(tab_a, ROOM, "")
    tab_a.wait_for("document.title === 'Lilac'", 5, "the title once the room is read")


def test_unsaved_message_marker():
    """A message event with "saved": false (the gateway's database was full: test_faults fills
    one) shows with a note that it is not in the history. Here the events go through the page's
    own store, as the stream applies them; the next test reloads the page, which forgets them."""
    tab_a.front()
    tab_a.css(ROOM).click()
    wait_message(tab_a, "just chatting here")
    tab_a.eval("""(async () => {
      const main = document.querySelector('script[type=module]').src;
      const { store } = await import(new URL('store.js', main).href);
      const room = Array.from(store.conversations.values()).find((conversation) => conversation.type === 'chat');
      const lines = [['9000000000000001', 'in', 'a line the full disk lost', false],
        ['9000000000000002', 'in', 'a line that was kept', undefined],
        ['9000000000000003', 'out', 'my line the full disk lost', false]];
      for (const [id, direction, text, saved] of lines) {
        store.applyEvent({ type: 'message', id, conversation: room.id, account: room.account, direction, text,
          from: direction === 'in' ? 'dave' : 'ann', time: Date.now(), unread: 0, saved });
      }
      return true;
    })()""")
    wait_message(tab_a, "my line the full disk lost", direction="out")
    notes = tab_a.eval("Array.from(document.querySelectorAll('.log .message')).filter((node) => "
                       "node.dataset.id.startsWith('90000000000000')).map((node) => "
                       "[node.dataset.id, node.querySelector('.message-unsaved')?.textContent ?? null])")
    expect(notes == [["9000000000000001", "not saved in history"], ["9000000000000002", None],
                     ["9000000000000003", "not saved in history"]], "the notes: %r" % notes)
    expect(tab_a.eval("document.querySelectorAll('.log .message-unsaved').length") == 2,
           "messages from the gateway's history are marked unsaved")
    tab_a.screenshot("unsaved-1280x800.png")


@h.timeout(90)
def test_older_history_when_scrolling_up():
    tab_a.css(BOB).click()
    for number in range(60):
        bob_says("history %02d" % number)
    wait_message(tab_a, "history 59", timeout=30)
    # a fresh page knows only the newest page of history
    tab_a.call("reload")
    tab_a.css(".topbar").wait()
    tab_a.css(BOB).wait()
    tab_a.css(BOB).click()
    wait_message(tab_a, "history 59")
    shown = tab_a.text(".log .message-text")
    expect("history 00" not in shown, "the first page already holds everything (%d messages)" % len(shown))
    expect(len(shown) <= 60, "the first page holds %d messages" % len(shown))
    for _ in range(4):
        tab_a.eval("(() => { const log = document.querySelector('.log'); log.scrollTop = 0; "
                   "log.dispatchEvent(new Event('scroll')); })()")
        try:
            wait_message(tab_a, "history 00", timeout=3)
            break
        except AssertionError:
            continue
    wait_message(tab_a, "history 00", timeout=5)
    shown = tab_a.text(".log .message-text")
    expect(shown.index("history 00") < shown.index("history 59"), "older messages are not above")


def test_search_the_history():
    tab_a.css("#history-search").fill("second")
    tab_a.css("#history-search").press("Enter")
    dialog = tab_a.css("dialog.search-dialog")
    dialog.wait()
    results = tab_a.text("dialog.search-dialog .search-text")
    expect(any(text.endswith("and a second one") for text in results), "search results: %r" % results)
    tab_a.css("dialog.search-dialog .search-result").first_of().click()
    dialog.wait("detached")
    tab_a.wait_for("document.querySelector('.conversation-item[aria-current=\"true\"]')?.closest('[data-type=\"im\"]') != null",
                   5, "the result to open bob's conversation")
    tab_a.css("#history-search").fill("")


def test_keyboard():
    tab_a.css("#composer").click()
    titles = tab_a.text(".conversation-title")
    expect(len(titles) == 2, "conversations listed: %r" % titles)
    current = tab_a.eval("document.querySelector('.chat-title').textContent")
    tab_a.press("Alt+ArrowDown")
    tab_a.press("Alt+ArrowUp")
    tab_a.wait_for("document.querySelector('.chat-title').textContent === %s" % json.dumps(titles[0]), 5,
                   "Alt+ArrowUp to open the first conversation")
    tab_a.press("Alt+ArrowDown")
    tab_a.wait_for("document.querySelector('.chat-title').textContent === %s" % json.dumps(titles[1]), 5,
                   "Alt+ArrowDown to open the second conversation")
    expect(tab_a.eval("document.activeElement.id") == "composer", "the composer lost the focus")
    # Esc closes a dialog and gives the focus back
    tab_a.role("button", "Join a room").click()
    tab_a.css("dialog.join-dialog").wait()
    tab_a.press("Escape")
    tab_a.css("dialog").wait("detached")
    # the tabs of the side list follow the arrow keys
    tab_a.css("#tab-conversations").click()
    tab_a.press("ArrowRight")
    tab_a.wait_for("document.activeElement.id === 'tab-buddies' && !document.querySelector('#panel-buddies').hidden",
                   5, "ArrowRight to move to the buddies tab")
    tab_a.press("ArrowLeft")
    tab_a.wait_for("!document.querySelector('#panel-conversations').hidden", 5, "ArrowLeft back")
    # Tab walks from the composer to the send button
    tab_a.css("#composer").click()
    tab_a.press("Tab")
    expect(tab_a.eval("document.activeElement.classList.contains('send-button')"), "Tab from the composer went to %r" %
           tab_a.eval("document.activeElement.outerHTML.slice(0, 80)"))
    names = tab_a.eval("Array.from(document.querySelectorAll('button, input, select, textarea'))"
                       ".filter((node) => node.offsetParent !== null && !node.labels?.length && !node.getAttribute('aria-label')"
                       " && !node.textContent.trim()).map((node) => node.outerHTML.slice(0, 80))")
    expect(not names, "controls without a name: %r" % names)


@h.timeout(120)
def test_reconnecting_keeps_the_draft():
    tab_a.css(BOB).click()
    tab_a.css("#composer").fill("a draft that must survive")
    tab_a.eval("""(() => {
      const texts = window.__lilacConnection = [];
      window.__lilacConnectionTimer = setInterval(() => {
        const bar = document.querySelector('.connection');
        const text = bar && !bar.hidden ? bar.querySelector('.connection-text').textContent : '';
        if (texts[texts.length - 1] !== text) texts.push(text);
      }, 50);
      return true;
    })()""")
    before = len(tab_a.record()["failures"])
    lilac.stop()
    tab_a.css(".connection").wait(timeout=20)
    text = tab_a.eval("document.querySelector('.connection-text').textContent")
    expect("Reconnecting" in text, "the bar says %r" % text)
    # each failed try waits longer before the next: the gaps between the stream's failed
    # requests grow, and so does the countdown the bar shows
    def stream_failures():
        return [failure["time"] for failure in tab_a.record()["failures"][before:]
                if re.search(r"/api/v1/(events|state)\b", failure["url"])]
    h.wait_until(lambda: len(stream_failures()) >= 5, 30, interval=0.5, message="five failed tries")
    times = stream_failures()
    gaps = [(later - earlier) / 1000 for earlier, later in zip(times, times[1:])]
    texts = tab_a.eval("(() => { clearInterval(window.__lilacConnectionTimer); return window.__lilacConnection; })()")
    countdowns = [int(number) for number in re.findall(r"in (\d+) s", " ".join(texts))]
    h.diag("gaps between failed tries: %s s; countdowns shown: %r" % (", ".join("%.2f" % gap for gap in gaps), countdowns))
    expect(all(later > earlier for earlier, later in zip(gaps[:4], gaps[1:4])), "the waits do not grow: %r" % gaps)
    expect(gaps[3] > 4 * gaps[0], "the wait grew from %.2f s to only %.2f s" % (gaps[0], gaps[3]))
    expect(countdowns and countdowns[0] == 1 and max(countdowns) >= 3, "the bar counted down %r" % countdowns)
    lilac.start()
    tab_a.css(".connection").wait("hidden", timeout=40)
    expect(tab_a.css("#composer").value() == "a draft that must survive", "the draft is now %r" %
           tab_a.css("#composer").value())
    tab_a.wait_for("document.querySelectorAll('.account[data-status=\"online\"]').length === 2", 45,
                   "both accounts online again")
    bob_says("after the restart")
    wait_message(tab_a, "after the restart", timeout=20)
    expect(tab_a.css("#composer").value() == "a draft that must survive", "the draft changed")
    tab_a.css("#composer").fill("")
    # the room is still listed and the gateway joins it again once IRC is back; until then (or if
    # that fails) the page offers to join again
    tab_a.css(ROOM).click()
    tab_a.css(".members-topic").wait("attached")
    dave_listed = "Array.from(document.querySelectorAll('.members-list li')).some((li) => li.textContent === 'dave')"
    try:
        tab_a.wait_for(dave_listed, 10, "the gateway to join #lilac again")
    except AssertionError:
        h.diag("the IRC session did not rejoin #lilac in 10 s after the restart: joining again from the page")
        if tab_a.eval("!document.querySelector('.members-note').hidden"):
            tab_a.role("button", "Join again").click()
    tab_a.wait_for(dave_listed, 20, "dave in the member list after the restart")
    dave.say("#lilac", "welcome back")
    wait_message(tab_a, "welcome back")


@h.timeout(120)
def test_resync_within_the_epoch():
    """A gateway that keeps only 16 events per user: while the page is offline, more happen than
    that, so its next poll is answered with resync; the page reloads /state (the presence it
    missed shows) without reloading itself."""
    small = h.Lilac(config={"gateway": {"event_ring": 16}})
    small.add_user("ann", ANN_PASSWORD)
    small.start()
    browser.command("context", name="ring")
    page = Page(browser, "ring", context="ring")
    page.goto(small.base_url + "/")
    log_in(page)
    page.css("#panel-conversations").wait()
    page.eval("window.__lilacSamePage = true")
    states = lambda: len([entry for entry in page.record()["responses"] if "/api/v1/state" in entry["url"]])
    loaded = states()
    browser.command("offline", context="ring", offline=True)
    client = small.client()
    client.login("ann", ANN_PASSWORD)
    for number in range(24):
        status, body = client.post("presence", json={"status": "away", "message": "away %d" % number})
        expect(status in (200, 204), "POST /presence answered %s %r" % (status, body))
    client.post("presence", json={"status": "busy", "message": "the last word"})
    page.css(".connection").wait(timeout=30)
    browser.command("offline", context="ring", offline=False)
    # the browser's online event makes the page try again at once; else Retry now does
    page.eval("document.querySelector('.connection:not([hidden]) button')?.click() ?? null")
    page.wait_for("document.querySelector('#presence-status').value === 'busy' && "
                  "document.querySelector('#presence-message').value === 'the last word'", 20,
                  "the presence the page missed, from a new /state")
    page.css(".connection").wait("hidden", timeout=20)
    expect(states() == loaded + 1, "GET /state was loaded %d times more" % (states() - loaded))
    expect(page.eval("window.__lilacSamePage === true"), "the page was reloaded")
    record = page.record()
    expect(not record["errors"], "page errors: %r" % record["errors"])
    browser.command("closeContext", name="ring")
    client.delete("session")
    small.stop()
    small.assert_clean_exit()


def test_chinese_locale():
    browser.command("context", name="zh", options={"locale": "zh-CN"})
    page = Page(browser, "zh", context="zh")
    page.goto(url())
    page.css(".login-form").wait()
    expect(page.eval("document.documentElement.lang") == "zh-CN", "lang %r" % page.eval("document.documentElement.lang"))
    page.role("button", "登录").wait()
    page.label("用户名").fill("ann")
    page.label("密码").fill(ANN_PASSWORD)
    page.role("button", "登录").click()
    page.css(".topbar").wait()
    tabs = page.eval("Array.from(document.querySelectorAll('[role=tab]')).map((tab) => tab.firstChild.textContent)")
    expect(tabs == ["聊天", "好友", "账户"], "tabs: %r" % tabs)
    expect(page.call("title") == "Lilac 即时通讯", "the Chinese page's title: %r" % page.call("title"))
    page.screenshot("zh-CN-1280x800.png")
    # switched to English in the menu, and remembered (in this browser and in the user's settings,
    # which the other contexts of this test then follow)
    page.css(".menu summary").click()
    page.css("#menu-language").select("en")
    page.role("tab", "Buddies").wait()
    expect(page.call("title") == "Lilac", "the title once English: %r" % page.call("title"))
    page.call("reload")
    page.role("tab", "Buddies").wait()
    browser.command("closeContext", name="zh")


def shoot(context, file_prefix, viewport, scale, scheme="light"):
    browser.command("context", name=context, options={"viewport": viewport, "deviceScaleFactor": scale,
                                                      "colorScheme": scheme})
    page = Page(browser, context, context=context)
    page.goto(url())
    log_in(page)
    page.css("#panel-conversations").wait()
    if page.eval("document.querySelector('dialog[open]') !== null"):
        page.press("Escape")  # a request still open: later
    page.wait_for("document.querySelectorAll('.conversation-entry').length === 2", 10, "the conversations")
    no_horizontal_scroll(page, "%s, the list" % file_prefix)
    page.screenshot("%s-list.png" % file_prefix)
    page.css(BOB).click()
    wait_message(page, "after the restart")
    page.css("#composer").wait()
    no_horizontal_scroll(page, "%s, the conversation" % file_prefix)
    visible = page.eval("(() => { const r = document.querySelector('.send-button').getBoundingClientRect(); "
                        "return r.bottom <= window.innerHeight && r.right <= window.innerWidth && r.width > 0; })()")
    expect(visible, "%s: the send button is off screen" % file_prefix)
    page.screenshot("%s-conversation.png" % file_prefix)
    if page.eval("getComputedStyle(document.querySelector('.back-button')).display !== 'none'"):
        page.role("button", "Back").click()
    page.css(ROOM).click()
    page.css(".members-topic").wait("attached")
    return page


def test_screenshots_desktop_phone_and_zoom():
    tab_a.front()
    open_panel(tab_a, "conversations")
    tab_a.css(BOB).click()
    tab_a.screenshot("main-1280x800.png")
    open_panel(tab_a, "accounts")
    tab_a.screenshot("accounts-1280x800.png")
    open_panel(tab_a, "buddies")
    tab_a.screenshot("buddies-1280x800.png")
    open_panel(tab_a, "conversations")
    tab_a.css(ROOM).click()
    tab_a.screenshot("room-1280x800.png")
    phone = shoot("phone", "phone-390x844", {"width": 390, "height": 844}, 2, "dark")
    phone.screenshot("phone-390x844-room.png")
    browser.command("closeContext", name="phone")
    # 200% zoom of a 1280x800 window: a 640x400 CSS viewport drawn at twice the scale
    zoom = shoot("zoom", "zoom-200", {"width": 640, "height": 400}, 2)
    zoom.role("button", "Back").click()
    zoom.css("#tab-accounts").click()
    no_horizontal_scroll(zoom, "200%, the accounts")
    zoom.screenshot("zoom-200-accounts.png")
    browser.command("closeContext", name="zoom")


# text of the page, each on the background it is drawn on
TEXT_SAMPLES = {
    "body": "body",
    "an incoming message": ".log .message.in .message-text",
    "an outgoing message": ".log .message.out .message-text",
    "a system line": ".log .message.system .message-text",
    "a message's time": ".log .message.in time",
    "a conversation's account": ".conversation-item .conversation-meta",
    "the chat's subtitle": ".chat-subtitle",
    "the topic": ".members-topic",
    "the send button": ".send-button",
    "a tab": "[role=tab][aria-selected=false]",
    "the composer": "#composer",
}


def text_colours(page):
    """{sample: [[r, g, b] of the text, [r, g, b] of the first opaque background behind it]}."""
    return page.eval("""(() => {
      const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
      const behind = (node) => {
        for (let element = node; element; element = element.parentElement) {
          const colour = rgb(getComputedStyle(element).backgroundColor);
          if (colour.length === 3 || colour[3] === 1) return colour.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const found = {};
      for (const [name, selector] of Object.entries(%s)) {
        const node = Array.from(document.querySelectorAll(selector)).find((element) => element.offsetParent !== null ||
          element === document.body);
        found[name] = node ? [rgb(getComputedStyle(node).color).slice(0, 3), behind(node)] : null;
      }
      return found;
    })()""" % json.dumps(TEXT_SAMPLES))


def luminance(colour):
    channels = [value / 255 for value in colour]
    linear = [value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4 for value in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_dark_theme():
    """prefers-color-scheme: dark gives other colours than light, dark behind light text, and every
    sampled text keeps WCAG's 4.5:1 against its background in both themes."""
    tab_a.front()
    open_panel(tab_a, "conversations")
    tab_a.css(ROOM).click()
    wait_message(tab_a, "hi dave", direction="out")
    themes = {}
    for scheme in ("light", "dark"):
        tab_a.call("emulateMedia", {"colorScheme": scheme})
        tab_a.wait_for("matchMedia('(prefers-color-scheme: %s)').matches" % scheme, 5, "the %s scheme" % scheme)
        themes[scheme] = text_colours(tab_a)
        missing = [name for name, colours in themes[scheme].items() if colours is None]
        expect(not missing, "%s: nothing to sample for %r" % (scheme, missing))
        ratios = {name: contrast(*colours) for name, colours in themes[scheme].items()}
        h.diag("%s: %s" % (scheme, ", ".join("%s %.1f" % item for item in sorted(ratios.items(), key=lambda item: item[1]))))
        weak = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio < 4.5}
        expect(not weak, "%s theme: text under 4.5:1 contrast: %r" % (scheme, weak))
    tab_a.screenshot("dark-room-1280x800.png")
    tab_a.call("emulateMedia", {"colorScheme": None})
    light, dark = themes["light"]["body"], themes["dark"]["body"]
    expect(light[0] != dark[0] and light[1] != dark[1], "the themes share body colours: %r, %r" % (light, dark))
    expect(luminance(dark[1]) < 0.05 < 0.5 < luminance(dark[0]), "the dark theme is not light on dark: %r" % (dark,))
    expect(luminance(light[1]) > 0.5 > 0.05 > luminance(light[0]), "the light theme is not dark on light: %r" % (light,))


def test_edit_an_account():
    tab_a.front()
    open_panel(tab_a, "accounts")
    tab_a.css(".account").first_of().role("button", "Edit").click()
    dialog = tab_a.css("dialog.account-dialog")
    expect(dialog.label("Connect server").value() == "127.0.0.1", "the options are not filled in")
    expect(dialog.label("Connect port").value() == str(prosody.port), "the port is not filled in")
    dialog.label("Alias").fill("Alice at home")
    dialog.role("button", "Save").click()
    dialog.wait("detached")
    tab_a.wait_for("document.querySelector('.account .account-name').textContent === 'Alice at home'", 10,
                   "the alias in the account list")
    expect(tab_a.text(".buddy-account") == ["Alice at home"], "the buddy list does not follow the alias")
    open_panel(tab_a, "conversations")


@h.timeout(60)
def test_leave_a_room():
    parts = queue.Queue()
    dave._do(lambda: dave.reactor.add_global_handler("part", lambda _connection, event: parts.put(
        (event.source.nick, event.target.lower()))))
    tab_a.front()
    open_panel(tab_a, "conversations")
    tab_a.css(ROOM).click()
    tab_a.role("button", "Leave").click()
    tab_a.wait_for("document.querySelector(%s) === null" % json.dumps(ROOM), 10, "the room to leave the list")
    tab_a.css(".chat-empty").wait()
    h.wait_until(lambda: ("ann", "#lilac") in list(parts.queue), 15, message="dave to see ann part #lilac")
    # back in, for the next test
    while not dave.joins.empty():
        dave.joins.get_nowait()
    join_room(tab_a, "#lilac")
    dave.wait_join("ann", "#lilac")
    tab_a.css(ROOM).wait()


@h.timeout(90)
def test_disable_remove_and_close():
    tab_a.front()
    open_panel(tab_a, "accounts")
    irc = '.account:nth-child(2)'
    tab_a.css(irc).then("getByRole", "checkbox").click()
    tab_a.wait_for("document.querySelector(%s).dataset.status === 'offline'" % json.dumps(irc), 15, "IRC disabled")
    tab_a.css(irc).then("getByRole", "checkbox").click()
    tab_a.wait_for("document.querySelector(%s).dataset.status === 'online'" % json.dumps(irc), 30, "IRC enabled")
    tab_a.css(irc).role("button", "Remove").click()
    tab_a.css("dialog").role("button", "Remove").click()
    tab_a.wait_for("document.querySelectorAll('.account').length === 1", 15, "the IRC account to go")
    open_panel(tab_a, "conversations")
    tab_a.wait_for("document.querySelector(%s) === null" % json.dumps(ROOM), 10, "the room to go with its account")
    tab_a.css(BOB).click()
    tab_a.role("button", "Close").click()
    tab_a.wait_for("document.querySelectorAll('.conversation-entry').length === 0", 10, "the IM to close")
    tab_a.css(".chat-empty").wait()
    # writing to a buddy opens a new conversation
    open_panel(tab_a, "buddies")
    tab_a.css(".buddy-open").click()
    tab_a.css("#composer").fill("back again")
    tab_a.css("#composer").press("Enter")
    bob.wait_message(lambda message: message["body"] == "back again", timeout=15)
    tab_a.css(BOB).wait("attached")
    wait_message(tab_a, "back again", direction="out")


def test_log_out():
    tab_a.front()
    tab_a.css(".menu summary").click()
    tab_a.role("button", "Log out").click()
    tab_a.css(".login-form").wait()
    status = tab_a.eval("fetch('/api/v1/session').then((response) => response.status)")
    expect(status == 401, "after logging out GET /session answered %r" % status)
    # the other tab of the same login learns it from its poll
    tab_b.css(".login-form").wait(timeout=40)


def test_no_page_errors():
    for page in (tab_a, tab_b):
        record = page.record()
        expect(not record["errors"], "%s: page errors: %r" % (page.name, record["errors"]))
        expect(not record["dialogs"], "%s: dialogs: %r" % (page.name, record["dialogs"]))
        unexpected = [line for line in record["console"]
                      if "ERR_CONNECTION_REFUSED" not in line and "Failed to load resource" not in line]
        expect(not unexpected, "%s: %d console errors, the first: %r" % (page.name, len(unexpected), unexpected[:3]))


def test_gateway_stops_cleanly():
    browser.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
