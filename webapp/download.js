// Downloads through the onion network, stored in IndexedDB as they arrive, resumable, playable while
// they download. Built on onionpeer.httpStream (BrowserHttpStream.java), which hands over the body of an
// HTTP response as it arrives. Nothing here holds a whole file in memory: the body goes to IndexedDB in
// records of at most RECORD bytes (as Blobs, which Chromium keeps on disk), and a finished file is a Blob
// made of those records.
//
// window.onionpeer.download(url, {onProgress(received, total, bytesPerSec, secondsLeft, note), onDone(err, info)})
//   note, when given, says in words that a broken stream is being retried (resumed with Range).
// window.onionpeer.stream(url, videoElement, {onProgress, onDone, mime})
// window.onionpeer.files(cb(err, [info]))   info = {url, name, type, total, received, done, updated}
// window.onionpeer.fileBlob(url, cb(err, blob))
// window.onionpeer.removeFile(url, cb(err))
(function () {
  'use strict';
  var op = window.onionpeer = window.onionpeer || {};
  var DB_NAME = 'onionpeer-downloads';
  var RECORD = 256 * 1024;        // bytes per stored record
  var FLUSH_MS = 1000;             // a partial record is stored after this long, so a reload loses little
  var PROGRESS_MS = 100;
  var RATE_WINDOW_MS = 3000;
  var PAUSE_AT = 8 * 1024 * 1024;   // bytes handed to IndexedDB but not yet written
  var RESUME_AT = 2 * 1024 * 1024;
  var MAX_RETRIES = 5;             // attempts in a row without new bytes after a stream broke
  var RETRY_MS = 500;              // first backoff; doubles each retry
  var CIRCUIT_WAIT_MS = 30000;     // how long a retry waits for a built circuit
  var dbPromise = null;
  var active = {};                 // url -> running download

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var rq = indexedDB.open(DB_NAME, 1);
        rq.onupgradeneeded = function () {
          var d = rq.result;
          d.createObjectStore('files', {keyPath: 'url'});
          d.createObjectStore('chunks');   // key [url, seq] -> Blob
        };
        rq.onsuccess = function () { resolve(rq.result); };
        rq.onerror = function () { reject(new Error('IndexedDB unavailable: ' + rq.error)); };
      });
    }
    return dbPromise;
  }

  function chunkRange(url) {
    return IDBKeyRange.bound([url, 0], [url, Infinity]);
  }

  function txDone(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onabort = tx.onerror = function () { reject(new Error('IndexedDB write failed: ' + tx.error)); };
    });
  }

  function getMeta(d, url) {
    return new Promise(function (resolve, reject) {
      var rq = d.transaction('files').objectStore('files').get(url);
      rq.onsuccess = function () { resolve(rq.result || null); };
      rq.onerror = function () { reject(rq.error); };
    });
  }

  function nameOf(url) {
    var p = url.split('#')[0].split('?')[0].split('/').pop();
    return p || 'download';
  }

  function info(m) {
    return {url: m.url, name: m.name, type: m.type, total: m.total, received: m.received, done: m.done,
      updated: m.updated};
  }

  function describe(e) {
    return e && e.message ? e.message : String(e);
  }

  // Reads the stored records of url in order, as Blobs.
  function records(url) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var rq = d.transaction('chunks').objectStore('chunks').getAll(chunkRange(url));
        rq.onsuccess = function () { resolve(rq.result); };
        rq.onerror = function () { reject(rq.error); };
      });
    });
  }

  op.files = function (cb) {
    db().then(function (d) {
      var rq = d.transaction('files').objectStore('files').getAll();
      rq.onsuccess = function () {
        cb(null, rq.result.map(info).sort(function (a, b) { return b.updated - a.updated; }));
      };
      rq.onerror = function () { cb(describe(rq.error)); };
    }, function (e) { cb(describe(e)); });
  };

  op.fileBlob = function (url, cb) {
    db().then(function (d) { return getMeta(d, url); }).then(function (m) {
      if (!m) { cb('no such file: ' + url); return; }
      return records(url).then(function (parts) { cb(null, new Blob(parts, {type: m.type || ''})); });
    }).catch(function (e) { cb(describe(e)); });
  };

  op.removeFile = function (url, cb) {
    if (active[url]) { active[url].cancel(); }
    db().then(function (d) {
      var tx = d.transaction(['files', 'chunks'], 'readwrite');
      tx.objectStore('files').delete(url);
      tx.objectStore('chunks').delete(chunkRange(url));
      return txDone(tx);
    }).then(function () { cb && cb(null); }, function (e) { cb && cb(describe(e)); });
  };

  // The download engine. hooks (internal, for stream()): onStart(meta, from), onHead(type), onRecord(Uint8Array).
  function run(url, opts, hooks) {
    opts = opts || {};
    hooks = hooks || {};
    var onProgress = opts.onProgress || function () {};
    var finished = false;
    function done(err, m) {
      if (finished) { return; }
      finished = true;
      if (active[url] === job) { delete active[url]; }
      if (opts.onDone) { opts.onDone(err, m ? info(m) : null); }
    }
    if (!op.httpStream) { done('the node is not loaded'); return null; }
    if (active[url]) { done('already downloading ' + url); return null; }
    var job = {cancel: function () { if (job.control) { job.control('close'); } done('cancelled'); }};
    active[url] = job;

    var d, meta, buf = new Uint8Array(RECORD), bufLen = 0, lastWrite = Promise.resolve();
    var flushTimer = null, lastProgress = 0, samples = [], error = null, pending = 0, paused = false;
    var retries = 0, headSeen = false;

    function store(reset) {
      // One transaction per record; IndexedDB runs read-write transactions of overlapping scope in the
      // order they were created, so records and the metadata that counts them stay consistent.
      var tx = d.transaction(['files', 'chunks'], 'readwrite');
      if (reset) { tx.objectStore('chunks').delete(chunkRange(url)); }
      var rec = null;
      if (bufLen > 0) {
        rec = buf.slice(0, bufLen);
        tx.objectStore('chunks').put(new Blob([rec]), [url, meta.chunks]);
        meta.chunks++;
        meta.received += bufLen;
        bufLen = 0;
        if (hooks.onRecord) { hooks.onRecord(rec); }
      }
      meta.updated = Date.now();
      tx.objectStore('files').put(Object.assign({}, meta));
      lastWrite = txDone(tx);
      // Backpressure: while IndexedDB lags, stop reading; the circuit then stops after one stream window.
      var size = rec ? rec.length : 0;
      pending += size;
      if (pending > PAUSE_AT && !paused && job.control) { paused = true; job.control('pause'); }
      lastWrite.then(function () {
        pending -= size;
        if (paused && pending < RESUME_AT && job.control) { paused = false; job.control('resume'); }
      }, function () {});
      lastWrite.catch(function (e) { fail(describe(e)); });
      return lastWrite;
    }

    function fail(msg) {
      if (error || finished) { return; }
      error = msg;
      if (job.control) { job.control('close'); }
      clearInterval(flushTimer);
      done(msg, meta);
    }

    function progress(force) {
      var now = performance.now();
      if (!force && now - lastProgress < PROGRESS_MS) { return; }
      lastProgress = now;
      var got = meta.received + bufLen;
      // The rate over the last few seconds (since the head arrived, at first), so it follows the network.
      samples.push([now, got]);
      while (samples.length > 2 && now - samples[1][0] > RATE_WINDOW_MS) { samples.shift(); }
      var secs = (now - samples[0][0]) / 1000;
      var rate = secs > 0.05 ? (got - samples[0][1]) / secs : 0;
      var left = meta.total >= 0 && rate > 0 ? (meta.total - got) / rate : -1;
      onProgress(got, meta.total, rate, left);
    }

    db().then(function (db$) {
      d = db$;
      return getMeta(d, url);
    }).then(function (m) {
      if (m && m.done) {
        if (hooks.onStart) { hooks.onStart(m, -1); }
        onProgress(m.received, m.total, 0, 0);
        done(null, m);
        return;
      }
      meta = m || {url: url, name: nameOf(url), type: '', total: -1, received: 0, chunks: 0, done: false,
        updated: Date.now()};
      if (hooks.onStart) { hooks.onStart(meta, meta.received); }
      attempt();
    }).catch(function (e) { fail(describe(e)); });

    // One HTTP request for the bytes not stored yet; a broken one is retried by retry().
    function attempt() {
      var from = meta.received;
      var gotHead = false, startedAt = from;
      paused = false;   // a new stream starts unpaused; the next store pauses it again if IndexedDB lags
      op.httpStream(url, from, function (status, length, type, rangeStart, rangeTotal, control) {
        job.control = control;
        if (finished) { control('close'); return; }
        gotHead = true;
        var reset = false;
        if (status === 206 && from > 0) {
          if (rangeStart !== from) {
            fail('the server resumed at byte ' + rangeStart + ' instead of ' + from);
            return;
          }
          meta.total = rangeTotal >= 0 ? rangeTotal : (length >= 0 ? from + length : -1);
          meta.resumedFrom = from;
        } else if (status === 200) {
          // A full answer: the server ignored Range (or this is a fresh start); store from scratch.
          reset = from > 0 || meta.chunks > 0;
          meta.received = 0;
          meta.chunks = 0;
          meta.total = length;
        } else if (status === 416 && from > 0) {
          fail('the server no longer has bytes from ' + from + ' (HTTP 416); remove the file and retry');
          return;
        } else {
          fail('the server answered HTTP ' + status);
          return;
        }
        meta.type = type || meta.type;
        meta.status = status;
        if (reset && hooks.onReset) { hooks.onReset(); }
        store(reset);
        if (hooks.onHead && !headSeen) { hooks.onHead(meta.type); }
        headSeen = true;
        flushTimer = setInterval(function () { if (bufLen > 0) { store(false); } }, FLUSH_MS);
        progress(true);
      }, function (data) {
        if (error || finished) { return; }
        var u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        var off = 0;
        while (off < u8.length) {
          var n = Math.min(RECORD - bufLen, u8.length - off);
          buf.set(u8.subarray(off, off + n), bufLen);
          bufLen += n;
          off += n;
          if (bufLen === RECORD) { store(false); }
        }
        progress(false);
      }, function (err) {
        clearInterval(flushTimer);
        if (error || finished) { return; }
        if (err) {
          // What arrived is kept: calling download(url) again resumes from there, and so does retry() when
          // the stream broke after it opened (circuit destroyed, stream closed early) or during a retry. A
          // stream that could not be opened at all on the first try (refused, no exit) is an answer, not a break.
          if (meta && bufLen > 0) { store(false); }
          var broken = gotHead || retries > 0 || /^the stream closed/.test(err);
          lastWrite.then(function () { broken ? retry(err, startedAt) : done(err, meta); },
            function () { done(err, meta); });
          return;
        }
        if (meta.total < 0) { meta.total = meta.received + bufLen; }
        if (meta.received + bufLen !== meta.total) {
          var short$ = 'got ' + (meta.received + bufLen) + ' of ' + meta.total + ' bytes';
          store(false).then(function () { retry(short$, startedAt); }, function () {});
          return;
        }
        meta.done = true;
        store(false).then(function () {
          progress(true);
          done(null, meta);
        });
      });
    }

    // After a broken stream: wait (backoff), then until the node has a built circuit again, then ask for the
    // rest with a Range request. At most MAX_RETRIES attempts in a row that add no bytes; each is reported
    // through onProgress's fifth argument; the last failure is reported in words through onDone.
    function retry(err, startedAt) {
      if (error || finished) { return; }
      if (meta.received > startedAt) { retries = 0; }
      if (retries >= MAX_RETRIES) {
        done(err + ' (gave up after ' + MAX_RETRIES + ' retries)', meta);
        return;
      }
      retries++;
      var wait = RETRY_MS * Math.pow(2, retries - 1);
      var note = 'connection lost (' + err + '); retry ' + retries + ' of ' + MAX_RETRIES + ' from byte '
        + meta.received + ' in ' + (wait / 1000) + ' s';
      onProgress(meta.received, meta.total, 0, -1, note);
      setTimeout(function () {
        var t0 = Date.now();
        (function waitForCircuit() {
          if (error || finished) { return; }
          var st = op.status ? op.status() : null;
          if (st && st.circuits && st.circuits.length > 0) {
            onProgress(meta.received, meta.total, 0, -1, 'resuming from byte ' + meta.received + ' (retry '
              + retries + ' of ' + MAX_RETRIES + ')');
            samples = [];
            attempt();
          } else if (Date.now() - t0 > CIRCUIT_WAIT_MS) {
            done(err + '; no circuit could be built again within ' + (CIRCUIT_WAIT_MS / 1000) + ' s', meta);
          } else {
            setTimeout(waitForCircuit, 200);
          }
        })();
      }, wait);
    }
    return job;
  }

  op.download = function (url, opts) {
    run(url, opts, null);
  };

  // Plays url in video while it downloads: a MediaSource with one SourceBuffer for the Content-Type (or
  // opts.mime), fed the stored records first (when resuming) and then each new record as it is stored.
  op.stream = function (url, video, opts) {
    opts = opts || {};
    var ms = new MediaSource();
    var sb = null, queue = [], busy = false, loadingStored = false, discardStored = false, ended = false, failed = false, mime = null, downloadDone = false;
    video.src = URL.createObjectURL(ms);
    var opened = new Promise(function (resolve) { ms.addEventListener('sourceopen', resolve, {once: true}); });

    function fail(msg) {
      if (failed) { return; }
      failed = true;
      if (opts.onDone) { opts.onDone(msg, null); }
    }

    function pump() {
      if (!sb || busy || sb.updating || failed) { return; }
      if (queue.length === 0) {
        if (downloadDone && !ended && ms.readyState === 'open') { ended = true; ms.endOfStream(); }
        return;
      }
      var item = queue.shift();
      if (item instanceof Blob) {
        busy = true;
        item.arrayBuffer().then(function (ab) { busy = false; append(ab); }, function (e) { fail(describe(e)); });
      } else {
        append(item);
      }
    }

    function append(bytes) {
      try {
        sb.appendBuffer(bytes);
      } catch (e) {
        fail('the video cannot take more data: ' + describe(e));
      }
    }

    function chooseMime(type) {
      var cands = [opts.mime, type, 'video/webm; codecs="vp9"', 'video/webm; codecs="vp8"'];
      for (var i = 0; i < cands.length; i++) {
        if (cands[i] && MediaSource.isTypeSupported(cands[i])) {
          if (i < 2 || /webm/.test(type || '')) { return cands[i]; }
        }
      }
      return null;
    }

    function attach(type) {
      if (sb || failed) { return; }
      mime = chooseMime(type);
      if (!mime) { fail('this browser cannot play ' + (type || 'an unknown type') + ' while downloading'); return; }
      opened.then(function () {
        if (failed) { return; }
        sb = ms.addSourceBuffer(mime);
        sb.addEventListener('updateend', pump);
        sb.addEventListener('error', function () { fail('the video could not decode the data'); });
        pump();
      });
    }

    run(url, {
      onProgress: opts.onProgress,
      onDone: function (err, inf) {
        if (err) { fail(err); return; }
        downloadDone = true;
        pump();
        if (opts.onDone) { opts.onDone(null, inf); }
      }
    }, {
      onStart: function (meta, from) {
        if (from !== 0) {
          // Finished or resuming: what is stored plays first, in order.
          loadingStored = true;
          records(url).then(function (parts) {
            loadingStored = false;
            if (!discardStored) { queue = parts.concat(queue); }
            attach(meta.type);
            pump();
          }, function (e) { fail(describe(e)); });
        }
      },
      onReset: function () {
        // The server sent the whole file again: what was stored is gone and must not play twice.
        if (loadingStored) { discardStored = true; } else if (sb) { fail('the server restarted the file; play it again'); }
      },
      onHead: function (type) {
        if (!loadingStored) { attach(type); }
      },
      onRecord: function (rec) {
        queue.push(rec);
        pump();
      }
    });
  };
})();
