// Onionpeer bookmarklet: run on any http(s) page, it loads the node (onionpeer.js) from the bridge it was
// installed from, starts it against that bridge and shows a small overlay with the node's state.
// The bridge serves this file at /bookmarklet with its own origin put in place of __ONIONPEER_BRIDGE__,
// whole-line comments dropped, lines trimmed, and the result percent-encoded into a javascript: URL.
// Rules for this file: no // comment after code on a line (the minifier drops whole lines only), every
// statement ends with a semicolon (lines are joined with newlines, so this is belt and braces).
(function () {
  var bridge = '__ONIONPEER_BRIDGE__';
  var box = document.getElementById('onionpeer-overlay');
  if (!box) {
    box = document.createElement('div');
    box.id = 'onionpeer-overlay';
    box.setAttribute('style', 'position:fixed;z-index:2147483647;right:12px;bottom:12px;max-width:360px;'
      + 'padding:8px 10px;background:#1d1330;color:#f3eefc;font:12px/1.4 monospace;border-radius:6px;'
      + 'box-shadow:0 2px 8px rgba(0,0,0,.4);white-space:pre-wrap;');
    box.textContent = 'Onionpeer: loading the node from ' + bridge + '…';
    (document.body || document.documentElement).appendChild(box);
  }
  function show() {
    var s = window.onionpeer.status();
    var lines = ['Onionpeer (' + bridge + ')', 'state: ' + s.state];
    if (s.identity) {
      lines.push('id: ' + s.identity);
    }
    lines.push('circuits: ' + s.circuits.length);
    for (var i = 0; i < s.circuits.length; i++) {
      lines.push('  ' + s.circuits[i].n + ': ' + s.circuits[i].hops.map(function (h) { return h.nickname; }).join(' > '));
    }
    box.textContent = lines.join('\n');
  }
  function run() {
    window.onionpeer.start(bridge);
    show();
    if (!box.onionpeerTimer) {
      box.onionpeerTimer = setInterval(show, 500);
    }
  }
  if (window.onionpeer && window.onionpeer.status) {
    run();
    return;
  }
  var script = document.createElement('script');
  script.src = bridge + '/onionpeer.js';
  script.onload = function () {
    main([]);
    run();
  };
  script.onerror = function () {
    box.textContent = 'Onionpeer: cannot load ' + script.src;
  };
  (document.head || document.documentElement).appendChild(script);
})();
