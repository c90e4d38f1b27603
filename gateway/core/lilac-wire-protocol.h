/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The IPC contract between the gateway (lilac) and a worker (lilac-worker):
 * the protocol version and the numbered frame types. Nothing else defines it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Framing: every frame is one JSON object on one line, terminated by '\n':
 *
 *   {"type":INT,"id":INT,"body":{...}}
 *
 * "id" is optional (0 when absent); requests carry an id > 0 and are answered
 * by exactly one REPLY or ERROR frame with the same id. "body" is optional
 * ({} when absent). A frame longer than LILAC_WIRE_MAX_FRAME bytes, or one
 * that does not parse, is logged and dropped by the receiver; it never ends
 * the connection by itself.
 *
 * The first frame each side sends is HELLO; a peer whose version differs is
 * answered with an ERROR (code "version") and the connection is closed.
 *
 * Account ids, message ids and request ids inside bodies are strings. A
 * conversation is named on the wire by a "conversation reference":
 *
 *   {"account":"ID","type":"im"|"chat","name":"NORMALIZED NAME"}
 *
 * where the name is libpurple's normalized conversation name. The gateway
 * maps references to its own stable conversation ids; the worker never sees
 * those ids.
 *
 * The zygote (lilac-worker --zygote) speaks the same framing on its control
 * socket, a stream socket whose other end is the gateway's supervisor: it
 * sends HELLO (role "zygote") once libpurple is ready, answers FORK (150)
 * with the child's pid, and sends a worker.exited event for each child it
 * reaps. Every other request gets an ERROR (bad_request).
 */

#define LILAC_WIRE_PROTOCOL_VERSION 1

/* 1 MiB: larger frames are dropped by the reader */
#define LILAC_WIRE_MAX_FRAME (1024 * 1024)

typedef enum {
  /* both directions: 1+ */
  LILAC_WIRE_HELLO = 1,             /* {"version":N,"role":"gateway"|"worker","pid"?:N} */

  /* requests, gateway -> worker: 100+ */
  LILAC_WIRE_ACCOUNT_PUT = 100,     /* {"account":{"id","protocol","username","password"?,
                                     *  "alias"?,"options":{},"enabled":bool}} add or update;
                                     *  enabled accounts sign on; reply {} */
  LILAC_WIRE_ACCOUNT_DEL = 101,     /* {"account":"ID"} signs off and forgets; reply {} */
  LILAC_WIRE_MESSAGE_SEND = 102,    /* {"account","type":"im"|"chat","name","text","message":"ID"}
                                     *  text is plain text; reply {"conversation":REF}; the echo
                                     *  comes as a "message" event carrying the same "message" id */
  LILAC_WIRE_CHAT_JOIN = 103,       /* {"account","room","nick"?,"password"?}
                                     *  reply {"conversation":REF} (the name it will have) */
  LILAC_WIRE_CONVERSATION_CLOSE = 104, /* {"conversation":REF} leaves a chat, closes an IM; reply {} */
  LILAC_WIRE_PRESENCE_SET = 105,    /* {"status":"available|away|busy|invisible|offline","message"?}
                                     *  reply {} */
  LILAC_WIRE_TYPING_SET = 106,      /* {"conversation":REF,"state":"typing|paused|none"} reply {} */
  LILAC_WIRE_BUDDY_ADD = 107,       /* {"account","name","alias"?,"group"?} adds to the buddy list
                                     *  (group "Buddies" by default) and asks for a subscription;
                                     *  reply {}; unavailable if the account is not connected */
  LILAC_WIRE_BUDDY_REMOVE = 108,    /* {"account","name"} reply {}; not_found if no such buddy,
                                     *  unavailable if the account is not connected */
  LILAC_WIRE_REQUEST_ANSWER = 109,  /* {"request":"ID","action":INDEX,"fields"?:{"FIELD ID":value}}
                                     *  answers a request.opened; reply {}; not_found if it is gone */
  LILAC_WIRE_PING = 110,            /* {} reply {} — the heartbeat */
  LILAC_WIRE_SHUTDOWN = 111,        /* {} the worker signs off and exits 0; no reply */
  LILAC_WIRE_SETTINGS_SET = 112,    /* {"subscription_policy":"ask|accept_all|accept_buddies|reject"}
                                     *  the user's settings that the worker applies; reply {};
                                     *  bad_request for an unknown policy, unavailable for one
                                     *  other than ask without the subscription-policy plugin;
                                     *  members the worker does not know are ignored */
  LILAC_WIRE_TRANSFER_ACCEPT = 113, /* {"transfer":"ID","fd":true} + the write end of a pipe: the worker
                                     *  accepts the offer and writes the bytes received into the
                                     *  pipe, closing it when the transfer ends; reply {} */
  LILAC_WIRE_TRANSFER_REJECT = 114, /* {"transfer":"ID"} declines an offer; reply {} */
  LILAC_WIRE_TRANSFER_CANCEL = 115, /* {"transfer":"ID"} stops a transfer either way; reply {} */
  LILAC_WIRE_TRANSFER_SEND = 116,   /* {"account","to","filename","size","fd":true} + the read end of
                                     *  a pipe that carries exactly size bytes; the worker offers the
                                     *  file and sends what it reads; reply {"transfer":"ID"} */
  LILAC_WIRE_BUDDY_INFO = 117,      /* {"account","name"} asks the server for what it knows of that
                                     *  person (the buddy list is not needed); reply {}; the answer
                                     *  comes later as a notify event with the account, whose text
                                     *  has one "Label: value" line a field; unavailable if the
                                     *  account is not connected */

  /* gateway -> zygote: 150+ */
  LILAC_WIRE_FORK = 150,            /* {"dir","limits"?:{"memory_mib","cpu_seconds","files"},"fd":true}
                                     *  + the worker's end of a new socketpair (SCM_RIGHTS): the
                                     *  zygote forks a worker for the libpurple folder dir (absolute),
                                     *  with those resource limits (0 or absent: none), that speaks
                                     *  this protocol on the socket; reply {"pid":N} */

  /* worker -> gateway: 200+ */
  LILAC_WIRE_EVENT = 200,           /* {"event":{"type":"...",...}} see below; id 0 */
  LILAC_WIRE_REPLY = 201,           /* id = the request's id; body = the result */

  /* errors: 300+ */
  LILAC_WIRE_ERROR = 300,           /* id = the request's id (0: about the connection);
                                     * {"code":"bad_request|not_found|too_large|unavailable|internal|version",
                                     *  "message":"text"} */
} LilacWireType;

/*
 * Events a worker sends (body "event"). Field names follow shared/API.md;
 * where API.md has a gateway conversation id, the worker sends a
 * conversation reference (REF above), and the gateway adds seq, time and ids.
 *
 *   account.status       {"account","status":"offline|connecting|online|error",
 *                         "error"?:"text","reason"?:"network|auth|certificate|other",
 *                         "retry_in"?:MS} retry_in: the worker signs on again by itself
 *                         after that many milliseconds (errors that are not fatal only)
 *   buddy.added / buddy.updated / buddy.removed
 *                        {"account","name","alias","group",
 *                         "presence":{"status","message","idle"}}
 *   presence             {"account","name","status","message","idle"}
 *   conversation.opened  {"conversation":REF,"title"}
 *   conversation.closed  {"conversation":REF}
 *   message              {"conversation":REF,"from","text","direction":"in|out",
 *                         "system"?:true,"time":MS,"message"?:"ID of the gateway's send"}
 *   typing               {"conversation":REF,"from","state":"typing|paused|none"}
 *   chat.members         {"conversation":REF,"joined":[NAME...],"left":[NAME...],
 *                         "renamed"?:[{"from","to"}]}
 *   chat.topic           {"conversation":REF,"topic"}
 *   notify               {"account"?,"level":"info|warning|error","title","text"}
 *   request.opened       {"request":{"id","account"?,"kind":"authorize|action|input|fields|choice",
 *                         "title","primary","secondary","actions":["Accept","Deny"],
 *                         "default_action"?:N,"fields"?:[{"id","label","type":"string|int|bool|choice|label",
 *                         "value"?,"choices"?:[...],"multiple"?,"required"?,"masked"?,"multiline"?}]}}
 *                        the id is the worker's, unique while the worker runs. An input request
 *                        has one string field "text", a choice request one choice field "choice";
 *                        a choice's value is the index of the chosen one in "choices" (an array
 *                        of indexes when "multiple"); a "label" field is text to show, without a
 *                        value. REQUEST_ANSWER's "fields" give values by field id (a choice: an
 *                        index or a label); a value of the wrong type is bad_request. An authorize
 *                        request (someone wants to add the user) has the actions
 *                        ["Authorize","Deny"]. A request nobody answers is cancelled after 10
 *                        minutes, or when its account signs off, or the worker stops.
 *   request.closed       {"request":"ID"} answered elsewhere, cancelled by libpurple or expired
 *   transfer.offered     {"transfer":{"id","account","peer","filename","size"}} a file offered to
 *                        the user; the filename is the peer's, verbatim (the gateway sanitizes it)
 *   transfer.progress    {"transfer":"ID","done":BYTES,"state":"active|done|cancelled|failed",
 *                        "error"?} at most a few a second per transfer, and always the last one
 *
 * Events the zygote sends:
 *
 *   worker.exited        {"pid","code"?:N,"signal"?:N} a child it forked ended: exited with that
 *                        status, or was killed by that signal
 */

G_END_DECLS
