// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright 2026 The Lilac developers
// File transfers: progress from transfer.updated events, accepting or refusing incoming files
// (POST /transfers/{id}), downloading received ones and sending one (POST /transfers).

import { post, query, request } from './api.js';
import { h, syncList } from './dom.js';
import { _, N_, format } from './i18n.js';
import { store } from './store.js';
import { toast, toastError } from './toasts.js';

const STATE_LABELS = {
  pending: N_('Waiting'),
  done: N_('Done'),
  cancelled: N_('Cancelled'),
  failed: N_('Failed'),
};

// what an active transfer does, by its direction
const ACTIVE_LABELS = {
  in: N_('Receiving'),
  out: N_('Sending'),
};

function stateLabel(transfer, state) {
  const label = state === 'active' ? ACTIVE_LABELS[transfer.direction] : STATE_LABELS[state];
  return label ? _(label) : state;
}

function formatSize(bytes) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit && value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function sendFile(account, to, file) {
  return request('POST', `/transfers?${query({ account, to, filename: file.name })}`, { raw: file });
}

export function renderTransfers(app) {
  const list = h('ul', { class: 'transfer-list' });
  const section = h('section', { class: 'transfers', 'aria-labelledby': 'transfers-title', hidden: true },
    h('h2', { id: 'transfers-title' }, _('File transfers')), list);

  async function act(transfer, action) {
    try {
      await post(`/transfers/${encodeURIComponent(transfer.id)}`, { action });
    } catch (error) {
      toastError(_('The file transfer could not be changed'), error);
    }
  }

  function createItem() {
    const item = h('li', { class: 'transfer' });
    item.parts = {};
    item.parts.name = h('span', { class: 'transfer-name' });
    item.parts.meta = h('span', { class: 'transfer-meta' });
    item.parts.progress = h('progress', { max: 1, value: 0 });
    item.parts.actions = h('span', { class: 'transfer-actions' });
    item.append(item.parts.name, item.parts.meta, item.parts.progress, item.parts.actions);
    return item;
  }

  function updateItem(item, transfer) {
    const state = transfer.state || 'pending';
    item.dataset.state = state;
    item.parts.name.textContent = transfer.filename;
    item.parts.meta.textContent = [transfer.direction === 'in'
      ? format(_('from {peer}'), { peer: transfer.peer })
      : format(_('to {peer}'), { peer: transfer.peer }),
    `${formatSize(transfer.done)} / ${formatSize(transfer.size)}`,
    stateLabel(transfer, state), transfer.error].filter(Boolean).join(' · ');
    item.parts.progress.max = Math.max(transfer.size || 0, 1);
    item.parts.progress.value = transfer.done || 0;
    item.parts.progress.setAttribute('aria-label', format(_('Progress of {file}'), { file: transfer.filename }));
    const buttons = [];
    if (state === 'pending' && transfer.direction === 'in') {
      buttons.push(h('button', { type: 'button', class: 'primary', onclick: () => act(transfer, 'accept') }, _('Accept')));
      buttons.push(h('button', { type: 'button', onclick: () => act(transfer, 'reject') }, _('Refuse')));
    } else if (state === 'pending' || state === 'active') {
      buttons.push(h('button', { type: 'button', onclick: () => act(transfer, 'cancel') }, _('Cancel')));
    } else if (state === 'done' && transfer.direction === 'in') {
      buttons.push(h('a', { href: `/api/v1/transfers/${encodeURIComponent(transfer.id)}/content`, download: transfer.filename }, _('Download')));
    }
    if (state === 'done' || state === 'cancelled' || state === 'failed') {
      buttons.push(h('button', { type: 'button', onclick: () => hide(transfer) }, _('Remove from the list')));
    }
    item.parts.actions.replaceChildren(...buttons);
  }

  // finished transfers the user put away in this page
  function hide(transfer) {
    store.transfers.delete(transfer.id);
    draw();
  }

  function draw(detail) {
    const transfers = [...store.transfers.values()];
    syncList(list, transfers, (transfer) => transfer.id, createItem, updateItem);
    section.hidden = transfers.length === 0;
    const added = detail?.added ? store.transfers.get(detail.transfer) : null;
    if (added && added.direction === 'in' && added.state === 'pending') {
      toast('info', _('Someone sends you a file'), format(_('{peer} sends {file}.'), { peer: added.peer, file: added.filename }));
    }
  }

  app.on('transfers', draw);
  draw();
  return section;
}
