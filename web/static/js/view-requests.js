// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// What libpurple asks the user (authorize a buddy, accept a certificate, answer a question),
// one dialog at a time, answered with POST /requests/{id}. Esc puts a request aside; the
// requests button in the top bar brings it back.

import { post } from './api.js';
import { field, openDialog } from './dialogs.js';
import { h } from './dom.js';
import { _, format } from './i18n.js';
import { store } from './store.js';

// "_Accept" -> "Accept" (GTK mnemonics)
function actionLabel(action) {
  const text = typeof action === 'string' ? action : action?.label || String(action);
  return text.replace(/_(?=\S)/, '');
}

// One field of a form request: {id, label, type: string|int|bool|choice|label, value, choices?,
// multiple?, masked?, multiline?, required?}
function fieldInput(spec) {
  const value = spec.value ?? spec.default ?? '';
  switch (spec.type) {
    case 'bool':
      return h('input', { type: 'checkbox', checked: Boolean(value) });
    case 'int':
      return h('input', { type: 'number', step: 1, value: String(value) });
    case 'choice': {
      const chosen = new Set(Array.isArray(value) ? value : [value]);
      return h('select', { multiple: Boolean(spec.multiple) }, (spec.choices || []).map((choice, index) =>
        h('option', { value: String(index), selected: chosen.has(index) }, String(choice))));
    }
    default:
      return spec.multiline
        ? h('textarea', { rows: 3, value: String(value), required: Boolean(spec.required) })
        : h('input', { type: spec.masked ? 'password' : 'text', value: String(value), required: Boolean(spec.required) });
  }
}

function fieldValue(spec, input) {
  switch (spec.type) {
    case 'bool':
      return input.checked;
    case 'int':
      return Number.parseInt(input.value, 10) || 0;
    case 'choice': {
      const chosen = [...input.selectedOptions].map((option) => Number(option.value));
      return spec.multiple ? chosen : chosen[0] ?? 0;
    }
    default:
      return input.value;
  }
}

function fieldNode(spec, input) {
  if (spec.type === 'label') {
    return h('p', { class: 'request-label' }, spec.label || '');
  }
  return field(spec.label || spec.id || '', input);
}

export function createRequests(app) {
  let showing = null;    // { id, close }
  const putAside = new Set();

  function show(request) {
    const fields = (Array.isArray(request.fields) ? request.fields : [])
      .filter((spec) => spec && typeof spec === 'object')
      .map((spec) => ({ spec, input: spec.type === 'label' ? null : fieldInput(spec) }));
    const account = request.account ? store.accountLabel(request.account) : '';
    const actions = (request.actions || []).map((action, index) => ({
      label: actionLabel(action), value: String(index), primary: index === (request.default_action ?? 0),
    }));
    if (actions.length === 0) {
      actions.push({ label: _('OK'), value: '0', primary: true });
    }
    let answered = false;
    const dialog = openDialog({
      title: request.title || _('A question from your IM network'),
      className: `request-dialog request-${request.kind}`,
      novalidate: true,
      content: [
        account ? h('p', { class: 'request-account' }, format(_('Account: {account}'), { account })) : null,
        request.primary ? h('p', { class: 'request-primary' }, request.primary) : null,
        request.secondary ? h('p', { class: 'request-secondary' }, request.secondary) : null,
        fields.map(({ spec, input }) => fieldNode(spec, input)),
      ],
      actions: [{ label: _('Later'), value: 'cancel' }, ...actions],
      onSubmit: async (form, value) => {
        const body = { action: Number.parseInt(value ?? '0', 10) };
        const given = fields.filter(({ input }) => input);
        if (given.length) {
          body.fields = {};
          for (const { spec, input } of given) {
            body.fields[spec.id ?? spec.label] = fieldValue(spec, input);
          }
        }
        await post(`/requests/${encodeURIComponent(request.id)}`, body);
        answered = true;
      },
      onClose: () => {
        if (!answered && store.requests.has(request.id)) {
          putAside.add(request.id);
        }
        showing = null;
      },
    });
    showing = { id: request.id, close: dialog.close };
  }

  function next(force) {
    if (showing || document.querySelector('dialog[open]')) {
      return;
    }
    for (const request of store.requests.values()) {
      if (force || !putAside.has(request.id)) {
        putAside.delete(request.id);
        show(request);
        return;
      }
    }
  }

  app.on('requests', (detail) => {
    if (detail?.closed && showing?.id === detail.closed) {
      showing.close();
    }
    next(false);
  });
  app.on('snapshot', () => next(false));
  app.listen(document, 'lilac-dialog-closed', () => setTimeout(() => next(false), 0));
  return { next, showNext: () => next(true) };
}
