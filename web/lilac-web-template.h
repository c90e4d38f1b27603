/* SPDX-License-Identifier: GPL-2.0-or-later
 * Copyright 2026 The Lilac developers
 *
 * The light view's templates: HTML with named slots, `{{name}}`, filled with
 * text (always escaped) or with HTML made by filling other templates.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* HTML that only escaping and template filling make: what a slot may hold unescaped */
typedef struct _LilacWebHtml LilacWebHtml;

LilacWebHtml *lilac_web_html_new (void);
void          lilac_web_html_free (LilacWebHtml *html);
void          lilac_web_html_append_text (LilacWebHtml *html,
                                          const char   *text);
void          lilac_web_html_append_lines (LilacWebHtml *html,
                                           const char   *text,
                                           gssize        length);
void          lilac_web_html_append_html (LilacWebHtml       *html,
                                          const LilacWebHtml *other);
void          lilac_web_html_append_owned (LilacWebHtml *html,
                                           LilacWebHtml *other);
gsize         lilac_web_html_get_length (const LilacWebHtml *html);
const char   *lilac_web_html_get_data (const LilacWebHtml *html);
GBytes       *lilac_web_html_free_to_bytes (LilacWebHtml *html);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacWebHtml, lilac_web_html_free)

/* the values of a template's slots; a slot left unset is empty */
typedef struct _LilacWebSlots LilacWebSlots;

LilacWebSlots *lilac_web_slots_new (void);
void           lilac_web_slots_free (LilacWebSlots *slots);
void           lilac_web_slots_set_text (LilacWebSlots *slots,
                                         const char    *name,
                                         const char    *text);
void           lilac_web_slots_set_printf (LilacWebSlots *slots,
                                           const char    *name,
                                           const char    *format,
                                           ...) G_GNUC_PRINTF (3, 4);
void           lilac_web_slots_take_html (LilacWebSlots *slots,
                                          const char    *name,
                                          LilacWebHtml  *html);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacWebSlots, lilac_web_slots_free)

typedef struct _LilacWebTemplate LilacWebTemplate;

LilacWebTemplate       *lilac_web_template_new (const char *source,
                                                gsize       length);
void                    lilac_web_template_free (LilacWebTemplate *self);
const LilacWebTemplate *lilac_web_template_get (const char *name);
void                    lilac_web_template_fill (const LilacWebTemplate *self,
                                                 const LilacWebSlots    *slots,
                                                 LilacWebHtml           *out);
void                    lilac_web_template_append (const char          *name,
                                                   const LilacWebSlots *slots,
                                                   LilacWebHtml        *out);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LilacWebTemplate, lilac_web_template_free)

G_END_DECLS
