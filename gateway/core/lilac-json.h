/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * json-glib helpers: parsing untrusted bodies and typed member getters that
 * set a LILAC_ERROR_INVALID_INPUT error naming the member.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *lilac_json_parse_object (const char *data,
                                     gsize       length,
                                     GError    **error);
gboolean    lilac_json_is_valid_text (JsonNode *root);
gboolean    lilac_json_check_members (JsonObject         *object,
                                      const char *const  *allowed,
                                      GError            **error);
const char *lilac_json_get_string (JsonObject *object,
                                   const char *name,
                                   gboolean    required,
                                   gsize       max_length,
                                   GError    **error);
gboolean    lilac_json_get_optional_string (JsonObject  *object,
                                            const char  *name,
                                            gsize        max_length,
                                            const char **value,
                                            GError     **error);
const char *lilac_json_get_text (JsonObject *object,
                                 const char *name,
                                 gsize       max_length,
                                 GError    **error);
gboolean    lilac_json_get_bool (JsonObject *object,
                                 const char *name,
                                 gboolean    default_value,
                                 gboolean   *value,
                                 GError    **error);
gboolean    lilac_json_get_int (JsonObject *object,
                                const char *name,
                                gint64      default_value,
                                gint64     *value,
                                GError    **error);
JsonObject *lilac_json_get_object (JsonObject *object,
                                   const char *name,
                                   GError    **error);
gboolean    lilac_json_get_optional_object (JsonObject  *object,
                                            const char  *name,
                                            JsonObject **value,
                                            GError     **error);
char       *lilac_json_to_string (JsonNode *node,
                                  gsize    *length);
char       *lilac_json_object_to_string (JsonObject *object,
                                         gsize      *length);
JsonNode   *lilac_json_node_new_object (JsonObject *object);

G_END_DECLS
