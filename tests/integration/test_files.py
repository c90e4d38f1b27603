#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright 2026 The Lilac developers
"""File transfers through libpurple, both ways, against a real Prosody and a slixmpp peer (XEP-0096
over in-band bytestreams, as in shared/notes/peers.md): a 5 MiB file offered to a Lilac user is
accepted through the API and downloads with the same SHA-256, even when the gateway stops reading
for a while; a 5 MiB file the user uploads reaches the peer intact; neither leaves a copy on disk;
a transfer cancelled halfway, an offer rejected, over the size limit or over the quota stores no
byte; hostile file names from the peer are stored and served harmless. The gateway's resident memory is sampled during both transfers."""

import asyncio
import hashlib
import os
import signal
import sqlite3
import threading
import time
import urllib.parse
import uuid

import lilac_harness as h
from lilac_harness import expect

ALICE_PASSWORD = "alice-ft-pw"
BOB_PASSWORD = "bob-ft-pw"
IBB = "http://jabber.org/protocol/ibb"
# 5 MiB; 1 MiB under AddressSanitizer, where libpurple's every allocation unwinds the whole stack
# (./test's fast_unwind_on_malloc=0) and a megabyte in IBB blocks takes about ten seconds
FILE_MIB = 1 if h.sanitized() else 5
FILE_SIZE = FILE_MIB * 1024 * 1024

prosody = lilac = ann = bob = None
account = None
received = {}      # sid -> {"data": bytearray, "size": N, "done": threading.Event}


# ------------------------------------------------------------------------------------------------
# The peer's file transfer: slixmpp's XEP-0047/0095/0096, with the offer handler that Debian's
# slixmpp registers wrongly (a coroutine as a plain callback) registered again
# ------------------------------------------------------------------------------------------------

def enable_file_transfer(xmpp):
    from slixmpp.xmlstream.handler import CoroutineCallback
    from slixmpp.xmlstream.matcher import StanzaPath

    xmpp.register_plugin("xep_0047")
    xmpp.register_plugin("xep_0095")
    xmpp.register_plugin("xep_0096")
    xmpp.remove_handler("SI Request")
    xmpp.register_handler(CoroutineCallback("SI Request", StanzaPath("iq@type=set/si"),
                                            xmpp["xep_0095"]._handle_request))
    xmpp.add_event_handler("si_request", lambda iq: asyncio.ensure_future(accept_offer(xmpp, iq)))


async def accept_offer(xmpp, iq):
    """The peer accepts every file offered to it and keeps its bytes in `received`."""
    sid = iq["si"]["id"]
    size = int(iq["si"]["file"]["size"] or 0)
    entry = {"data": bytearray(), "size": size, "name": iq["si"]["file"]["name"],
             "done": threading.Event(), "started": None, "ended": None}
    received[sid] = entry

    def on_data(stream):
        if stream.sid != sid:
            return
        if entry["started"] is None:
            entry["started"] = time.monotonic()
        while not stream.recv_queue.empty():
            entry["data"] += stream.recv_queue.get_nowait()
        if len(entry["data"]) >= size:
            entry["ended"] = time.monotonic()
            entry["done"].set()

    def on_end(stream):
        if stream.sid == sid:
            entry["ended"] = entry["ended"] or time.monotonic()
            entry["done"].set()

    xmpp.add_event_handler("ibb_stream_data", on_data)
    xmpp.add_event_handler("ibb_stream_end", on_end)
    await xmpp["xep_0095"].accept(iq["from"], sid)


async def offer_file(xmpp, to, name, data):
    """Offers data as a file named name to the full JID to and sends it over IBB once accepted.
    Returns "declined" when the offer is refused."""
    from slixmpp.exceptions import IqError

    sid = uuid.uuid4().hex
    try:
        await xmpp["xep_0096"].request_file_transfer(to, sid=sid, name=name, size=len(data),
                                                    methods=[{"value": IBB}], timeout=120)
    except IqError as error:
        return "declined: %s" % error.iq["error"]["condition"]
    stream = await xmpp["xep_0047"].open_stream(to, sid=sid, block_size=4096, timeout=30)
    await stream.sendall(data, timeout=30)
    try:
        # libpurple ends the stream itself once it has the announced size: an error is fine
        await stream.close(timeout=2)
    except Exception:
        pass
    return "sent"


def offer_in_background(name, data):
    """Starts offer_file in the peer's loop; returns its concurrent future."""
    return asyncio.run_coroutine_threadsafe(offer_file(bob.xmpp, lilac_jid(), name, data), bob.loop)


def lilac_jid():
    return "%s/lilac" % prosody.jid("alice")


# ------------------------------------------------------------------------------------------------
# Helpers on the gateway's side
# ------------------------------------------------------------------------------------------------

def wait_offer(name_check):
    def is_offer(event):
        transfer = event.get("transfer") if event.get("type") == "transfer.updated" else None
        return (isinstance(transfer, dict) and transfer.get("direction") == "in"
                and transfer.get("state") == "pending" and name_check(transfer.get("filename")))
    return ann.wait_event(is_offer, timeout=30)["transfer"]


def wait_state(transfer_id, states, timeout=120, match=None):
    def is_final(event):
        transfer = event.get("transfer") if event.get("type") == "transfer.updated" else None
        return (isinstance(transfer, dict) and transfer.get("state") in states
                and (transfer.get("id") == transfer_id if match is None else match(transfer)))
    return ann.wait_event(is_final, timeout=timeout)["transfer"]


def stored_pieces(transfer_id):
    database = sqlite3.connect(os.path.join(lilac.data, "lilac.db"), timeout=10)
    try:
        return database.execute("SELECT count(*), coalesce(sum(length(content)), 0) FROM transfer_pieces "
                                "WHERE transfer_id = ?", (int(transfer_id),)).fetchone()
    finally:
        database.close()


def vm_rss():
    with open("/proc/%d/status" % lilac.process.pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class RssSampler(threading.Thread):
    """The gateway's resident memory, sampled every 10 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.baseline = vm_rss()
        self.peak = self.baseline
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, vm_rss())
            time.sleep(0.01)

    def finish(self):
        self.stop.set()
        self.join()
        return "gateway RSS %.1f MiB before, peak %.1f MiB (+%.1f MiB)" % (
            self.baseline / 1048576, self.peak / 1048576, (self.peak - self.baseline) / 1048576)

    def expect_streamed(self, what):
        """The gateway never held the file: its memory grew by less than the file's size (not
        measured under AddressSanitizer, whose quarantine keeps freed memory)."""
        if not h.sanitized():
            expect(self.peak - self.baseline < FILE_SIZE * 3 // 4,
                   "%s: the gateway grew by %.1f MiB for a %d MiB file"
                   % (what, (self.peak - self.baseline) / 1048576, FILE_MIB))


def progress_events(transfer_id):
    return [event for event in ann.history if event.get("type") == "transfer.updated"
            and event["transfer"]["id"] == transfer_id]


def assert_no_copy_on_disk(size):
    """No file of the data folder but the database is as large as a transferred file: the bytes
    went through pipes, not through the worker's folder."""
    for root, _dirs, files in os.walk(lilac.data):
        for name in files:
            path = os.path.join(root, name)
            if os.path.dirname(path) == lilac.data and name.startswith("lilac.db"):
                continue
            expect(os.path.getsize(path) < size, "%s holds %d bytes" % (path, os.path.getsize(path)))


def download(transfer_id):
    status, body = ann.get("transfers/%s/content" % transfer_id, timeout=120)
    expect(status == 200, "download answered %s %r" % (status, body if not isinstance(body, bytes) else ""))
    return body if isinstance(body, bytes) else body.encode("utf-8")


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------

def setup_module():
    global prosody, lilac, ann, bob
    prosody = h.start_prosody(alice=ALICE_PASSWORD, bob=BOB_PASSWORD)
    lilac = h.start_lilac({"ann": "ann-ft-pw"})
    h._failure_hooks.append(lilac.log_news)
    ann = h.log_in(lilac, "ann", "ann-ft-pw")
    bob = h.XmppPeer(prosody.jid("bob") + "/slix", BOB_PASSWORD, prosody.port,
                     setup=enable_file_transfer).start()


def accept_until_moving(offer):
    """Accepts an offer and waits until its first bytes have arrived."""
    status, body = ann.post("transfers/%s" % offer["id"], json={"action": "accept"})
    expect(status == 204, "accept answered %s %r" % (status, body))

    def is_moving(event):
        transfer = event.get("transfer") if event.get("type") == "transfer.updated" else None
        return isinstance(transfer, dict) and transfer.get("id") == offer["id"] and transfer.get("done", 0) > 0
    ann.wait_event(is_moving, timeout=30)


@h.timeout(90)
def test_account_online():
    global account
    account = ann.add_account(prosody.xmpp_account("alice", ALICE_PASSWORD))
    ann.wait_online(account["id"], timeout=45)


@h.timeout(180)
def test_receive_a_file():
    data = os.urandom(FILE_SIZE)
    future = offer_in_background("five.bin", data)
    offer = wait_offer(lambda name: name == "five.bin")
    expect(offer["size"] == FILE_SIZE and offer["peer"].startswith(prosody.jid("bob")), "offer: %r" % offer)
    sampler = RssSampler()
    sampler.start()
    started = time.monotonic()
    status, body = ann.post("transfers/%s" % offer["id"], json={"action": "accept"})
    expect(status == 204, "accept answered %s %r" % (status, body))
    final = wait_state(offer["id"], ("done", "failed", "cancelled"))
    elapsed = time.monotonic() - started
    memory = sampler.finish()
    expect(final["state"] == "done", "the transfer ended %r" % final)
    expect(future.result(60) == "sent", "the peer's side: %r" % future.result())
    expect(hashlib.sha256(download(offer["id"])).digest() == hashlib.sha256(data).digest(),
           "the download differs from what the peer sent")
    assert_no_copy_on_disk(FILE_SIZE // 2)
    sampler.expect_streamed("receiving")
    # progress is told a few times a second, not for each of the 4 KiB blocks
    events = progress_events(offer["id"])
    span = (events[-1]["time"] - events[0]["time"]) / 1000
    expect(len(events) <= 4 + 5 * span, "%d transfer.updated events in %.1f s" % (len(events), span))
    h.diag("%d MiB from slixmpp to Lilac: %.2f s from accept to done (%.2f MiB/s), %d progress "
           "events; %s" % (FILE_MIB, elapsed, FILE_MIB / elapsed, len(events), memory))


def worker_rss():
    """The resident memory of the user's worker (the zygote's only child)."""
    zygote = [pid for pid in h.group_members(lilac.pgid) if "--zygote" in h.cmdline(pid)
              and open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[1] == str(lilac.process.pid)]
    for pid in h.group_members(lilac.pgid):
        with open("/proc/%d/stat" % pid) as stat:
            if zygote and stat.read().rsplit(")", 1)[1].split()[1] == str(zygote[0]):
                with open("/proc/%d/status" % pid) as status:
                    return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))
    return 0


@h.timeout(180)
def test_receive_while_the_gateway_stalls():
    """The gateway stops reading for two seconds in the middle of a file: the pipe fills, the worker
    keeps what still arrives (in-band bytestreams have no flow control: libjabber acknowledges each
    block as it comes, and would cancel a transfer whose bytes the worker had not taken when the
    sender closes), and the file arrives whole once the gateway reads again."""
    data = os.urandom(FILE_SIZE)
    future = offer_in_background("stalled.bin", data)
    offer = wait_offer(lambda name: name == "stalled.bin")
    before = worker_rss()
    accept_until_moving(offer)
    os.kill(lilac.process.pid, signal.SIGSTOP)
    try:
        time.sleep(2)
        stalled = worker_rss()
    finally:
        os.kill(lilac.process.pid, signal.SIGCONT)
    final = wait_state(offer["id"], ("done", "failed", "cancelled"))
    expect(final["state"] == "done", "the transfer ended %r" % final)
    expect(future.result(60) == "sent", "the peer's side: %r" % future.result())
    expect(download(offer["id"]) == data, "the download differs from what the peer sent")
    h.diag("worker RSS %.1f MiB before, %.1f MiB while the gateway was stopped"
           % (before / 1048576, stalled / 1048576))


@h.timeout(180)
def test_send_a_file():
    data = os.urandom(FILE_SIZE)
    query = urllib.parse.urlencode({"account": account["id"], "to": bob.jid, "filename": "up load.bin"})
    sampler = RssSampler()
    sampler.start()
    started = time.monotonic()
    status, transfer = ann.request("POST", "transfers?" + query, raw=data,
                                   headers={"Content-Type": "application/octet-stream",
                                            "X-Lilac-Csrf": None, "Cookie": None,
                                            "Authorization": "Bearer " + ann.token}, timeout=120)
    expect(status == 202, "upload answered %s %r" % (status, transfer))
    final = wait_state(transfer["id"], ("done", "failed", "cancelled"))
    expect(final["state"] == "done", "the transfer ended %r" % final)
    entry = h.wait_until(lambda: next((entry for entry in received.values() if entry["name"] == "up load.bin"),
                                      None), timeout=10, message="the peer to get the offer")
    expect(entry["done"].wait(60), "the peer got %d of %d bytes" % (len(entry["data"]), FILE_SIZE))
    elapsed = time.monotonic() - started
    memory = sampler.finish()
    expect(entry["size"] == FILE_SIZE and len(entry["data"]) == FILE_SIZE,
           "the peer got %d bytes, %d announced" % (len(entry["data"]), entry["size"]))
    expect(hashlib.sha256(bytes(entry["data"])).digest() == hashlib.sha256(data).digest(),
           "the peer's copy differs")
    assert_no_copy_on_disk(FILE_SIZE // 2)
    sampler.expect_streamed("sending")
    h.diag("%d MiB from Lilac to slixmpp: %.2f s from the upload's start to the last byte (%.2f MiB/s); %s"
           % (FILE_MIB, elapsed, FILE_MIB / elapsed, memory))


@h.timeout(120)
def test_cancel_while_receiving():
    future = offer_in_background("halfway.bin", os.urandom(FILE_SIZE))
    offer = wait_offer(lambda name: name == "halfway.bin")
    accept_until_moving(offer)
    status, body = ann.post("transfers/%s" % offer["id"], json={"action": "cancel"})
    expect(status == 204, "cancel answered %s %r" % (status, body))
    final = wait_state(offer["id"], ("done", "failed", "cancelled"))
    expect(final["state"] == "cancelled", "the cancelled transfer ended %r" % final)
    try:
        outcome = future.result(60)
    except Exception as error:  # the stream closed under the sender: what a cancel looks like
        outcome = "stopped: %r" % error
    expect(outcome != "sent", "the peer sent the whole file")
    expect(stored_pieces(offer["id"]) == (0, 0), "bytes were kept: %r" % (stored_pieces(offer["id"]),))
    h.diag("the peer's side of the cancel: %s" % outcome)


@h.timeout(120)
def test_rejected_offer_stores_nothing():
    future = offer_in_background("unwanted.bin", os.urandom(64 * 1024))
    offer = wait_offer(lambda name: name == "unwanted.bin")
    status, body = ann.post("transfers/%s" % offer["id"], json={"action": "reject"})
    expect(status == 204, "reject answered %s %r" % (status, body))
    expect(future.result(30).startswith("declined"), "the peer's side: %r" % future.result())
    status, body = ann.get("transfers/%s/content" % offer["id"])
    expect(status == 404, "a rejected file downloads: %s" % status)
    state = [transfer for transfer in ann.state()["transfers"] if transfer["id"] == offer["id"]]
    expect(state and state[0]["state"] == "cancelled", "the rejected transfer: %r" % state)
    expect(stored_pieces(offer["id"]) == (0, 0), "bytes were stored: %r" % (stored_pieces(offer["id"]),))


@h.timeout(120)
def test_hostile_names_are_made_harmless():
    for hostile in ("../../etc/passwd", '"><script>.html'):
        data = os.urandom(8192)
        future = offer_in_background(hostile, data)
        offer = wait_offer(lambda name: name not in ("five.bin", "unwanted.bin"))
        name = offer["filename"]
        expect("/" not in name and "<" not in name and '"' not in name and not name.startswith("."),
               "%r offered as %r" % (hostile, name))
        status, body = ann.post("transfers/%s" % offer["id"], json={"action": "accept"})
        expect(status == 204, "accept answered %s %r" % (status, body))
        final = wait_state(offer["id"], ("done", "failed", "cancelled"))
        expect(final["state"] == "done", "the transfer ended %r" % final)
        expect(future.result(30) == "sent", "the peer's side: %r" % future.result())
        expect(download(offer["id"]) == data, "the download of %r differs" % hostile)
        disposition = ann.last_headers.get("Content-Disposition", "")
        expect(disposition.startswith("attachment;") and "/" not in disposition.split("filename*")[0]
               and "<" not in disposition, "Content-Disposition: %r" % disposition)
        expect(ann.last_headers.get("X-Content-Type-Options") == "nosniff", "no nosniff")
        h.diag("%r stored and served as %r" % (hostile, name))


@h.timeout(180)
def test_offers_over_the_limits_store_nothing():
    """Restarted with a 2 MiB file limit and a quota just over what the user keeps: an offer of
    3 MiB is refused at once, and accepting one of 2 MiB answers 413; neither stores a byte."""
    global ann
    database = sqlite3.connect(os.path.join(lilac.data, "lilac.db"), timeout=10)
    try:
        used = database.execute("SELECT coalesce(sum(size), 0) FROM transfers WHERE state = 'done'").fetchone()[0]
    finally:
        database.close()
    lilac.config_path = os.path.join(lilac.dir, "limits.conf")
    h.write_config(lilac.config_path, {"gateway": {"max_transfer_mib": 2,
                                                   "transfer_quota_mib": -(-used // 1048576) + 1}})
    lilac.restart()
    ann = h.log_in(lilac, "ann", "ann-ft-pw")
    ann.wait_online(account["id"], timeout=45)

    future = offer_in_background("three.bin", os.urandom(3 * 1048576))
    expect(future.result(60).startswith("declined"), "the peer's side: %r" % future.result())
    offer = wait_state(None, ("failed",), match=lambda t: t["filename"] == "three.bin", timeout=30)
    expect("larger" in offer.get("error", ""), "the refused offer: %r" % offer)
    expect(stored_pieces(offer["id"]) == (0, 0), "bytes were stored: %r" % (stored_pieces(offer["id"]),))

    future = offer_in_background("two.bin", os.urandom(2 * 1048576))
    offer = wait_offer(lambda name: name == "two.bin")
    h.expect_error(ann.post("transfers/%s" % offer["id"], json={"action": "accept"}), 413, "too_large",
                   "accepting a file over the quota")
    expect(stored_pieces(offer["id"]) == (0, 0), "bytes were stored: %r" % (stored_pieces(offer["id"]),))
    status, body = ann.post("transfers/%s" % offer["id"], json={"action": "reject"})
    expect(status == 204, "reject answered %s %r" % (status, body))
    expect(future.result(30).startswith("declined"), "the peer's side: %r" % future.result())


def test_gateway_stops_cleanly():
    bob.stop()
    lilac.stop()
    lilac.assert_clean_exit()


if __name__ == "__main__":
    h.run(globals())
