// Pakta: the complete lists of a unit page's warnings, read for the "Verify this page" check
// (unit-check.js) when the page lists a kind only in part (its newest entries, with a link
// "Lihat semua" to /agencies/<unit>/warnings/<code>): every page of the list, following its
// rel="next" link, on this site only. A network failure or a server error is "could not be
// checked" (Unchecked); a list that is not there (another status, another site, pages
// running past the count) gives null, which claims.js reports as differing from the chain.
import { Unchecked, say } from './common.js';
import { listedEntries, listedFacts } from './claims.js';

async function page(url) {
  var response, text;
  try {
    response = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
  } catch (e) {
    throw new Unchecked(say('network'));
  }
  if (response.status >= 500 || response.status === 429) throw new Unchecked(say('http', { status: response.status }));
  if (!response.ok) return null;
  try {
    text = await response.text();
  } catch (e) {
    throw new Unchecked(say('network'));
  }
  return new DOMParser().parseFromString(text, 'text/html');
}

// {code: {entries: [entry index, ...], facts: [each one's facts or null, ...]} or null} for
// each list of `wanted` ([{code, href, count}], claims.js longLists): the entries of all its
// pages, in the order they are listed, and the facts each carries (claims.js listedFacts).
export async function completeLists(wanted) {
  var out = {};
  for (var i = 0; i < wanted.length; i++) {
    var url = new URL(wanted[i].href, window.location.href), seen = {}, found = { entries: [], facts: [] };
    while (url) {
      if (url.origin !== window.location.origin || seen[url.href] || found.entries.length > wanted[i].count) { found = null; break; }
      seen[url.href] = true;
      var doc = await page(url.href);
      var list = doc && doc.getElementById('warning-entries');
      if (!list) { found = null; break; }
      found.entries = found.entries.concat(listedEntries(list));
      found.facts = found.facts.concat(listedFacts(list));
      var next = doc.querySelector('nav.pager a[rel="next"]');
      url = next ? new URL(next.getAttribute('href'), url) : null;
    }
    out[wanted[i].code] = found;
  }
  return out;
}
