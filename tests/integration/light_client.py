#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""What the tests of the lightweight view (/m/) share: a browser without JavaScript (a cookie jar,
redirects followed, forms posted as urlencoded), the checks every page passes (valid HTML in
html5lib's strict mode, under 8 KB, no script, the headers of a page nothing may script or frame),
and the text that w3m and lynx show of a page."""

import http.cookiejar
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request

from lilac_harness import expect

PAGE_LIMIT = 8 * 1024

checked_pages = {}   # name -> bytes, of every page check_page() passed


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self):
        super().__init__()
        self.codes = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.codes.append(code)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Page:
    def __init__(self, status, url, headers, body, redirects):
        self.status = status
        self.url = url
        self.path = urllib.parse.urlsplit(url).path
        self.query = urllib.parse.urlsplit(url).query
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", errors="replace") if b"\0" not in body else ""
        self.redirects = redirects

    def field(self, name, form_action=None):
        """The value of the first hidden or text input called name (in the form posting to form_action)."""
        text = self.text if form_action is None else self.form(form_action)
        match = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), text)
        expect(match is not None, "no field %s on %s:\n%s" % (name, self.url, self.text))
        return match.group(1)

    def form(self, action):
        """The HTML of the form that posts to action."""
        start = self.text.find('action="%s"' % action)
        expect(start >= 0, "no form posting to %s on %s:\n%s" % (action, self.url, self.text))
        return self.text[start:self.text.index("</form>", start)]


class LightClient:
    """What a text browser does: GET pages, POST forms, keep cookies, follow redirects."""

    def __init__(self, base_url, accept_language=None):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.accept_language = accept_language

    def request(self, method, path, fields=None, raw=None, headers=None):
        redirects = _Redirects()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPCookieProcessor(self.jar), redirects)
        data = None
        all_headers = {"User-Agent": "lilac-light-test"}
        if self.accept_language:
            all_headers["Accept-Language"] = self.accept_language
        if fields is not None:
            data = urllib.parse.urlencode(fields).encode("ascii")
        elif raw is not None:
            data = raw
        if data is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=all_headers)
        try:
            with opener.open(request, timeout=30) as response:
                return Page(response.status, response.geturl(), response.headers, response.read(),
                            redirects.codes)
        except urllib.error.HTTPError as error:
            return Page(error.code, error.geturl(), error.headers, error.read(), redirects.codes)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, fields=None, raw=None, **kwargs):
        if fields is None and raw is None:
            fields = {}
        return self.request("POST", path, fields=fields, raw=raw, **kwargs)

    def cookie(self, name):
        for cookie in self.jar:
            if cookie.name == name:
                return cookie.value
        return None


def expect_page(page, status=200, path=None):
    expect(page.status == status, "%s answered %d, not %d:\n%s" % (page.url, page.status, status, page.text))
    if path is not None:
        expect(page.path == path, "ended at %s, not %s" % (page.url, path))
    return page


def dump(program, html):
    """The page as the text browser shows it (read from standard input)."""
    if program == "w3m":
        args = ["w3m", "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8", "-cols", "100"]
    else:
        args = ["lynx", "-dump", "-stdin", "-assume_charset=utf-8", "-display_charset=utf-8", "-width=100",
                "-nolist"]
    result = subprocess.run(args, input=html.encode("utf-8"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=30, env={"HOME": "/tmp", "TERM": "dumb", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    expect(result.returncode == 0, "%s failed: %s" % (program, result.stderr.decode(errors="replace")))
    return result.stdout.decode("utf-8", errors="replace")


def expect_readable(name, page, words):
    """w3m and lynx both show each of words on the page."""
    for program in ("w3m", "lynx"):
        text = dump(program, page.text)
        for expected in words:
            expect(expected in text, "%s's %s page lacks %r:\n%s" % (program, name, expected, text))


def check_page(name, page):
    """Every /m/ page: valid HTML, small, no script, the headers of a page nothing may script or frame."""
    import html5lib  # Debian's python3-html5lib: run with /usr/bin/python3

    expect(len(page.body) < PAGE_LIMIT, "%s is %d bytes, over %d" % (name, len(page.body), PAGE_LIMIT))
    expect("<script" not in page.text.lower(), "%s holds <script:\n%s" % (name, page.text))
    try:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.body)
    except Exception as error:
        raise AssertionError("%s is not valid HTML (%s):\n%s" % (name, error, page.text))
    headers = page.headers
    expect(headers.get("Content-Type") == "text/html; charset=utf-8", "%s Content-Type %r" % (name, headers.get("Content-Type")))
    expect(headers.get("Cache-Control") == "no-store", "%s Cache-Control %r" % (name, headers.get("Cache-Control")))
    expect(headers.get("X-Content-Type-Options") == "nosniff", "%s nosniff missing" % name)
    expect(headers.get("X-Frame-Options") == "DENY", "%s X-Frame-Options %r" % (name, headers.get("X-Frame-Options")))
    policy = headers.get("Content-Security-Policy") or ""
    expect("default-src 'none'" in policy and "script-src" not in policy, "%s CSP %r" % (name, policy))
    checked_pages[name] = len(page.body)


def link(page, text):
    """The target of the link whose text is text, unescaped."""
    match = re.search(r'<a href="([^"]*)">%s</a>' % re.escape(text), page.text)
    expect(match is not None, "no link %r on %s:\n%s" % (text, page.url, page.text))
    return match.group(1).replace("&amp;", "&")


def sizes():
    return ", ".join("%s %d" % item for item in sorted(checked_pages.items()))


def log_in(client, username, password):
    """Logs client in through the /m/ login form; returns the home page it lands on."""
    form = expect_page(client.get("/m/login"), 200, "/m/login")
    return expect_page(client.post("/m/login", {"login_csrf": form.field("login_csrf"), "username": username,
                                                "password": password}), 200, "/m/")

