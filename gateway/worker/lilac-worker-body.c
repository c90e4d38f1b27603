/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Request-body getters on top of lilac-json. The wire answers a malformed
 * request with bad_request, whatever went wrong with it (too long included),
 * and a required string must not be empty either.
 */
#include "config.h"

#include "lilac-worker-body.h"

#include "lilac-error.h"
#include "lilac-json.h"

static void
lilac_worker_body_propagate (GError **error,
                             GError  *local_error)
{
  if (local_error->domain == LILAC_ERROR)
    local_error->code = LILAC_ERROR_INVALID_INPUT;
  g_propagate_error (error, local_error);
}

/**
 * lilac_worker_body_get_string:
 * @object: a request body
 * @name: the member
 * @required: whether it must be there and not be empty
 * @max_length: the longest value accepted, in bytes
 * @value: (out) (transfer none) (nullable): the string, %NULL when absent
 * @error: return location for a #GError
 *
 * Returns: %FALSE with a %LILAC_ERROR_INVALID_INPUT error if the member is
 *   missing though required, empty though required, not a string or too long
 */
gboolean
lilac_worker_body_get_string (JsonObject  *object,
                              const char  *name,
                              gboolean     required,
                              gsize        max_length,
                              const char **value,
                              GError     **error)
{
  GError *local_error = NULL;

  *value = lilac_json_get_string (object, name, required, max_length, &local_error);
  if (local_error != NULL)
    {
      lilac_worker_body_propagate (error, local_error);
      return FALSE;
    }
  if (required && **value == '\0')
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "the field \"%s\" must not be empty", name);
      return FALSE;
    }
  return TRUE;
}

/**
 * lilac_worker_body_get_object:
 * @object: a request body
 * @name: the member, which is required
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): the member, %NULL with an error when
 *   it is missing or not an object
 */
JsonObject *
lilac_worker_body_get_object (JsonObject *object,
                              const char *name,
                              GError    **error)
{
  GError *local_error = NULL;
  JsonObject *member = lilac_json_get_object (object, name, &local_error);

  if (local_error != NULL)
    {
      lilac_worker_body_propagate (error, local_error);
      return NULL;
    }
  if (member == NULL)
    g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                 "the field \"%s\" is required", name);
  return member;
}
