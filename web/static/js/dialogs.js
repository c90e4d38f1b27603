// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// Modal dialogs (<dialog>): focus moves in and comes back, Esc closes, forms report their errors.

import { h, uniqueId } from './dom.js';
import { _ } from './i18n.js';
import { errorText, toastError } from './toasts.js';

// openDialog({ title, content, actions, onSubmit, className, onClose })
// content: nodes inside the form; actions: [{ label, value, primary, danger }]. onSubmit(form,
// value) may return a promise; while it runs the buttons are disabled; if it throws, its
// message is shown in the dialog, otherwise the dialog closes. Returns { dialog, close, error }.
export function openDialog(options) {
  const titleId = uniqueId('dialog-title');
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const buttons = (options.actions || [{ label: _('Close'), value: 'cancel' }]).map((action) =>
    h('button', {
      type: action.value === 'cancel' ? 'button' : 'submit',
      value: action.value,
      class: action.primary ? 'primary' : action.danger ? 'danger' : null,
      onclick: action.value === 'cancel' ? () => close() : null,
    }, action.label));
  const form = h('form', { class: 'dialog-form', novalidate: options.novalidate || null },
    h('h2', { id: titleId }, options.title),
    options.content || [],
    error,
    h('div', { class: 'dialog-actions' }, buttons));
  const dialog = h('dialog', { class: `dialog ${options.className || ''}`, 'aria-labelledby': titleId }, form);
  const opener = document.activeElement;
  let closed = false;

  function close() {
    if (closed) {
      return;
    }
    closed = true;
    dialog.close();
    dialog.remove();
    options.onClose?.();
    // something that waited for the screen to be free (a request) may show now
    document.dispatchEvent(new Event('lilac-dialog-closed'));
    if (opener && opener.isConnected && typeof opener.focus === 'function') {
      opener.focus();
    }
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!options.onSubmit) {
      close();
      return;
    }
    if (!options.novalidate && !form.reportValidity()) {
      return;
    }
    showError('');
    for (const button of buttons) {
      button.disabled = true;
    }
    try {
      await options.onSubmit(form, event.submitter?.value);
      close();
    } catch (failure) {
      showError(errorText(failure));
    } finally {
      for (const button of buttons) {
        button.disabled = false;
      }
    }
  });
  // Esc: the browser fires "cancel" and closes the dialog; we tidy up after it
  dialog.addEventListener('close', close);
  document.body.append(dialog);
  dialog.showModal();
  const first = form.querySelector('[autofocus]') ||
    form.querySelector('input:not([type=hidden]):not([disabled]), select, textarea');
  (first || buttons[buttons.length - 1])?.focus();
  return { dialog, form, close, error: showError };
}

export function confirmDialog(title, text, confirmLabel) {
  return new Promise((resolve) => {
    let answered = false;
    openDialog({
      title,
      content: [h('p', {}, text)],
      actions: [{ label: _('Cancel'), value: 'cancel' }, { label: confirmLabel, value: 'ok', danger: true }],
      onSubmit: () => {
        answered = true;
        resolve(true);
      },
      onClose: () => {
        if (!answered) {
          resolve(false);
        }
      },
    });
  });
}

// A labelled form field: field(label, input[, hint]).
export function field(label, input, hint) {
  const id = input.id || uniqueId('field');
  input.id = id;
  const hintNode = hint ? h('small', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintNode) {
    input.setAttribute('aria-describedby', hintNode.id);
  }
  if (input.type === 'checkbox') {
    return h('div', { class: 'field field-check' }, input, h('label', { for: id }, label), hintNode);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hintNode);
}

// Opens one of the dialogs of forms.js: formDialog('joinRoomDialog', app). That module is
// imported the first time, not with the page.
export async function formDialog(name, ...args) {
  let forms;
  try {
    forms = await import('./forms.js');
  } catch (error) {
    toastError(_('The form could not be opened'), error);
    return;
  }
  await forms[name](...args);
}
