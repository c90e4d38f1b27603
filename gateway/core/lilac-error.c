/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The LILAC_ERROR domain, its predicates and its stable string names
 * (used on the wire between gateway and worker and in HTTP error bodies).
 */
#include "config.h"

#include "lilac-error.h"

#include <errno.h>
#include <string.h>

G_DEFINE_QUARK (lilac-error-quark, lilac_error)

static const char *const lilac_error_names[] = {
  [LILAC_ERROR_INTERNAL] = "internal",
  [LILAC_ERROR_NOT_FOUND] = "not_found",
  [LILAC_ERROR_INVALID_INPUT] = "bad_request",
  [LILAC_ERROR_PERMISSION_DENIED] = "forbidden",
  [LILAC_ERROR_UNAUTHORIZED] = "unauthorized",
  [LILAC_ERROR_CONFLICT] = "conflict",
  [LILAC_ERROR_TOO_LARGE] = "too_large",
  [LILAC_ERROR_RATE_LIMITED] = "rate_limited",
  [LILAC_ERROR_UNAVAILABLE] = "unavailable",
  [LILAC_ERROR_WORKER_GONE] = "unavailable",
  [LILAC_ERROR_VERSION_MISMATCH] = "internal",
};

gboolean
lilac_error_is_not_found (const GError *error)
{
  return g_error_matches (error, LILAC_ERROR, LILAC_ERROR_NOT_FOUND);
}

gboolean
lilac_error_is_invalid_input (const GError *error)
{
  return g_error_matches (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT);
}

gboolean
lilac_error_is_conflict (const GError *error)
{
  return g_error_matches (error, LILAC_ERROR, LILAC_ERROR_CONFLICT);
}

/**
 * lilac_error_code_to_string:
 * @code: a #LilacErrorCode
 *
 * Returns: (transfer none): the API name of @code, as in shared/API.md
 */
const char *
lilac_error_code_to_string (LilacErrorCode code)
{
  if ((unsigned) code >= G_N_ELEMENTS (lilac_error_names))
    return "internal";
  return lilac_error_names[code];
}

/**
 * lilac_error_code_from_string:
 * @code: (nullable): an API error name
 *
 * Returns: the first code whose name is @code, or %LILAC_ERROR_INTERNAL
 */
LilacErrorCode
lilac_error_code_from_string (const char *code)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (lilac_error_names); i++)
    {
      if (g_strcmp0 (lilac_error_names[i], code) == 0)
        return (LilacErrorCode) i;
    }
  return LILAC_ERROR_INTERNAL;
}

void
lilac_error_set_from_errno (GError    **error,
                            int         errno_value,
                            const char *what)
{
  g_set_error (error, LILAC_ERROR, LILAC_ERROR_INTERNAL, "%s: %s", what,
               g_strerror (errno_value));
}
