// The checks of tests/web/a11y.py, evaluated in the page: ({staticChecks, markFocusable, focused}).
({
  staticChecks: () => {
    const problems = [];
    const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
      && getComputedStyle(e).visibility !== 'hidden';
    const describe = (e) => {
      let s = e.tagName.toLowerCase();
      if (e.id) s += '#' + e.id;
      else if (e.name) s += '[name=' + e.name + ']';
      else if (e.className && typeof e.className === 'string') s += '.' + e.className.trim().split(/\s+/).join('.');
      const text = (e.innerText || e.value || '').trim().slice(0, 30);
      return text ? s + ' "' + text + '"' : s;
    };
    const byIds = (list) => (list || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id));
    const named = (e) => {
      if ((e.getAttribute('aria-label') || '').trim()) return true;
      const ids = byIds(e.getAttribute('aria-labelledby'));
      if (ids.length && ids.every((x) => x && x.textContent.trim())) return true;
      return false;
    };
    // The page: language, one h1, landmarks.
    if (!(document.documentElement.getAttribute('lang') || '').trim()) problems.push('html has no lang');
    const h1 = document.querySelectorAll('h1').length;
    if (h1 !== 1) problems.push('the page has ' + h1 + ' h1 elements');
    if (document.querySelectorAll('main, [role=main]').length !== 1) problems.push('the page has no single main landmark');
    const signedIn = !!document.querySelector('form[action$="/logout/"]');
    if (signedIn && !document.querySelector('nav, [role=navigation]')) problems.push('no nav landmark');
    // Unique ids.
    const seen = {};
    for (const e of document.querySelectorAll('[id]')) {
      if (seen[e.id]) problems.push('duplicate id ' + e.id);
      seen[e.id] = true;
    }
    // Labels of every field.
    for (const e of document.querySelectorAll('input, select, textarea')) {
      const type = (e.getAttribute('type') || '').toLowerCase();
      if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
      if ((e.labels && e.labels.length && [...e.labels].some((l) => l.textContent.trim())) || named(e)) continue;
      problems.push('no label: ' + describe(e));
    }
    // Names of links and buttons; alt of images.
    for (const e of document.querySelectorAll('a[href], button, input[type=submit], input[type=button]')) {
      const text = (e.innerText || e.value || e.textContent || '').trim();
      const imgAlt = [...e.querySelectorAll('img[alt]')].some((i) => i.alt.trim());
      if (!text && !imgAlt && !named(e) && !(e.getAttribute('title') || '').trim()) problems.push('no name: ' + describe(e));
    }
    for (const e of document.querySelectorAll('img')) if (!e.hasAttribute('alt')) problems.push('img without alt: ' + (e.getAttribute('src') || ''));
    for (const e of document.querySelectorAll('svg[role=img]'))
      if (!named(e) && !e.querySelector('title')) problems.push('svg picture without a name');
    // Errors: the field marked, the message tied to it and announced.
    for (const e of document.querySelectorAll('[aria-invalid=true]')) {
      const ids = byIds(e.getAttribute('aria-describedby'));
      if (!ids.length || ids.some((x) => !x) || !ids.some((x) => x.textContent.trim()))
        problems.push('invalid field without a described message: ' + describe(e));
    }
    for (const box of document.querySelectorAll('.field.has-error')) {
      for (const e of box.querySelectorAll('input, select, textarea')) {
        const type = (e.getAttribute('type') || '').toLowerCase();
        if (type === 'hidden') continue;
        if (e.getAttribute('aria-invalid') !== 'true') problems.push('field with an error not marked aria-invalid: ' + describe(e));
      }
    }
    const described = new Set();
    for (const e of document.querySelectorAll('[aria-describedby]'))
      for (const id of e.getAttribute('aria-describedby').split(/\s+/)) described.add(id);
    for (const e of document.querySelectorAll('form .error, .errorlist li, p.error, [role=alert]')) {
      if (!visible(e) || !e.textContent.trim()) continue;
      let ok = false;
      for (let p = e; p && p !== document.body; p = p.parentElement) {
        const role = p.getAttribute('role');
        if (role === 'alert' || role === 'status' || p.hasAttribute('aria-live') || (p.id && described.has(p.id))) { ok = true; break; }
      }
      if (!ok) problems.push('error not announced: ' + describe(e));
    }
    for (const e of document.querySelectorAll('[tabindex]'))
      if (parseInt(e.getAttribute('tabindex'), 10) > 0) problems.push('positive tabindex: ' + describe(e));
    return problems;
  },
  markFocusable: () => {
    const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
      && getComputedStyle(e).visibility !== 'hidden' && !e.closest('[inert], [hidden]');
    const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
    const out = [];
    const radios = new Set();
    let i = 0;
    for (const e of document.querySelectorAll(sel)) {
      if (e.disabled || e.getAttribute('tabindex') === '-1' || (e.type || '') === 'hidden' || !visible(e)) continue;
      if (e.tagName === 'SUMMARY' && e.parentElement.tagName !== 'DETAILS') continue;
      if (e.type === 'radio') {  // one stop per group of radio buttons
        if (radios.has(e.name)) continue;
        radios.add(e.name);
      }
      e.dataset.a11y = String(i);
      if (e.type === 'radio') for (const r of document.querySelectorAll('input[type=radio][name="' + e.name + '"]')) r.dataset.a11y = String(i);
      out.push((e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.innerText || e.value || '').trim().slice(0, 20)).trim());
      i++;
    }
    return out;
  },
  focused: () => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    return [e.dataset.a11y === undefined ? -1 : parseInt(e.dataset.a11y, 10), outline || shadow, e.tagName + (e.id ? '#' + e.id : '')];
  },
})
