/* Passkeys: the browser's half of a WebAuthn ceremony, for the pages that include
 * templates/accounts/_passkey_ceremony.html. No inline script (the CSP allows our static files only).
 *
 * The page holds the server's options as JSON (<script type="application/json">, which is data, not
 * code) and an element [data-passkey="create"|"get"]. When its form is submitted with the hidden
 * credential field still empty, this script asks navigator.credentials for a passkey, puts the
 * answer in that field as JSON (binary values in base64url, as py_webauthn reads them) and submits
 * the form again. The server checks everything; this file only carries bytes.
 */
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var text = atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var out = { type: d.type, id: toBytes(d.id) };
      if (d.transports) out.transports = d.transports;
      return out;
    });
  }

  function creationOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = toBytes(json.challenge);
    o.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    o.excludeCredentials = descriptors(json.excludeCredentials);
    return o;
  }

  function requestOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = toBytes(json.challenge);
    o.allowCredentials = descriptors(json.allowCredentials);
    return o;
  }

  function credentialJSON(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      if (typeof r.getTransports === "function") response.transports = r.getTransports();
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    });
  }

  // The texts are the page's, in the reader's language: data-passkey-message-* on the ceremony's element.
  function message(box, name) {
    return box.getAttribute("data-passkey-message-" + name) || "";
  }

  function explain(box, error) {
    if (error && error.name === "NotAllowedError") return message(box, "cancelled");
    if (error && error.name === "InvalidStateError") return message(box, "registered");
    if (error && error.name === "SecurityError") return message(box, "address");
    return message(box, "failed") + (error && error.message ? " (" + error.message + ")" : "");
  }

  function wire(box) {
    var form = box.closest("form");
    var status = box.querySelector("[data-passkey-status]");
    var source = document.getElementById(box.getAttribute("data-passkey-options"));
    if (!form || !source) return;
    var field = form.elements[box.getAttribute("data-passkey-field")];
    var button = form.querySelector("[data-passkey-button]");
    var ceremony = box.getAttribute("data-passkey");
    if (!window.PublicKeyCredential || !navigator.credentials) {
      status.textContent = message(box, "unsupported");
      if (button) button.disabled = true;
      return;
    }
    var busy = false;
    form.addEventListener("submit", function (event) {
      if (field.value) return; // the answer is in: let the form go
      var missing = Array.prototype.some.call(form.querySelectorAll("input[required]"), function (input) {
        return !input.value.trim();
      });
      if (missing) return; // the server names what is missing before a key is asked for anything
      event.preventDefault();
      if (busy) return;
      busy = true;
      status.textContent = message(box, "waiting");
      var json = JSON.parse(source.textContent);
      var call =
        ceremony === "create"
          ? navigator.credentials.create({ publicKey: creationOptions(json) })
          : navigator.credentials.get({ publicKey: requestOptions(json) });
      call.then(
        function (credential) {
          field.value = credentialJSON(credential);
          status.textContent = message(box, "checking");
          form.submit();
        },
        function (error) {
          busy = false;
          status.textContent = explain(box, error);
        }
      );
    });
  }

  function start() {
    document.querySelectorAll("[data-passkey]").forEach(wire);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
