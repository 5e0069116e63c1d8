// feedkit serve --proof-of-work: before the subscribe form is sent, find a nonce
// whose SHA-256 with the form's token and the address starts with N zero bits.
"use strict";
(function () {
  function zeroBits(bytes, bits) {
    for (var i = 0; i < bits; i++) {
      if (bytes[i >> 3] & (0x80 >> (i & 7))) return false;
    }
    return true;
  }
  async function solve(form) {
    var bits = parseInt(form.getAttribute("data-work"), 10);
    var token = form.elements["form_token"].value;
    var email = form.elements["email"].value.trim().toLowerCase();
    var encoder = new TextEncoder();
    for (var nonce = 0; ; nonce++) {
      var data = encoder.encode(token + ":" + email + ":" + nonce);
      var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
      if (zeroBits(digest, bits)) return String(nonce);
    }
  }
  document.querySelectorAll("form[data-work]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.elements["work"].value) return;
      event.preventDefault();
      var button = form.querySelector("button");
      if (button) button.disabled = true;
      solve(form).then(function (nonce) {
        form.elements["work"].value = nonce;
        form.submit();
      });
    });
  });
})();
