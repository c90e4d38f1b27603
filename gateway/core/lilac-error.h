/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The one error domain of Lilac; each code maps to one client-visible outcome.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LILAC_ERROR (lilac_error_quark ())

typedef enum {
  LILAC_ERROR_INTERNAL,
  LILAC_ERROR_NOT_FOUND,
  LILAC_ERROR_INVALID_INPUT,
  LILAC_ERROR_PERMISSION_DENIED,
  LILAC_ERROR_UNAUTHORIZED,
  LILAC_ERROR_CONFLICT,
  LILAC_ERROR_TOO_LARGE,
  LILAC_ERROR_RATE_LIMITED,
  LILAC_ERROR_UNAVAILABLE,
  LILAC_ERROR_WORKER_GONE,
  LILAC_ERROR_VERSION_MISMATCH,
} LilacErrorCode;

GQuark      lilac_error_quark (void);

gboolean    lilac_error_is_not_found (const GError *error);
gboolean    lilac_error_is_invalid_input (const GError *error);
gboolean    lilac_error_is_conflict (const GError *error);

const char *lilac_error_code_to_string (LilacErrorCode code);
LilacErrorCode lilac_error_code_from_string (const char *code);

void        lilac_error_set_from_errno (GError   **error,
                                        int        errno_value,
                                        const char *what);

G_END_DECLS
