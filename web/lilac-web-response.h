/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * HTTP answers: JSON bodies, and the one place where a LILAC_ERROR becomes
 * an HTTP status and an API error body.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

void lilac_web_response_json (SoupServerMessage *msg,
                              unsigned           status,
                              JsonNode          *node);
void lilac_web_response_object (SoupServerMessage *msg,
                                unsigned           status,
                                JsonObject        *object);
void lilac_web_response_array (SoupServerMessage *msg,
                               unsigned           status,
                               JsonArray         *array);
void lilac_web_response_raw_json (SoupServerMessage *msg,
                                  unsigned           status,
                                  char              *text,
                                  gsize              length);
void lilac_web_response_empty (SoupServerMessage *msg,
                               unsigned           status);
void lilac_web_response_error (SoupServerMessage *msg,
                               const GError      *error);
void lilac_web_response_error_literal (SoupServerMessage *msg,
                                       unsigned           status,
                                       const char        *code,
                                       const char        *message);
unsigned lilac_web_response_status_for_error (const GError *error);
GBytes *lilac_web_response_raw (unsigned    status,
                                 const char *body,
                                 gsize       length,
                                 gboolean    keep_alive);
void lilac_web_response_refuse_early (SoupServerMessage *msg,
                                      GSocket           *socket,
                                      const GError      *error);

G_END_DECLS
