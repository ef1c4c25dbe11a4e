// The OIDC login page's script: go on to the LMS at once when cookies work; otherwise keep the browser
// secret in LTI Platform Storage (postMessage lti.put_data); with neither, offer a new window.
(function () {
  var box = document.getElementById("flipside-login"), d = box.dataset;
  function go() { window.location.replace(d.authUrl); }
  function cookiesWork() {
    var probe = "flipside_cookie_probe=1; path=/; max-age=60" +
      (location.protocol === "https:" ? "; Secure; SameSite=None; Partitioned" : "; SameSite=Lax");
    document.cookie = probe;
    return document.cookie.indexOf("flipside_cookie_probe=1") !== -1;
  }
  function storageFrame() {
    if (!d.storageTarget || window.parent === window) return null;
    if (d.storageTarget === "_parent") return window.parent;
    try { return window.parent.frames[d.storageTarget]; } catch (e) { return null; }
  }
  function putInPlatformStorage(frame) {
    var id = "flipside-" + Math.random().toString(36).slice(2);
    var timer = setTimeout(blocked, 2000);
    window.addEventListener("message", function (event) {
      var m = event.data || {};
      if (event.origin !== d.platformOrigin || m.message_id !== id) return;
      clearTimeout(timer);
      if (m.subject === "lti.put_data.response" && !m.error) go(); else blocked();
    });
    frame.postMessage({subject: "lti.put_data", message_id: id, key: "flipside_" + d.state,
                       value: d.secret}, d.platformOrigin);
  }
  function blocked() {
    document.getElementById("working").hidden = true;
    document.getElementById("blocked").hidden = false;
  }
  if (cookiesWork()) { go(); return; }
  var frame = storageFrame();
  if (frame) { putInPlatformStorage(frame); return; }
  blocked();
})();
