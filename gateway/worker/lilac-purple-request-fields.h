/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The fields of a libpurple request as the wire shows them in a
 * request.opened event, and the values a REQUEST_ANSWER gives them.
 */
#pragma once

#include <purple.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* the longest text an answer may give a string field */
#define LILAC_PURPLE_REQUEST_FIELDS_MAX_TEXT (64 * 1024)

JsonArray  *lilac_purple_request_fields_describe (PurpleRequestFields *fields);
gboolean    lilac_purple_request_fields_apply (PurpleRequestFields *fields,
                                               JsonObject          *values,
                                               GError             **error);
JsonObject *lilac_purple_request_fields_new_field (const char *id,
                                                   const char *label,
                                                   const char *type);
gboolean    lilac_purple_request_fields_read_choice (JsonNode   *node,
                                                     GPtrArray  *labels,
                                                     const char *id,
                                                     int        *index,
                                                     GError    **error);

G_END_DECLS
