// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// Translations: _() and ngettext() over the JSON catalogs built from po/page/*.po, and the choice
// of language (the one the user picked here, else the one the gateway read from Accept-Language).

const STORAGE_KEY = 'lilac.language';
const DEFAULT_LANGUAGE = 'en';

// Plural-Forms expressions of the catalogs, as functions (the page may not eval code).
const PLURAL_RULES = {
  '0': () => 0,
  'n != 1': (n) => (n !== 1 ? 1 : 0),
  '(n != 1)': (n) => (n !== 1 ? 1 : 0),
  'n > 1': (n) => (n > 1 ? 1 : 0),
  '(n > 1)': (n) => (n > 1 ? 1 : 0),
};

let catalog = { messages: {} };
let pluralIndex = PLURAL_RULES['n != 1'];
let current = DEFAULT_LANGUAGE;

// Translates msgid; English is the msgid itself.
export function _(msgid) {
  const text = catalog.messages[msgid];
  return typeof text === 'string' && text !== '' ? text : msgid;
}

// Marks a string for translation without translating it (for tables translated later).
export function N_(msgid) {
  return msgid;
}

// index.html's sentence for browsers without JavaScript, which the gateway translates from these
// catalogs (web/lilac-web-static.c); the page's title is that of notifications.js.
// TRANSLATORS: {link} is the link "light view", the pages that need no JavaScript
N_('Lilac needs JavaScript. Without it, use the {link}.');
N_('light view');

export function ngettext(singular, plural, count) {
  const forms = catalog.messages[singular];
  if (Array.isArray(forms)) {
    const text = forms[pluralIndex(count)];
    if (text) {
      return text;
    }
  }
  return count === 1 ? singular : plural;
}

// Fills {name} placeholders: format(_('{name} is typing…'), { name }).
export function format(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

export function getLanguage() {
  return current;
}

// "zh_CN" -> "zh-CN"
export function languageTag(language) {
  return language.replace('_', '-');
}

export function availableLanguages() {
  const meta = document.querySelector('meta[name="lilac-languages"]');
  const listed = meta ? meta.content.split(/\s+/).filter((code) => /^[a-z]{2,3}(_[A-Z]{2})?$/.test(code)) : [];
  return listed.includes(DEFAULT_LANGUAGE) ? listed : [DEFAULT_LANGUAGE, ...listed];
}

// A language's own name, e.g. "简体中文" for zh_CN.
export function languageName(language) {
  const tag = language === 'zh_CN' ? 'zh-Hans' : languageTag(language);
  try {
    const name = new Intl.DisplayNames([tag], { type: 'language' }).of(tag);
    return name ? name.charAt(0).toLocaleUpperCase(tag) + name.slice(1) : language;
  } catch {
    return language;
  }
}

function matchLanguage(tag, languages) {
  const wanted = tag.toLowerCase().replace('_', '-');
  const exact = languages.find((code) => languageTag(code).toLowerCase() === wanted);
  if (exact) {
    return exact;
  }
  const primary = wanted.split('-')[0];
  return languages.find((code) => code.toLowerCase().split('_')[0] === primary) || null;
}

// The user's earlier choice in this browser, else the gateway's pick from Accept-Language (the
// page's lang attribute), else the browser's own list.
export function preferredLanguage() {
  const languages = availableLanguages();
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  if (stored && languages.includes(stored)) {
    return stored;
  }
  const served = document.documentElement.getAttribute('lang');
  if (served && !served.startsWith('@')) {
    const found = matchLanguage(served, languages);
    if (found) {
      return found;
    }
  }
  for (const tag of navigator.languages || []) {
    const found = matchLanguage(tag, languages);
    if (found) {
      return found;
    }
  }
  return DEFAULT_LANGUAGE;
}

export function rememberLanguage(language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // private browsing: the choice lasts for this page only
  }
}

// Loads the catalog of language (a file next to this module, cached for good by its versioned path).
export async function setLanguage(language) {
  if (language === DEFAULT_LANGUAGE) {
    catalog = { messages: {} };
    pluralIndex = PLURAL_RULES['n != 1'];
  } else {
    const response = await fetch(new URL(`../i18n/${language}.json`, import.meta.url));
    if (!response.ok) {
      throw new Error(`no catalog for ${language}: ${response.status}`);
    }
    catalog = await response.json();
    pluralIndex = PLURAL_RULES[catalog.plural] || PLURAL_RULES['n != 1'];
  }
  current = language;
  document.documentElement.lang = languageTag(language);
}
