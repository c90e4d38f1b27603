/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Reading request bodies from the gateway: typed members whose failures are
 * all bad_request on the wire.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* the longest ids (accounts, messages) and names (users, rooms) accepted */
#define LILAC_WORKER_BODY_MAX_ID 256
#define LILAC_WORKER_BODY_MAX_NAME 1024

gboolean    lilac_worker_body_get_string (JsonObject  *object,
                                          const char  *name,
                                          gboolean     required,
                                          gsize        max_length,
                                          const char **value,
                                          GError     **error);
JsonObject *lilac_worker_body_get_object (JsonObject *object,
                                          const char *name,
                                          GError    **error);

G_END_DECLS
