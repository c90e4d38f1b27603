/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The SQLite store: one connection, WAL, versioned migrations, cached
 * prepared statements and transactions. The gateway is its only writer.
 */
#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* a statement borrowed from the store's cache: reset, not finalized, on cleanup */
typedef sqlite3_stmt LilacStmt;
void lilac_stmt_release (LilacStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacStmt, lilac_stmt_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define LILAC_TYPE_STORE (lilac_store_get_type ())
G_DECLARE_FINAL_TYPE (LilacStore, lilac_store, LILAC, STORE, GObject)

LilacStore *lilac_store_open (const char *path,
                              GError    **error);
int         lilac_store_get_version (LilacStore *self);
gboolean    lilac_store_set_max_size (LilacStore *self,
                                      gint64      bytes,
                                      GError    **error);
int         lilac_store_get_latest_version (void);
sqlite3    *lilac_store_get_db (LilacStore *self);
LilacStmt  *lilac_store_prepare (LilacStore *self,
                                 const char *sql,
                                 GError    **error);
gboolean    lilac_store_exec (LilacStore *self,
                              const char *sql,
                              GError    **error);
gboolean    lilac_store_step_done (LilacStore *self,
                                   LilacStmt  *stmt,
                                   GError    **error);
int         lilac_store_step (LilacStore *self,
                              LilacStmt  *stmt,
                              GError    **error);
gint64      lilac_store_last_insert_id (LilacStore *self);
gboolean    lilac_store_begin (LilacStore *self,
                               GError    **error);
gboolean    lilac_store_commit (LilacStore *self,
                                GError    **error);
void        lilac_store_rollback (LilacStore *self);

void        lilac_error_set_from_sqlite (GError    **error,
                                         sqlite3    *db,
                                         int         rc,
                                         const char *what);

G_END_DECLS
