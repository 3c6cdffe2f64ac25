'use strict';
// Renders GET /api/health into the table and refreshes it every 5 s. All text goes through
// textContent (never parsed as HTML): service answers are data, not markup.
(() => {
  const REFRESH_MS = 5000;
  const rows = document.getElementById('services');
  const summary = document.getElementById('summary');
  const updated = document.getElementById('updated');

  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };

  const badge = (status) => el('span', status || '?', 'badge ' + String(status || 'unknown').toLowerCase());

  const checksCell = (service) => {
    const td = el('td');
    if (service.error) {
      td.append(el('span', service.error, 'muted'));
    } else if (!service.checks || service.checks.length === 0) {
      td.append(el('span', '—', 'muted'));
    } else {
      const list = el('ul', undefined, 'checks');
      for (const check of service.checks) {
        const item = el('li');
        item.append(badge(check.status), ' ', el('span', check.name || 'unnamed'));
        list.append(item);
      }
      td.append(list);
    }
    return td;
  };

  const row = (service) => {
    const name = el('td');
    name.append(el('strong', service.name), el('div', service.url, 'muted url'));
    const status = el('td');
    status.append(badge(service.status));
    const tr = el('tr');
    tr.append(name, status, el('td', service.httpStatus ?? '—', 'num'),
      el('td', service.latencyMs + ' ms', 'num'), checksCell(service));
    return tr;
  };

  const render = (report) => {
    rows.replaceChildren(...report.services.map(row));
    summary.textContent = report.allUp ? 'All services are up.' : 'Some services need attention.';
    summary.className = report.allUp ? 'ok' : 'bad';
    updated.textContent = 'Updated ' + new Date().toLocaleTimeString();
  };

  const refresh = async () => {
    try {
      const response = await fetch('/api/health', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      render(await response.json());
    } catch (e) {
      summary.textContent = 'Could not load /api/health (' + e.message + '); retrying.';
      summary.className = 'bad';
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  };

  refresh();
})();
