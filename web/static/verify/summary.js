// Pakta: an entry's one-line summary (the page's p.lead) rebuilt from the verified statement
// and compared with what the page shows. The sentences are data: summaries.json, generated
// from web/summary_table.py by web/summary_export.py, which Python's web.summaries.summary
// interprets too (the cross-language test runs `sentence` and `plain` in node). verify.js
// calls `checkSummary` in its "content" step.
import { openEntry, say, Unchecked } from './common.js';

// Python's truth: an empty list or object is false too.
function truthy(v) {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  return !!v;
}

export function valueAt(body, path) {
  var found = body;
  var keys = path ? path.split('.') : [];
  for (var i = 0; i < keys.length; i++) {
    if (!found || typeof found !== 'object' || Array.isArray(found)) return null;
    found = Object.prototype.hasOwnProperty.call(found, keys[i]) ? found[keys[i]] : null;
  }
  return found === undefined ? null : found;
}

function str(v) { return v === null || v === undefined ? '' : String(v); }

// web.dates.day: "17 Juni 2020" from a date or a timestamp's own date; other text as it is.
function day(words, v) {
  if (!v) return '';
  if (typeof v !== 'string') return String(v);
  var m = /^(\d{4})-(\d\d)-(\d\d)/.exec(v);
  var d = m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (!m || +m[1] < 1 || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) return v;
  return +m[3] + ' ' + words.months[+m[2] - 1] + ' ' + +m[1];
}

// web.dates.decimal: "88,30" in Indonesian.
function decimal(words, v) {
  var text = str(v);
  return new RegExp('^(?:' + words.decimal.pattern + ')$').test(text) ? text.replace('.', words.decimal.point) : text;
}

function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

// One parameter as segments: {text} or {agency: id} (a link to that agency's page).
function one(words, spec, at, signer) {
  if (spec.kind === 'signer') return signer ? [{ agency: signer }] : [{ text: '' }];
  var v = valueAt(at, spec.path);
  switch (spec.kind) {
    case 'agency':
      if (!truthy(v) && spec.otherwise !== undefined) return [{ text: str(valueAt(at, spec.otherwise)) }];
      return truthy(v) ? [{ agency: String(v) }] : [{ text: '' }];
    case 'day': return [{ text: day(words, v) }];
    case 'text': case 'number': return [{ text: str(v) }];
    case 'count': return [{ text: String(Array.isArray(v) ? v.length : 0) }];
    case 'decimal': return [{ text: decimal(words, v) }];
    case 'role': return [{ text: typeof v === 'string' && own(words.roles, v) ? words.roles[v] : str(v) }];
    case 'word': return [{ text: typeof v === 'string' && own(spec.words, v) ? spec.words[v] : str(v) }];
    case 'flag': return [{ text: truthy(v) ? spec.yes : spec.no }];
  }
  throw new Error('summary spec ' + spec.kind);
}

function param(words, spec, body, signer) {
  if (spec.kind !== 'items') return one(words, spec, body, signer);
  var items = valueAt(body, spec.path);
  items = Array.isArray(items) ? items : [];
  if (spec.needs !== undefined) {
    items = items.filter(function (i) { return i && typeof i === 'object' && !Array.isArray(i) && own(i, spec.needs); });
  }
  if (!items.length) return [{ text: spec.empty }];
  var out = [];
  items.forEach(function (item, n) {
    if (n) out.push({ text: ', ' });
    out = out.concat(one(words, spec.item, item, signer));
  });
  return out;
}

function holds(when, body) {
  if (!when) return true;
  var v = valueAt(body, when.path);
  if (when.is === 'has') {
    return Array.isArray(v) && v.some(function (i) { return i && typeof i === 'object' && !Array.isArray(i) && own(i, when.value); });
  }
  if (when.is === 'truthy') return truthy(v);
  if (when.is === 'falsy') return !truthy(v);
  return (v === when.value) === (when.is === 'eq');
}

// The statement's sentence in `lang` as segments, from the table (summaries.json).
export function sentence(table, lang, statement) {
  var words = table.languages[lang] || table.languages.id;
  var rule = own(words.types, statement.type) ? words.types[statement.type] : words['default'];
  var body = statement.body || {};
  var out = [];
  rule.filter(function (part) { return holds(part.when, body); }).forEach(function (part, n) {
    if (n) out.push({ text: ' ' });
    var re = /%\((\w+)\)s|%%/g, at = 0, m;
    while ((m = re.exec(part.message)) !== null) {
      out.push({ text: part.message.slice(at, m.index) });
      out = out.concat(m[1] === undefined ? [{ text: '%' }] : param(words, part.params[m[1]], body, statement.agency));
      at = re.lastIndex;
    }
    out.push({ text: part.message.slice(at) });
  });
  return out;
}

// The sentence as text, each agency by `nameOf(id)`.
export function plain(segments, nameOf) {
  return segments.map(function (s) { return own(s, 'agency') ? nameOf(s.agency) : s.text; }).join('');
}

function norm(s) { return s.replace(/\s+/g, ' ').trim(); }

function linkId(a) {
  var last = (a.getAttribute('href') || '').split(/[?#]/)[0].split('/').pop();
  try { return decodeURIComponent(last); } catch (e) { return last; }
}

// The signer's registered name from a verified agency.registered statement about it: this
// entry itself, or one of the key history's entries (which the keys step verified); null if
// neither is at hand (an agency recorded without keys, its key added later).
function signerName(opened, history) {
  var all = [opened.statement].concat(history.map(function (h) { return openEntry(h.entry).statement; }));
  for (var i = 0; i < all.length; i++) {
    var st = all[i];
    if (st.type === 'agency.registered' && st.agency === opened.statement.agency && typeof st.body.name === 'string') return st.body.name;
  }
  return null;
}

var loaded = null;
async function table(url) {
  if (loaded) return loaded;
  var response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (e) {
    throw new Unchecked(say('no-summaries'));
  }
  if (!response.ok) throw new Unchecked(say('no-summaries'));
  var found = await response.json().catch(function () { return null; });
  if (!found || found.format !== 'pakta-summaries/1') throw new Unchecked(say('no-summaries'));
  loaded = found;
  return loaded;
}

// The page's p.lead against the sentence rebuilt from the verified statement: every link's
// agency id must be the one in the body, and the text must be the sentence, in which the
// signer's name is its verified registered name. Other agencies' names are not in the bytes
// this check has, so their links' text is taken from the page (their ids are checked).
// Returns {differs: [...], text}: the differences (p.lead then highlighted) and the sentence.
export async function checkSummary(section, opened, history) {
  var built = sentence(await table(section.dataset.summaries), document.documentElement.lang || 'id', opened.statement);
  var lead = document.querySelector('p.lead');
  var links = lead ? Array.prototype.slice.call(lead.querySelectorAll('a')) : [];
  var agencies = built.filter(function (s) { return own(s, 'agency'); });
  var known = signerName(opened, history);
  var out = [], n = 0;
  var text = norm(plain(built, function (id) {
    var a = links[n++];
    if (id === opened.statement.agency && known !== null) return known;
    return a ? a.textContent : id;
  }));
  if (links.length !== agencies.length) {
    out.push(say('claim-agency') + ' ' + links.map(linkId).join(', ') + ' \u2260 ' + agencies.map(function (s) { return s.agency; }).join(', '));
  } else {
    links.forEach(function (a, i) {
      if (linkId(a) !== agencies[i].agency) out.push(say('claim-agency') + ' ' + linkId(a) + ' \u2260 ' + agencies[i].agency);
    });
  }
  if (!lead || norm(lead.textContent) !== text) out.push(say('claim-lead') + '. ' + say('lead-signed', { sentence: text }));
  if (out.length && lead) lead.classList.add('verify-differs');
  return { differs: out, text: text };
}
