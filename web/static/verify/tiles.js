// Pakta: an entry's inclusion proof computed in this browser from the log's own C2SP
// tlog-tiles (c2sp.org/tlog-tiles; served by web/log.py from registry/tlog/tiles.py), never
// taken from the server's word, the way Go's golang.org/x/mod/sumdb/tlog proves a record
// with a TileHashReader:
//  - plan: the stored hashes a proof needs (RFC 9162 §2.1.3.1 PATH, as perfect subtrees),
//    the tiles holding them, every full tile above those up to the right edge, and the
//    right edge's partial tiles (planTiles);
//  - fetch: all of them at once, each tile once, in parallel (a partial tile the log has
//    deleted is cut from its full tile, as tlog-tiles allows);
//  - check each tile before using any of its hashes: the right edge's tiles must hash up to
//    the signed checkpoint's root, every full tile to its hash in the (checked) tile above;
//    one that does not is a TileError naming it;
//  - prove: the path from the checked hashes, for the caller to verify (RFC 9162 §2.1.3.2).
// Tiles fetched and checked for one entry are reused for the next (the key history).
// Sizes and indexes are plain numbers (exact for trees below 2**52 entries). The pure
// functions (tile paths, stored-hash index math, the plan, the path from hashes) run in node
// too (tests/web/test_verify_tiles_node.py compares them with registry/tlog in Python).
import { Unchecked, equal, nodeHash, say } from './common.js';

export var TILE_HEIGHT = 8;
export var TILE_WIDTH = 256;
var HASH = 32;

// A tile that is not the log's: `tiles` lists the paths of the tiles it blames.
export class TileError extends Error {
  constructor(message, tiles) {
    super(message);
    this.tiles = tiles;
  }
}

function pow2(k) { return Math.pow(2, k); }
function floorLog2(x) { var k = 0; while (pow2(k + 1) <= x) k++; return k; }
function ones(n) { var c = 0; while (n > 0) { c += n % 2; n = Math.floor(n / 2); } return c; }
// Leaf m is preceded in storage by m leaves, m/2 level-1 hashes, ...: 2m - popcount(m).
function hashesBefore(m) { return 2 * m - ones(m); }

// The stored-hash layout of Go's tlog and registry/tlog/merkle.py: the hash of subtree n at
// height `level` is stored right after that subtree's last leaf, at offset `level`.
export function storedHashIndex(level, n) {
  return hashesBefore((n + 1) * pow2(level) - 1) + level;
}
export function splitStoredHashIndex(index) {
  var leaf = Math.floor(index / 2);
  while (hashesBefore(leaf + 1) <= index) leaf++;
  var level = index - hashesBefore(leaf);
  return [level, Math.floor(leaf / pow2(level))];
}

// RFC 9162 §2.1.1: D[lo:hi] as perfect subtrees [level, n], largest first.
export function perfectSubtrees(lo, hi) {
  var out = [];
  while (lo < hi) {
    var level = floorLog2(hi - lo);
    out.push([level, lo / pow2(level)]);
    lo += pow2(level);
  }
  return out;
}

// RFC 9162 §2.1.3.1: the ranges whose roots make PATH(index, D[0:size]), leaf end first.
export function inclusionRanges(index, size) {
  if (!(Number.isSafeInteger(index) && index >= 0 && index < size)) throw new Error('no leaf ' + index + ' in a tree of ' + size);
  var out = [], lo = 0, hi = size;
  while (hi - lo > 1) {
    var k = pow2(floorLog2(hi - lo - 1));
    if (index < lo + k) { out.push([lo + k, hi]); hi = lo + k; } else { out.push([lo, lo + k]); lo += k; }
  }
  return out.reverse();
}

function rangeIndexes(range) {
  return perfectSubtrees(range[0], range[1]).map(function (s) { return storedHashIndex(s[0], s[1]); });
}

// The stored hashes the inclusion proofs of `indexes` need, sorted, each once.
export function proofIndexes(indexes, size) {
  var all = {};
  indexes.forEach(function (i) {
    inclusionRanges(i, size).forEach(function (r) { rangeIndexes(r).forEach(function (x) { all[x] = true; }); });
  });
  return Object.keys(all).map(Number).sort(function (a, b) { return a - b; });
}

// Tile `index` at `level` as the tree of `size` has it (partial at the right edge).
export function tileAt(size, level, index) {
  var across = Math.floor(size / pow2(TILE_HEIGHT * level));
  return { level: level, index: index, width: Math.min(TILE_WIDTH, across - index * TILE_WIDTH) };
}

// tlog-tiles: tile/<L>/<N>[.p/<W>], N in zero-padded groups of 3 digits, all but the last
// prefixed with x (1234067 is x001/x234/067).
export function tilePath(tile) {
  var digits = String(tile.index);
  digits = '0'.repeat((3 - digits.length % 3) % 3) + digits;
  var groups = digits.match(/\d{3}/g);
  var n = groups.map(function (g, i) { return (i < groups.length - 1 ? 'x' : '') + g; }).join('/');
  return 'tile/' + tile.level + '/' + n + (tile.width < TILE_WIDTH ? '.p/' + tile.width : '');
}

// Stored hash `index` of the tree of `size`: the tile holding it and the run of that tile's
// hashes whose perfect root it is (a level-3 hash is the root of 8 level-0 tile hashes).
export function locate(size, index) {
  var ln = splitStoredHashIndex(index), level = ln[0], n = ln[1];
  if ((n + 1) * pow2(level) > size) throw new Error('stored hash ' + index + ' is not in a tree of ' + size);
  var height = level % TILE_HEIGHT, first = n * pow2(height);
  var tile = tileAt(size, Math.floor(level / TILE_HEIGHT), Math.floor(first / TILE_WIDTH));
  return { tile: tile, offset: first - tile.index * TILE_WIDTH, count: pow2(height) };
}

function parentOf(size, tile) { return tileAt(size, tile.level + 1, Math.floor(tile.index / TILE_WIDTH)); }

// The stored hashes whose fold is the tree's root (RFC 9162 §2.1.1), largest subtree first.
function edgeIndexes(size) {
  return perfectSubtrees(0, size).map(function (s) { return storedHashIndex(s[0], s[1]); });
}

// The tiles that reading the stored hashes `indexes` of the tree of `size` needs, parents
// before children: the right edge's (partial) tiles, each index's tile and the full tiles
// above it up to the first partial one (which is on the edge). O(log size) per index.
export function planTiles(size, indexes) {
  var found = {}, out = [];
  function add(tile) {
    var p = tilePath(tile);
    if (found[p]) return false;
    found[p] = true;
    out.push(tile);
    return true;
  }
  edgeIndexes(size).forEach(function (x) { add(locate(size, x).tile); });
  indexes.forEach(function (x) {
    var tile = locate(size, x).tile;
    while (tile.width === TILE_WIDTH && add(tile)) tile = parentOf(size, tile);
    add(tile);
  });
  return out.sort(function (a, b) { return b.level - a.level || a.index - b.index; });
}

function slice(bytes, i) { return bytes.subarray(i * HASH, (i + 1) * HASH); }

// RFC 9162 §2.1.1 on 2**k hashes: pairwise, level by level.
async function perfectRoot(bytes, offset, count) {
  var level = [];
  for (var i = 0; i < count; i++) level.push(slice(bytes, offset + i));
  while (level.length > 1) {
    var pairs = [];
    for (var j = 0; j < level.length; j += 2) pairs.push(nodeHash(level[j], level[j + 1]));
    level = await Promise.all(pairs);
  }
  return level[0];
}

// The inclusion path of `index` in the tree of `size`, from `hashOf(storedIndex)`.
export async function proofFromHashes(index, size, hashOf) {
  var out = [];
  var ranges = inclusionRanges(index, size);
  for (var r = 0; r < ranges.length; r++) {
    var xs = rangeIndexes(ranges[r]);
    var h = hashOf(xs[xs.length - 1]);
    for (var j = xs.length - 2; j >= 0; j--) h = await nodeHash(hashOf(xs[j]), h);
    out.push(h);
  }
  return out;
}

// A tile fetcher over get(path) -> Promise<Uint8Array>, whose errors carry the HTTP `status`
// (Unchecked for the network or the server's trouble, passed on as they are). tlog-tiles: a
// log may delete a partial tile once its full tile exists; then the full tile is cut to it.
export function tileFetcher(get) {
  return async function (tile) {
    var path = tilePath(tile);
    try {
      return await get(path);
    } catch (e) {
      if (e instanceof Unchecked || !e.status) throw e;
      if (e.status === 404 && tile.width < TILE_WIDTH) {
        try {
          var full = await get(tilePath({ level: tile.level, index: tile.index, width: TILE_WIDTH }));
          return full.subarray(0, tile.width * HASH);
        } catch (f) {
          if (f instanceof Unchecked || !f.status) throw f;  // else: missing too
        }
      }
      throw new TileError(say('tile-missing', { tile: path, status: e.status }), [path]);
    }
  };
}

// Proofs in the tree of `size` with `root` (from a verified checkpoint) from the tiles that
// fetchTile(tile) -> Promise<Uint8Array> gives. prefetch(indexes) starts fetching what their
// proofs need; proofs(indexes) gives their paths once every tile used is checked; a
// TileError (a tile that is not the log's) wins over Unchecked (one that could not be had).
export function tileProver(size, root, fetchTile) {
  var fetched = {}, checked = {}, edge = null, requests = 0;
  function quiet(p) { p.catch(function () {}); return p; }  // reported where it is awaited
  function get(tile) {
    var path = tilePath(tile);
    if (!fetched[path]) {
      requests++;
      fetched[path] = quiet(Promise.resolve().then(function () { return fetchTile(tile); }).then(function (data) {
        if (!(data instanceof Uint8Array) || data.length !== tile.width * HASH) {
          throw new TileError(say('tile-size', { tile: path, n: data && data.length, want: tile.width * HASH }), [path]);
        }
        return data;
      }));
    }
    return fetched[path];
  }
  function checkEdge() {
    if (!edge) {
      edge = quiet((async function () {
        var parts = edgeIndexes(size).map(function (x) { return locate(size, x); });
        var tiles = parts.map(function (p) { return p.tile; });
        var data = await Promise.all(tiles.map(get));
        var roots = await Promise.all(parts.map(function (p, i) { return perfectRoot(data[i], p.offset, p.count); }));
        var h = roots[roots.length - 1];
        for (var i = roots.length - 2; i >= 0; i--) h = await nodeHash(roots[i], h);
        if (!equal(h, root)) {
          // Go's tlog: "the tiles do not support the tree hash": one of them is wrong.
          var paths = tiles.map(tilePath).filter(function (p, i, all) { return all.indexOf(p) === i; });
          throw new TileError(say('tile-edge-bad', { tiles: paths.join(', ') }), paths);
        }
      })());
    }
    return edge;
  }
  function check(tile) {
    var path = tilePath(tile);
    if (!checked[path]) {
      checked[path] = quiet((async function () {
        if (tile.width < TILE_WIDTH) {
          await checkEdge();
          return get(tile);
        }
        var parent = parentOf(size, tile);
        var both = await Promise.all([get(tile), check(parent)]);
        var found = await perfectRoot(both[0], 0, TILE_WIDTH);
        if (!equal(found, slice(both[1], tile.index - parent.index * TILE_WIDTH))) {
          throw new TileError(say('tile-bad', { tile: path }), [path]);
        }
        return both[0];
      })());
    }
    return checked[path];
  }
  async function hashAt(x) {
    var at = locate(size, x);
    return perfectRoot(await check(at.tile), at.offset, at.count);
  }
  return {
    requests: function () { return requests; },
    prefetch: function (indexes) {
      planTiles(size, proofIndexes(indexes, size)).forEach(get);
    },
    proofs: async function (indexes) {
      var xs = proofIndexes(indexes, size);
      planTiles(size, xs).forEach(get);  // all at once, before any is awaited
      var settled = await Promise.allSettled(xs.map(hashAt));
      var bad = settled.filter(function (s) { return s.status === 'rejected'; }).map(function (s) { return s.reason; });
      if (bad.length) throw bad.find(function (e) { return !(e instanceof Unchecked); }) || bad[0];
      var hashes = {};
      xs.forEach(function (x, i) { hashes[x] = settled[i].value; });
      return Promise.all(indexes.map(function (i) {
        return proofFromHashes(i, size, function (x) { return hashes[x]; });
      }));
    },
  };
}
