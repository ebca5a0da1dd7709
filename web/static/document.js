/* Pakta: hash a chosen file in this browser (SHA-256, WebCrypto) and look the hash up.
 * The file itself never leaves the device: only its 64-digit fingerprint goes in the
 * search form, which then asks the server which entries reference it. */
(function () {
  'use strict';
  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }
  function start() {
    var picker = document.getElementById('file-picker');
    var input = document.getElementById('file');
    var form = document.getElementById('document-form');
    if (!picker || !input || !form || !window.crypto || !crypto.subtle) return;
    picker.hidden = false;
    input.addEventListener('change', async function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var status = document.getElementById('file-status');
      status.textContent = file.name + ' …';
      var digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
      document.getElementById('sha256').value = hex(digest);
      status.textContent = file.name + ': sha256:' + hex(digest);
      form.submit();
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
