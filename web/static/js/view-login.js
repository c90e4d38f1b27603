// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// The login form (POST /session) and the language choice that also sits in the menu.

import { ApiError, post } from './api.js';
import { field } from './dialogs.js';
import { h } from './dom.js';
import { _, availableLanguages, getLanguage, languageName } from './i18n.js';

export function languageSelect(app, id) {
  const select = h('select', {
    id,
    onchange: () => app.changeLanguage(select.value),
  }, availableLanguages().map((code) =>
    h('option', { value: code, selected: code === getLanguage(), lang: code.replace('_', '-') }, languageName(code))));
  return select;
}

export function renderLogin(app, notice) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: !notice }, notice || '');
  const submit = h('button', { type: 'submit', class: 'primary' }, _('Log in'));
  const form = h('form', { class: 'login-form', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Lilac'),
    h('p', { class: 'login-intro' }, _('All your instant messaging accounts in one place.')),
    field(_('User name'), username),
    field(_('Password'), password),
    error,
    submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    try {
      const answer = await post('/session', { username: username.value.trim(), password: password.value });
      password.value = '';
      await app.loggedIn(answer);
    } catch (failure) {
      let text;
      if (failure instanceof ApiError && failure.status === 401) {
        text = _('The user name or the password is wrong.');
      } else if (failure instanceof ApiError && failure.status === 429) {
        text = _('Too many failed logins. Wait a minute and try again.');
      } else if (failure instanceof ApiError && failure.status === 0) {
        text = _('The gateway cannot be reached. Check your connection and try again.');
      } else {
        text = failure.message;
      }
      error.textContent = text;
      error.hidden = false;
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });

  const page = h('main', { class: 'login' },
    form,
    h('div', { class: 'login-footer' },
      h('label', { for: 'login-language' }, _('Language')),
      languageSelect(app, 'login-language'),
      h('a', { href: '/m/' }, _('Light view'))));
  setTimeout(() => username.focus(), 0);
  return page;
}
