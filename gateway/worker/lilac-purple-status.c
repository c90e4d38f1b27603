/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * Presence names on the wire (available, away, busy, invisible, offline)
 * against libpurple's status primitives, and PRESENCE_SET: the user's status
 * is one libpurple saved status, applied to every enabled account.
 */
#include "config.h"

#include "lilac-purple-status.h"

#include "lilac-error.h"
#include "lilac-purple-accounts.h"
#include "lilac-purple-markup.h"
#include "lilac-purple-notify.h"
#include "lilac-worker-body.h"

#define LILAC_PURPLE_STATUS_MAX_MESSAGE 4096

static const struct {
  const char *name;
  PurpleStatusPrimitive primitive;
} lilac_purple_status_names[] = {
  { "available", PURPLE_STATUS_AVAILABLE },
  { "away", PURPLE_STATUS_AWAY },
  { "busy", PURPLE_STATUS_UNAVAILABLE },
  { "invisible", PURPLE_STATUS_INVISIBLE },
  { "offline", PURPLE_STATUS_OFFLINE },
};

/**
 * lilac_purple_status_to_wire:
 * @primitive: a libpurple status primitive
 *
 * Returns: (transfer none): its wire name; extended away counts as away,
 *   mobile as available, anything unknown as offline
 */
const char *
lilac_purple_status_to_wire (PurpleStatusPrimitive primitive)
{
  switch (primitive)
    {
    case PURPLE_STATUS_AVAILABLE:
    case PURPLE_STATUS_MOBILE:
      return "available";
    case PURPLE_STATUS_AWAY:
    case PURPLE_STATUS_EXTENDED_AWAY:
      return "away";
    case PURPLE_STATUS_UNAVAILABLE:
      return "busy";
    case PURPLE_STATUS_INVISIBLE:
      return "invisible";
    default:
      return "offline";
    }
}

/**
 * lilac_purple_status_from_wire:
 * @name: a wire status name
 * @primitive: (out): its libpurple primitive
 *
 * Returns: %FALSE if @name is not a status name
 */
gboolean
lilac_purple_status_from_wire (const char            *name,
                               PurpleStatusPrimitive *primitive)
{
  for (unsigned i = 0; i < G_N_ELEMENTS (lilac_purple_status_names); i++)
    {
      if (g_strcmp0 (lilac_purple_status_names[i].name, name) == 0)
        {
          *primitive = lilac_purple_status_names[i].primitive;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * lilac_purple_status_activate:
 * @primitive: the status
 * @message: (nullable): its message, libpurple HTML
 *
 * Makes a saved status of @primitive with @message the current one, which
 * libpurple applies to every enabled account: an online status signs on the
 * accounts that are off, offline signs everything off.
 */
void
lilac_purple_status_activate (PurpleStatusPrimitive primitive,
                              const char           *message)
{
  PurpleSavedStatus *saved;

  saved = purple_savedstatus_find_transient_by_type_and_message (primitive, message);
  if (saved == NULL)
    {
      saved = purple_savedstatus_new (NULL, primitive);
      purple_savedstatus_set_message (saved, message);
    }
  purple_savedstatus_activate (saved);
}

/* libpurple leaves an account whose protocol has no status of @primitive as
 * it was (XMPP and IRC have no invisible): the user is told, since thinking
 * oneself hidden while others see one online is worse than not asking */
static void
lilac_purple_status_report_unsupported (PurpleStatusPrimitive primitive,
                                        const char           *name)
{
  for (GList *l = purple_accounts_get_all_active (); l != NULL; l = g_list_delete_link (l, l))
    {
      PurpleAccount *account = l->data;
      PurpleStatus *current;
      g_autofree char *text = NULL;

      if (primitive == PURPLE_STATUS_OFFLINE ||
          purple_account_get_status_type_with_primitive (account, primitive) != NULL)
        continue;
      current = purple_presence_get_active_status (purple_account_get_presence (account));
      text = g_strdup_printf ("%s has no \"%s\" status on this network; its contacts still see "
                              "it as %s.", purple_account_get_username (account), name,
                              current != NULL ? purple_status_get_name (current) : "online");
      lilac_purple_notify_emit (account, "warning", "Status not available", text);
    }
}

/**
 * lilac_purple_status_set:
 * @body: a PRESENCE_SET body: {"status","message"?}
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the reply, {}
 */
JsonObject *
lilac_purple_status_set (JsonObject *body,
                         GError    **error)
{
  PurpleStatusPrimitive primitive;
  const char *status, *message;
  g_autofree char *html = NULL;

  if (!lilac_worker_body_get_string (body, "status", TRUE, 32, &status, error) ||
      !lilac_worker_body_get_string (body, "message", FALSE, LILAC_PURPLE_STATUS_MAX_MESSAGE,
                                     &message, error))
    return NULL;
  if (!lilac_purple_status_from_wire (status, &primitive))
    {
      g_set_error (error, LILAC_ERROR, LILAC_ERROR_INVALID_INPUT,
                   "unknown status \"%s\"", status);
      return NULL;
    }
  if (message != NULL && *message != '\0')
    html = lilac_purple_markup_from_plain (message);
  /* libpurple forgets unsaved passwords on every sign-off */
  lilac_purple_accounts_restore_passwords ();
  lilac_purple_status_activate (primitive, html);
  lilac_purple_status_report_unsupported (primitive, status);
  return json_object_new ();
}
