#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""Received files in the lightweight view, /m/files, with nothing but its forms: a slixmpp client
(bob, through a real Prosody, XEP-0096 over in-band bytestreams as in shared/notes/peers.md) offers
files to ann's XMPP account alice. The offer shows on /m/files with Accept and Refuse buttons, and
the home page counts it; accepting it through the form receives the file, whose progress shows as
text while it moves, and the page's download link gives the same bytes (SHA-256). A refused offer
stores nothing, a cancelled transfer keeps nothing, and a post of these forms without the login's
CSRF token changes nothing."""

import asyncio
import hashlib
import os
import re

import lilac_harness as h
from lilac_harness import expect
from light_client import LightClient, check_page, expect_page, expect_readable, link, log_in, sizes
import test_files
from test_files import enable_file_transfer, offer_file, stored_pieces

ALICE_PASSWORD = "alice-light-files-pw"
BOB_PASSWORD = "bob-light-files-pw"
ANN_PASSWORD = "ann-light-files-pw"
# big enough that its progress can be seen on the page (see test_files.py for the sanitizer's size)
BIG_SIZE = (1 if h.sanitized() else 4) * 1024 * 1024

prosody = lilac = api = bob = light = None
small_future = small_id = small_data = None   # the offer the first tests answer


def setup_module():
    global prosody, lilac, api, bob, light
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    lilac = h.start_lilac({"ann": ANN_PASSWORD})
    test_files.lilac = lilac   # whose database its stored_pieces() reads
    h._failure_hooks.append(lilac.log_news)
    api = h.log_in(lilac, "ann", ANN_PASSWORD)
    account = api.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    api.wait_online(account["id"], timeout=45)
    bob = h.XmppPeer(prosody.jid("bob") + "/slix", BOB_PASSWORD, prosody.port,
                     setup=enable_file_transfer).start()
    light = LightClient(lilac.base_url)
    log_in(light, "ann", ANN_PASSWORD)


def offer(name, data):
    """bob offers data as a file called name; returns the future of his side and the transfer."""
    known = {transfer["id"] for transfer in api.state()["transfers"]}
    future = asyncio.run_coroutine_threadsafe(
        offer_file(bob.xmpp, "%s/lilac" % prosody.jid("alice"), name, data), bob.loop)

    def offered():
        return next((transfer for transfer in api.state()["transfers"]
                     if transfer["id"] not in known and transfer["state"] == "pending"), None)
    return future, h.wait_until(offered, timeout=30, interval=0.1, message="the offer of %s" % name)


def transfer_state(transfer_id):
    return next(transfer for transfer in api.state()["transfers"] if transfer["id"] == transfer_id)


def item(page, name):
    """The list item of the file called name on /m/files."""
    match = re.search(r"<li>%s \(.*?</li>" % re.escape(name), page.text, re.S)
    expect(match is not None, "%s is not listed:\n%s" % (name, page.text))
    return match.group(0)


def wait_item(name, pattern, timeout=60):
    """Reloads /m/files until the item of name matches pattern; returns the page."""
    def matches():
        page = expect_page(light.get("/m/files"))
        return page if re.search(pattern, item(page, name)) else None
    return h.wait_until(matches, timeout=timeout, interval=0.05, message="%s to show %r" % (name, pattern))


def csrf():
    """The login's CSRF token, from a form of the home page."""
    return expect_page(light.get("/m/")).field("csrf")


def answer(transfer_id, button, csrf):
    fields = {button: "x"}
    if csrf is not None:
        fields["csrf"] = csrf
    return light.post("/m/files/%s" % transfer_id, fields)


@h.timeout(120)
def test_offer_shows_with_its_buttons():
    global small_future, small_id, small_data
    small_data = os.urandom(200 * 1024)
    small_future, transfer = offer("light small.bin", small_data)
    small_id = transfer["id"]
    page = wait_item("light small.bin", r": waiting")
    check_page("files-offer", page)
    entry = item(page, "light small.bin")
    expect("from %s/slix" % prosody.jid("bob") in entry, "the offer does not say who sent it:\n%s" % entry)
    form = page.form("/m/files/%s" % small_id)
    expect('name="accept" value="Accept"' in form and 'name="reject" value="Refuse"' in form,
           "the offer has no Accept and Refuse buttons:\n%s" % form)
    expect('name="cancel"' not in form and "Download" not in entry, "an offer has more than its answers:\n%s" % entry)
    home = expect_page(light.get("/m/"))
    check_page("home-offer", home)
    expect('<a href="/m/files">File offers waiting: 1</a>' in home.text,
           "the home page does not tell about the offer:\n%s" % home.text)
    expect_readable("files", page, ("light small.bin", "waiting", "Accept", "Refuse"))


def test_answer_without_csrf_changes_nothing():
    page = expect_page(light.get("/m/files"))
    for csrf in (None, "", "x" * 43):
        for button in ("accept", "reject", "cancel"):
            refused = answer(small_id, button, csrf)
            expect_page(refused, 403)
            check_page("files-forbidden", refused)
    expect(transfer_state(small_id)["state"] == "pending", "a post without the token answered the offer: %r"
           % transfer_state(small_id))
    bad = light.post("/m/files/%s" % small_id, {"csrf": page.field("csrf"), "accept": "x", "reject": "x"})
    expect_page(bad, 400)
    nothing = light.post("/m/files/%s" % small_id, {"csrf": page.field("csrf")})
    expect_page(nothing, 400)
    expect(transfer_state(small_id)["state"] == "pending", "a bad answer answered the offer")
    expect(not small_future.done(), "bob's offer was answered: %r" % small_future)


@h.timeout(120)
def test_accept_through_the_form_and_download():
    page = expect_page(light.get("/m/files"))
    accepted = answer(small_id, "accept", page.field("csrf"))
    expect_page(accepted, 200, "/m/files")
    expect(accepted.redirects == [303], "the accept POST answered %r" % accepted.redirects)
    page = wait_item("light small.bin", r": done")
    check_page("files-done", page)
    expect(small_future.result(30) == "sent", "bob's side: %r" % small_future.result())
    entry = item(page, "light small.bin")
    expect("204.8\xa0kB" in entry and "<form" not in entry, "the received file:\n%s" % entry)
    link = re.search(r'<a href="([^"]*)">Download</a>', entry)
    expect(link is not None, "no download link:\n%s" % entry)
    download = light.get(link.group(1).replace("&amp;", "&"))
    expect(download.status == 200, "the download answered %d" % download.status)
    expect(hashlib.sha256(download.body).hexdigest() == hashlib.sha256(small_data).hexdigest(),
           "the download (%d bytes) differs from what bob sent (%d bytes)" % (len(download.body), len(small_data)))
    expect(download.headers.get("Content-Disposition", "").startswith("attachment;"),
           "Content-Disposition %r" % download.headers.get("Content-Disposition"))
    home = expect_page(light.get("/m/"))
    expect("File offers waiting" not in home.text,
           "the home page still counts the answered offer:\n%s" % home.text)


@h.timeout(120)
def test_refuse_stores_nothing():
    future, transfer = offer("light refused.bin", os.urandom(64 * 1024))
    transfer_id = transfer["id"]
    page = wait_item("light refused.bin", r": waiting")
    refused = answer(transfer_id, "reject", page.field("csrf"))
    expect_page(refused, 200, "/m/files")
    expect(future.result(30).startswith("declined"), "bob's side: %r" % future.result())
    page = wait_item("light refused.bin", r": cancelled")
    entry = item(page, "light refused.bin")
    expect("Download" not in entry and "<form" not in entry, "the refused file:\n%s" % entry)
    expect(transfer_state(transfer_id)["state"] == "cancelled", "the refused transfer: %r" % transfer_state(transfer_id))
    expect(stored_pieces(transfer_id) == (0, 0), "bytes were stored: %r" % (stored_pieces(transfer_id),))
    status, _ = api.get("transfers/%s/content" % transfer_id)
    expect(status == 404, "the refused file downloads: %d" % status)
    again = answer(transfer_id, "accept", csrf())
    expect_page(again, 409)
    check_page("files-over", again)


@h.timeout(180)
def test_progress_shows_and_cancel_keeps_nothing():
    future, transfer = offer("light big.bin", os.urandom(BIG_SIZE))
    transfer_id = transfer["id"]
    page = wait_item("light big.bin", r": waiting")
    expect_page(answer(transfer_id, "accept", page.field("csrf")), 200, "/m/files")
    page = wait_item("light big.bin", "in progress, [1-9][0-9.]*\xa0[kM]B of [0-9.]+\xa0MB \\(\\d+%\\)")
    check_page("files-progress", page)
    entry = item(page, "light big.bin")
    h.diag("a file in progress: %s" % re.sub(r"<[^>]*>", " ", entry))
    form = page.form("/m/files/%s" % transfer_id)
    expect('name="cancel" value="Cancel"' in form and 'name="accept"' not in form,
           "a moving transfer has no Cancel button:\n%s" % form)
    expect('http-equiv="refresh"' in page.text, "the page does not refresh itself while a file moves")
    cancelled = answer(transfer_id, "cancel", page.field("csrf"))
    expect_page(cancelled, 200, "/m/files")
    h.wait_until(lambda: transfer_state(transfer_id)["state"] == "cancelled", timeout=30,
                 message="the transfer to be cancelled")
    try:
        outcome = future.result(60)
    except Exception as error:  # the stream closed under the sender: what a cancel looks like
        outcome = "stopped: %r" % error
    expect(outcome != "sent", "bob sent the whole file")
    expect(stored_pieces(transfer_id) == (0, 0), "bytes were kept: %r" % (stored_pieces(transfer_id),))
    page = expect_page(light.get("/m/files"))
    expect('http-equiv="refresh"' not in page.text, "the page refreshes itself with nothing moving")
    check_page("files-cancelled", page)


def test_chinese_labels():
    chinese = LightClient(lilac.base_url, accept_language="zh-CN")
    chinese.jar = light.jar
    future, transfer = offer("light 中文.bin", os.urandom(1024))
    transfer_id = transfer["id"]
    page = expect_page(chinese.get("/m/files"))
    check_page("files-zh", page)
    form = page.form("/m/files/%s" % transfer_id)
    for label in ("接受", "拒绝", "等待"):
        expect(label in page.text, "the Chinese files page lacks %r:\n%s" % (label, page.text))
    expect('name="accept"' in form, "the Chinese form:\n%s" % form)
    expect_page(chinese.post("/m/files/%s" % transfer_id, {"csrf": page.field("csrf"), "reject": "拒绝"}),
                200, "/m/files")
    expect(future.result(30).startswith("declined"), "bob's side: %r" % future.result())


@h.timeout(120)
def test_many_offers_with_long_names_are_paged_and_small():
    offers = [offer("%02d 中文名字很长的文件，用来看看页面在最坏的情况下会不会超过八千字节的限制；还有更多的字.txt"
                    % number, b"x" * 100) for number in range(12)]
    names = [transfer["filename"] for _future, transfer in offers]
    page = expect_page(light.get("/m/files"))
    check_page("files-12-long-offers", page)
    shown = [name for name in names if name[:20] in page.text]
    expect(shown == names[2:], "page 1 shows %r, not the newest 10" % shown)
    expect(page.text.index(names[-1][:20]) < page.text.index(names[2][:20]), "page 1 does not show the newest first")
    expect(page.text.count('name="accept"') == 10, "page 1 does not have 10 forms:\n%s" % page.text)
    second = expect_page(light.get(link(page, "Next »")))
    check_page("files-12-long-offers-page-2", second)
    shown = [name for name in names if name[:20] in second.text]
    expect(shown == names[:2], "page 2 shows %r, not the oldest offers" % shown)
    home = expect_page(light.get("/m/"))
    expect('<a href="/m/files">File offers waiting: 12</a>' in home.text, "the home page:\n%s" % home.text)
    for future, transfer in offers:
        status, body = api.post("transfers/%s" % transfer["id"], json={"action": "reject"})
        expect(status == 204, "reject answered %s %r" % (status, body))
        expect(future.result(30).startswith("declined"), "bob's side: %r" % future.result())
    h.diag("pages checked (bytes): " + sizes())


def test_gateway_stops_cleanly():
    bob.stop()
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
